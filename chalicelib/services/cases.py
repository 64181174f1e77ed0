"""Use cases of fact-checkers: the review queue, taking a case, deciding it, and spreading the verdict."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import NoReturn

from chalicelib.config import get_settings
from chalicelib.domain.audit import ENGINE, Actor, audit_entry
from chalicelib.domain.exports import wib_day_of
from chalicelib.domain.ids import claim_id_for
from chalicelib.domain.models import (
    AuditAction,
    CasePage,
    CaseReportPage,
    CaseStatus,
    CaseSummary,
    CaseVerdictRequest,
    CaseView,
    ClaimInput,
    ClaimMatch,
    ClaimSummary,
    Verdict,
    VerdictEntry,
    VerdictProgress,
)
from chalicelib.domain.priority import CaseSignals, case_priority
from chalicelib.domain.verdicts import (
    automatic_verdict_entry,
    case_claim_external_id,
    checker_verdict,
    claim_from_case,
)
from chalicelib.observability import count, logger
from chalicelib.services.errors import CaseChanged, InvalidVerdict, UnknownCursor
from chalicelib.services.paging import offset_cursor, offset_of
from chalicelib.services.pictures import picture_views
from chalicelib.services.stats import case_breakdown, case_reports_last_24h, reports_by_case
from chalicelib.store import stores
from chalicelib.store.cases import Decision, StoredCase

QUEUE_WINDOW = 500  # the review queue ranks the 500 most recently seen cases of a status
REPORTS_PAGE = 100  # reports a verdict reaches per step; progress is saved after each
SWEEP_BATCH = 100


def _summary(case: StoredCase, reports_last_24h: int) -> CaseSummary:
    best = case.suggestions[0] if case.suggestions else None
    signals = CaseSignals(
        case.sample_text,
        reports_last_24h,
        (best.claim.title, best.score) if best else None,
        public_complaints=case.public_count,
    )
    return CaseSummary(
        id=case.id,
        status=case.status,
        version=case.version,
        seen_count=case.seen_count,
        first_seen=case.first_seen,
        last_seen=case.last_seen,
        sample_text=case.sample_text,
        sample_url=case.sample_url,
        reviewer=case.reviewer,
        public_complaints=case.public_count,
        priority=case_priority(signals),
    )


def review_queue(status: CaseStatus, cursor: str | None, limit: int, now: datetime | None = None) -> CasePage:
    """Cases of a status by priority, highest first, a page at a time.

    Ranks the most recently seen cases of the status (a case nobody reported lately has no spread
    left and waits behind them); reads one index query a shard and one counter query an hour.
    """
    offset = offset_of(cursor)
    now = now or datetime.now(UTC)
    cases = stores().cases.with_status(status, QUEUE_WINDOW)
    recent = reports_by_case(now, range(24)) if cases else {}
    ranked = sorted(
        (_summary(case, recent.get(case.id, 0)) for case in cases),
        key=lambda summary: (-summary.priority.total, -summary.last_seen.timestamp(), summary.id),
    )
    window = list(itertools.islice(ranked, offset, offset + limit + 1))
    more = len(window) > limit
    return CasePage(cases=window[:limit], next_cursor=offset_cursor(offset + limit) if more else None)


def get_case(case_id: str, now: datetime | None = None, picture_links: bool = False) -> CaseView | None:
    """A case with its counts, suggestions, verdict, history and pictures; None when there is no such case.

    ``picture_links``: a short-lived link to each picture (for fact-checkers' eyes).
    """
    case = stores().cases.get(case_id)
    if case is None:
        return None
    return _view(case, now or datetime.now(UTC), picture_links)


def _view(case: StoredCase, now: datetime, picture_links: bool = False) -> CaseView:
    platforms, provinces = case_breakdown(case.id)
    summary = _summary(case, case_reports_last_24h(case.id, now))
    progress = (
        VerdictProgress(version=case.applied_version, reports_updated=case.applied_count, done=not case.applying)
        if case.applied_version is not None
        else None
    )
    return CaseView(
        **summary.model_dump(),
        platforms=platforms,
        provinces=provinces,
        suggestions=case.suggestions,
        verdict=case.verdict,
        history=case.history,
        progress=progress,
        images=picture_views(case.sample_images, with_links=picture_links) if case.sample_images else [],
    )


def case_reports(case_id: str, cursor: str | None, limit: int) -> CaseReportPage | None:
    """A page of a case's reports, oldest first; None when there is no such case."""
    if stores().cases.get(case_id) is None:
        return None
    try:
        reports, next_cursor = stores().reports.in_case(case_id, cursor, limit)
    except ValueError:
        raise UnknownCursor(cursor or "") from None
    return CaseReportPage(reports=reports, next_cursor=next_cursor)


def take_case(case_id: str, version: int, actor: Actor, now: datetime | None = None) -> CaseView | None:
    """Mark an open case as in review by this fact-checker, so others see it is taken.

    Raises CaseChanged when the case is not open at ``version``.
    """
    now = now or datetime.now(UTC)
    case = stores().cases.get(case_id)
    if case is None:
        return None
    if case.version != version or case.status is not CaseStatus.open:
        raise CaseChanged(case.version, case.status.value)
    before = {"status": case.status.value, "version": case.version, "reviewer": case.reviewer}
    after = {"status": CaseStatus.in_review.value, "version": version + 1, "reviewer": actor.public_name}
    audit = audit_entry(actor, AuditAction.case_taken, case_id, before=before, after=after, at=now)
    if not stores().cases.take(case_id, version, actor.public_name, now, audit):
        _changed(case_id)
    return get_case(case_id, now)


def publish_verdict(
    case_id: str, request: CaseVerdictRequest, actor: Actor, now: datetime | None = None
) -> CaseView | None:
    """Decide a case: store the verdict (and a new claim, and the audit entry) at once, then spread it.

    Raises CaseChanged when the case moved past ``request.version``, InvalidVerdict for a claim
    that does not exist or disagrees with the label. Every report of the case gets the verdict from
    the verdict queue; a later copy of the content gets it when it is checked.
    """
    now = now or datetime.now(UTC)
    case = stores().cases.get(case_id)
    if case is None:
        return None
    if case.version != request.version:
        raise CaseChanged(case.version, case.status.value)
    new_claim = None
    if request.claim_id is not None:
        linked = stores().claims.get(request.claim_id)
        if linked is None:
            raise InvalidVerdict("claim_id", "there is no claim with this id")
        if linked.label is not request.label:
            raise InvalidVerdict("label", f"the linked claim's label is {linked.label.value}; change the claim first")
        claim = ClaimSummary.model_validate(linked.model_dump())
    else:
        claim_input = claim_from_case(case.id, request, publisher=actor.partner_id or "saring", day=wib_day_of(now))
        claim_id = claim_id_for(case_claim_external_id(case.id))
        new_claim = (claim_id, claim_input)
        claim = ClaimSummary(id=claim_id, **claim_input.model_dump(include=set(ClaimSummary.model_fields)))
    version = case.version + 1
    verdict, entry = checker_verdict(request, claim, actor.public_name, version, now)
    decision = _decision(case, verdict, entry, actor, now, new_claim=new_claim)
    if not stores().cases.decide(case.id, request.version, decision, now):
        _changed(case_id)
    count("VerdictsPublished")
    logger.info("verdict published", extra={"case_id": case.id, "version": version, "label": request.label})
    _request_application([case.id])
    return get_case(case.id, now)


def _decision(
    case: StoredCase,
    verdict: Verdict,
    entry: VerdictEntry,
    actor: Actor,
    now: datetime,
    *,
    new_claim: tuple[str, ClaimInput] | None = None,
) -> Decision:
    """A verdict as the case stores it: with its history entry and the audit entry of the change."""
    before = {
        "status": case.status.value,
        "version": case.version,
        "verdict": case.verdict.model_dump(mode="json") if case.verdict else None,
    }
    after = {"status": CaseStatus.decided.value, "version": entry.version, "verdict": verdict.model_dump(mode="json")}
    return Decision(
        verdict=verdict,
        entry=entry,
        history=[*case.history, entry],
        new_claim=new_claim,
        audit=audit_entry(actor, AuditAction.verdict_published, case.id, before=before, after=after, at=now),
    )


def decide_automatically(case: StoredCase, verdict: Verdict, now: datetime) -> bool:
    """Decide an open case with the engine's verdict (a claim written after it opened answers it).

    The same path as a fact-checker's verdict: stored with its history and audit entry, then spread
    to every report (webhooks included). False when someone changed the case meanwhile.
    """
    entry = automatic_verdict_entry(verdict, case.version + 1, now)
    if not stores().cases.decide(case.id, case.version, _decision(case, verdict, entry, ENGINE, now), now):
        return False
    count("CasesDecidedByNewClaims")
    logger.info("case decided by a new claim", extra={"case_id": case.id, "claim_id": entry.claim_id})
    _request_application([case.id])
    return True


def add_suggestions(case: StoredCase, suggestions: list[ClaimMatch], kept: int, now: datetime) -> None:
    """Put new claims first among the case's suggestions (one per claim, at most ``kept``)."""
    merged = {s.claim.id: s for s in [*suggestions, *case.suggestions]}
    stores().cases.suggest(case.id, list(merged.values())[:kept], now)


def _changed(case_id: str) -> NoReturn:
    """Raise CaseChanged with the case as it is now (someone else's write won the race)."""
    current = stores().cases.get(case_id)
    assert current is not None  # cases are never deleted
    raise CaseChanged(current.version, current.status.value)


def _request_application(case_ids: list[str]) -> None:
    from chalicelib.adapters.verdict_queue import enqueue_applications

    try:
        enqueue_applications(case_ids)
    except Exception:  # noqa: BLE001 - the verdict is stored; the sweep re-queues what was not sent
        logger.exception("verdict application not queued; the sweep will re-drive it", extra={"cases": case_ids})


def spread_verdict(case_id: str, has_time: Callable[[], bool], now: Callable[[], datetime] | None = None) -> bool:
    """Give every report of the case its current verdict, a page at a time, resuming where the last run stopped.

    Returns False when it stopped because ``has_time()`` said so (the caller queues the rest), True
    when done or when there is nothing to do (no verdict to spread, or a newer one took over).
    """
    clock = now or (lambda: datetime.now(UTC))
    case = stores().cases.get(case_id)
    if case is None or not case.applying or case.verdict is None or case.applied_version is None:
        return True
    version, verdict = case.applied_version, case.verdict
    cursor, applied = case.applied_cursor, case.applied_count
    while True:
        page, cursor = stores().reports.in_case(case_id, cursor, REPORTS_PAGE)
        applied += stores().reports.apply_verdict([report.id for report in page], verdict, version, clock())
        if cursor is None:
            stores().cases.finish_application(case_id, version, applied, clock())
            count("VerdictsSpread")
            logger.info("verdict reached every report", extra={"case_id": case_id, "reports": applied})
            return True
        if not stores().cases.record_progress(case_id, version, cursor, applied, clock()):
            return True  # a newer verdict replaced this one; its own run spreads it
        if not has_time():
            logger.info("verdict spreading continues later", extra={"case_id": case_id, "reports": applied})
            return False


def continue_later(case_id: str) -> None:
    """Queue the rest of a verdict's spreading (raises if it could not be queued: the message is retried)."""
    from chalicelib.adapters.verdict_queue import enqueue_applications

    enqueue_applications([case_id])


def sweep_unspread_verdicts(now: datetime | None = None) -> int:
    """Re-queue verdicts whose spreading stalled (a lost message, a crash between storing and queueing)."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(seconds=get_settings().stale_after_seconds)
    stalled = stores().cases.unapplied(cutoff, SWEEP_BATCH)
    if stalled:
        from chalicelib.adapters.verdict_queue import enqueue_applications

        enqueue_applications(stalled)
        count("VerdictsRedriven", len(stalled))
        logger.info("stalled verdicts re-driven", extra={"count": len(stalled)})
    return len(stalled)
