"""The asynchronous check of a report, and the sweep that guarantees every report gets one."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from chalicelib.adapters.check_queue import enqueue_checks
from chalicelib.config import get_settings
from chalicelib.domain.checking import (
    check_failed_outcome,
    conclude,
    decided_outcome,
    merged,
    outcome_with_new_claims,
)
from chalicelib.domain.ids import case_id_for
from chalicelib.domain.models import CaseStatus, ReportStatus
from chalicelib.domain.normalise import content_fingerprint
from chalicelib.observability import count, logger
from chalicelib.services.cases import add_suggestions, decide_automatically
from chalicelib.services.claim_index import current_index
from chalicelib.services.pictures import analysed_pictures, hashes_to_match, picture_group, text_with_pictures
from chalicelib.store import stores

if TYPE_CHECKING:
    from chalicelib.domain.matching.index import ClaimIndex

MATCHES_KEPT = 5  # claims kept on a report for the fact-checker
_OUTCOME_METRIC = {
    ReportStatus.matched: "ReportsMatched",
    ReportStatus.needs_review: "ReportsNeedReview",
    ReportStatus.reviewed: "ReportsDecidedByCase",
}
SWEEP_BATCH = 500  # reports re-driven per sweep at most; the next sweep takes the rest
RESTART_REDRIVE_LIMIT = 1_000_000  # every waiting report, in practice
RECHECK_OPEN_CASES = 2_000  # open cases a new claim is tried against, most recently seen first


def run_check(report_id: str, now: datetime | None = None) -> ReportStatus | None:
    """Check one report: group it into its case, match it against the claim index, record the outcome.

    Safe under at-least-once delivery: a report already checked is left alone (None), and a
    redelivery after a crash resumes without counting the report in its case twice.
    """
    now = now or datetime.now(UTC)
    report = stores().reports.start_check(report_id, now)
    if report is None:
        return None
    if report.check_attempts > get_settings().max_check_attempts:
        outcome = check_failed_outcome(report.check_attempts - 1)
        count("ChecksFailed")
        logger.warning("check gave up", extra={"report_id": report_id})
    else:
        pictures = analysed_pictures(report.images)  # raises while some are not analysed: the check comes again
        text = text_with_pictures(report.text, pictures)
        fingerprint = content_fingerprint(report.text, report.url, tuple(picture_group(p) for p in pictures))
        case_id = case_id_for(fingerprint)
        index = current_index()
        matches = merged(
            index.search(text=text, url=report.url, limit=MATCHES_KEPT),
            index.search_pictures(hashes_to_match(pictures), limit=MATCHES_KEPT),
        )
        outcome = conclude(matches[:MATCHES_KEPT])
        if pictures and not report.text:
            report = replace(report, text=text)  # the case's sample: what was read in its pictures
        if stores().reports.check_into_case(
            report.id, case_id, fingerprint=fingerprint, sample=report, outcome=outcome, now=now
        ):
            count(_OUTCOME_METRIC[outcome.status])
            return _recorded(report_id, outcome.status)
        # A case with a verdict applied, or a check resumed after a crash: one step at a time
        stores().reports.assign_case(
            report.id,
            case_id,
            fingerprint=fingerprint,
            sample=report,
            suggestions=outcome.suggestions,
            needs_review=outcome.status is ReportStatus.needs_review,
            now=now,
        )
        case = stores().cases.get(case_id)
        if case is not None and case.verdict is not None and case.applied_version is not None:
            # A fact-checker decided this content already: a copy takes that verdict, whatever the engine says.
            outcome = decided_outcome(case.verdict, case.applied_version)
        count(_OUTCOME_METRIC[outcome.status])
    if stores().reports.finish_check(report.id, outcome, now):
        _recorded(report_id, outcome.status)
    return outcome.status


def _recorded(report_id: str, status: ReportStatus) -> ReportStatus:
    count("ChecksCompleted")
    logger.info("report checked", extra={"report_id": report_id, "status": status})
    return status


def request_checks(report_ids: list[str]) -> None:
    """Queue these reports for their check; raises if any could not be queued (to be retried)."""
    failed = enqueue_checks(report_ids)
    if failed:
        raise RuntimeError(f"{len(failed)} check requests were not queued")


def redrive_every_waiting_report(
    now: datetime | None = None, requested_anyway: Callable[[], Collection[str]] | None = None
) -> int:
    """Queue the check of every report still waiting, however recent: after the local stack restarts,
    the messages that were in flight died with it (on AWS they never do; the sweep covers losses).

    ``requested_anyway``, asked once the waiting reports are read: those whose check will be asked
    for without this (the stream hands their new-report record over again). They are left out: a
    second request costs a check's first write for nothing, and after a crash on a busy day there
    were thousands, queued ahead of the reports still waiting.
    """
    waiting = stores().reports.stale_pending(now or datetime.now(UTC), RESTART_REDRIVE_LIMIT)
    if requested_anyway is not None and waiting:
        coming = set(requested_anyway())
        waiting = [report_id for report_id in waiting if report_id not in coming]
    for start in range(0, len(waiting), SWEEP_BATCH):
        request_checks(waiting[start : start + SWEEP_BATCH])
    if waiting:
        count("ReportsRedriven", len(waiting))
        logger.info("waiting reports re-driven after a restart", extra={"count": len(waiting)})
    return len(waiting)


def sweep_stale_reports(now: datetime | None = None) -> int:
    """Re-queue reports left waiting too long (a lost message, a crash, a restored snapshot)."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(seconds=get_settings().stale_after_seconds)
    stale = stores().reports.stale_pending(cutoff, SWEEP_BATCH)
    if stale:
        request_checks(stale)
        count("ReportsRedriven", len(stale))
        logger.info("stale reports re-driven", extra={"count": len(stale)})
    return len(stale)


def recheck_open_cases(index: ClaimIndex, claim_ids: list[str], now: datetime | None = None) -> dict[str, int]:
    """Try claims just written against the open cases: a confident match decides a case (``auto``), a
    weaker one joins its suggestions. Bounded: the most recently seen open cases, one lookup each."""
    now = now or datetime.now(UTC)
    written = frozenset(claim_ids)
    tally = {"cases": 0, "decided": 0, "suggested": 0}
    for case in stores().cases.with_status(CaseStatus.open, RECHECK_OPEN_CASES):
        tally["cases"] += 1
        if not (case.sample_text or case.sample_url or case.sample_images):
            continue
        matches = index.search(text=case.sample_text, url=case.sample_url, limit=MATCHES_KEPT)
        if case.sample_images:  # a claim's new picture may be this case's picture
            pictures = list(stores().pictures.get_many(list(case.sample_images)).values())
            matches = merged(matches, index.search_pictures(hashes_to_match(pictures), limit=MATCHES_KEPT))
        outcome = outcome_with_new_claims(matches, written)
        if outcome is None:
            continue
        if outcome.verdict is not None:
            tally["decided"] += decide_automatically(case, outcome.verdict, now)
        else:
            add_suggestions(case, outcome.suggestions, MATCHES_KEPT, now)
            tally["suggested"] += 1
    if tally["decided"] or tally["suggested"]:
        logger.info("open cases re-checked against new claims", extra=tally)
    return tally
