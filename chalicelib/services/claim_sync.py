"""Use case of the claim sync: bring in what fact-checkers published through Google's Fact Check Tools.

Each run asks ``claims:search`` for every configured term and publisher (Indonesian, reviewed since
the last complete run), pages through ``nextPageToken``, and imports each page like a file import:
a claim per review URL, unchanged claims left alone, unknown ratings kept and counted. Its place
(the time of the last complete run, and the page token of any search a failure interrupted) is
saved after every page, so a crash or a long rate limit resumes where it stopped.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters.claim_sync_state import load_state, save_state
from chalicelib.adapters.fact_check_api import FactCheckApiError, api_key, search_page
from chalicelib.config import get_settings
from chalicelib.domain.audit import Actor
from chalicelib.domain.claim_formats import fact_check_search_rows
from chalicelib.observability import count, logger
from chalicelib.services.claims import import_claims

SYNC_ACTOR = Actor(key_id="sync", key_name="Fact Check Tools sync")
MAX_PAGES = 50  # per search and run: 5,000 reviews; the rest waits for the next run
TRIES = 3  # per page, for a 5xx or a network failure
MAX_WAIT_SECONDS = 60.0  # a Retry-After this long is waited out; a longer one ends the search for this run


@dataclass
class SyncReport:
    """What one run did."""

    configured: bool = True
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    unknown_ratings: int = 0
    refused: int = 0  # reviews that could not become claims (no URL, invalid fields)
    pages: int = 0
    errors: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)  # searches that hit MAX_PAGES; resumed next run

    def summary(self) -> dict[str, Any]:
        """What the run did, as its log line and the scheduled invocation's answer say it."""
        return {
            "configured": self.configured,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "unknown_ratings": self.unknown_ratings,
            "refused": self.refused,
            "pages": self.pages,
            "errors": self.errors,
            "unfinished": self.unfinished,
        }

    @property
    def complete(self) -> bool:
        """Every search reached its end: the next run may ask only for what is newer than this one."""
        return self.configured and not self.errors and not self.unfinished


def sync_claims(now: datetime | None = None, sleep: Callable[[float], None] = time.sleep) -> SyncReport:
    """One run of the sync; never raises for what the API answers (errors are in the report)."""
    started = now or datetime.now(UTC)
    key = api_key()
    if key is None:
        logger.warning("claim sync not configured: the Fact Check Tools API key secret has no value")
        count("ClaimSyncSkipped")
        return SyncReport(configured=False)
    state = load_state()
    since = state.get("since")
    max_age_days = (
        math.ceil((started - datetime.fromisoformat(since)).total_seconds() / 86_400) + 1
        if since
        else get_settings().fact_check_first_days
    )
    resume: dict[str, str] = dict(state.get("resume") or {})
    report = SyncReport()
    for search in get_settings().fact_check_searches:
        name = f"{search[0]}={search[1]}"

        def checkpoint(token: str | None, name: str = name) -> None:
            if token:
                resume[name] = token
            else:
                resume.pop(name, None)
            save_state({**state, "resume": resume})

        _sync_search(_Run(key, max_age_days, report, sleep), search, resume.get(name), checkpoint)
    if report.complete:
        state["since"] = started.isoformat()
    save_state({**state, "resume": resume, "last_run": started.isoformat(), "last_errors": report.errors})
    _record(report)
    return report


@dataclass(frozen=True)
class _Run:
    """What every search of one run shares."""

    key: str
    max_age_days: int
    report: SyncReport
    sleep: Callable[[float], None]


def _sync_search(
    run: _Run, search: tuple[str, str], token: str | None, checkpoint: Callable[[str | None], None]
) -> None:
    """Page through one search, saving the next page's token after each page."""
    report = run.report
    for _ in range(MAX_PAGES):
        try:
            answer = _page(run, search, token)
        except FactCheckApiError as error:
            report.errors.append(f"{search[0]}={search[1]}: {error.reason}")
            return
        report.pages += 1
        imported = import_claims(fact_check_search_rows(answer), actor=SYNC_ACTOR, source=f"fact-check:{search[1]}")
        report.added += imported.added
        report.updated += imported.updated
        report.unchanged += imported.unchanged
        report.unknown_ratings += imported.unknown_ratings
        report.refused += len(imported.problems)
        next_token = answer.get("nextPageToken")
        token = str(next_token) if next_token else None
        checkpoint(token)
        if token is None:
            return
    report.unfinished.append(f"{search[0]}={search[1]}")


def _page(run: _Run, search: tuple[str, str], token: str | None) -> dict[str, Any]:
    """One page, waiting out a short Retry-After and retrying a 5xx or a network failure."""
    for attempt in range(1, TRIES + 1):
        try:
            return search_page(run.key, search, run.max_age_days, token)
        except FactCheckApiError as error:
            if error.retry_after is not None and error.retry_after <= MAX_WAIT_SECONDS and attempt < TRIES:
                run.sleep(error.retry_after)
                continue
            if error.transient and error.retry_after is None and attempt < TRIES:
                run.sleep(2.0**attempt)
                continue
            raise
    raise AssertionError("unreachable")  # the loop returns or raises


def _record(report: SyncReport) -> None:
    count("ClaimsSyncAdded", report.added)
    count("ClaimsSyncUpdated", report.updated)
    count("ClaimsSyncUnknownRatings", report.unknown_ratings)
    count("ClaimSyncErrors", len(report.errors))
    if report.errors:
        count("ClaimSyncFailed")
    logger.info("claim sync finished", extra=report.summary())
