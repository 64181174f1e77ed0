"""Cases in DynamoDB: reports of the same content, counted, reviewed and decided."""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.models import AuditEntry, CaseStatus, ClaimInput, ClaimMatch, Verdict, VerdictEntry
from chalicelib.store.audit import record_in
from chalicelib.store.claims import ClaimStore
from chalicelib.store.tables import (
    STATUS_SHARDS,
    CaseRecord,
    committed,
    refused_by_condition,
    shard_of,
    untouched_since,
)

_SUGGESTIONS = TypeAdapter(list[ClaimMatch])
APPLYING_SHARDS = 4  # spreads the sparse index of unfinished verdicts; the sweep reads each


@dataclass(frozen=True)
class StoredCase:
    id: str
    status: CaseStatus
    version: int
    seen_count: int
    first_seen: datetime
    last_seen: datetime
    sample_text: str | None
    sample_url: str | None
    reviewer: str | None = None
    sample_images: tuple[str, ...] = ()
    public_count: int = 0  # reports that are complaints from the public
    suggestions: list[ClaimMatch] = field(default_factory=list)
    verdict: Verdict | None = None
    history: list[VerdictEntry] = field(default_factory=list)
    applying: bool = False
    applied_version: int | None = None
    applied_count: int = 0
    applied_cursor: str | None = None


def _stored(record: CaseRecord) -> StoredCase:
    return StoredCase(
        id=record.id,
        status=CaseStatus(record.status),
        version=int(record.version or 0),
        seen_count=int(record.seen_count or 0),
        first_seen=record.first_seen,
        last_seen=record.last_seen,
        sample_text=record.sample_text or None,
        sample_url=record.sample_url or None,
        sample_images=tuple(str(upload_id) for upload_id in record.sample_images or ()),
        reviewer=record.reviewer,
        public_count=int(record.public_count or 0),
        suggestions=_SUGGESTIONS.validate_json(record.suggestions_json) if record.suggestions_json else [],
        verdict=Verdict.model_validate_json(record.verdict_json) if record.verdict_json else None,
        history=[VerdictEntry.model_validate_json(str(entry)) for entry in record.history or []],
        applying=record.applying_shard is not None,
        applied_version=int(record.applied_version) if record.applied_version is not None else None,
        applied_count=int(record.applied_count or 0),
        applied_cursor=record.applied_cursor,
    )


def status_shard(case_id: str, status: CaseStatus) -> str:
    """The status index's partition of a case: ``<status>#<shard>``."""
    return f"{status.value}#{shard_of(case_id, STATUS_SHARDS)}"


def count_in_case(
    writes: TransactWrite,
    case_id: str,
    *,
    fingerprint: str,
    sample: tuple[str | None, str | None, tuple[str, ...]],
    suggestions: list[ClaimMatch],
    needs_review: bool,
    now: datetime,
    unless_decided: bool = False,
    public: bool = False,
) -> None:
    """Add to ``writes``: one more report in the case, creating the case with its first report.

    A new case takes ``sample`` (the report's text, link and pictures) and the engine's suggestions for it;
    a case enters the review queue (the status index) with its first report that needs a human.
    With ``unless_decided`` the write is refused when the case has a verdict applied. A ``public``
    report (a complaint from the public) is also counted as one.
    """
    text, url, images = sample
    extra: list[Any] = []
    if images:
        extra.append(CaseRecord.sample_images.set(CaseRecord.sample_images | list(images)))
    if suggestions:
        dumped = _SUGGESTIONS.dump_json(suggestions).decode()
        extra.append(CaseRecord.suggestions_json.set(CaseRecord.suggestions_json | dumped))
    if public:
        extra.append(CaseRecord.public_count.add(1))
    if needs_review:
        extra.append(CaseRecord.status_shard.set(CaseRecord.status_shard | status_shard(case_id, CaseStatus.open)))
    writes.update(
        CaseRecord(case_id),
        actions=[
            CaseRecord.seen_count.add(1),
            CaseRecord.fingerprint.set(fingerprint),
            CaseRecord.first_seen.set(CaseRecord.first_seen | now),
            CaseRecord.last_seen.set(now),
            CaseRecord.status.set(CaseRecord.status | "open"),
            CaseRecord.version.set(CaseRecord.version | 0),
            CaseRecord.sample_text.set(CaseRecord.sample_text | (text or "")[:500]),
            CaseRecord.sample_url.set(CaseRecord.sample_url | (url or "")),
            *extra,
        ],
        condition=(CaseRecord.verdict_json.does_not_exist() | CaseRecord.applied_version.does_not_exist())
        if unless_decided
        else None,
    )


@dataclass(frozen=True)
class Decision:
    """A fact-checker's verdict on a case, as the case stores it."""

    verdict: Verdict
    entry: VerdictEntry
    history: list[VerdictEntry]  # the whole history, this entry last
    new_claim: tuple[str, ClaimInput] | None  # a claim made from the case, saved with the verdict
    audit: AuditEntry


def _history(entries: list[VerdictEntry]) -> Any:
    return [entry.model_dump_json() for entry in entries]


class CaseStore:
    """The only code that reads or writes cases (assigning a report to its case lives with reports)."""

    def get(self, case_id: str) -> StoredCase | None:
        try:
            return _stored(CaseRecord.get(case_id, consistent_read=True))
        except CaseRecord.DoesNotExist:
            return None

    def with_status(self, status: CaseStatus, limit: int) -> list[StoredCase]:
        """Up to ``limit`` cases in a status, most recently seen first (the shards, merged)."""
        shards = [
            CaseRecord.by_status.query(f"{status.value}#{shard}", scan_index_forward=False, limit=limit)
            for shard in range(STATUS_SHARDS)
        ]
        merged = heapq.merge(*shards, key=lambda record: record.last_seen, reverse=True)
        return [_stored(record) for record in itertools.islice(merged, limit)]

    def take(self, case_id: str, version: int, reviewer: str, now: datetime, audit: AuditEntry) -> bool:
        """Mark an open case as in review by ``reviewer``; False unless it is open at ``version``."""

        def write(writes: TransactWrite) -> None:
            writes.update(
                CaseRecord(case_id),
                actions=[
                    CaseRecord.status.set(CaseStatus.in_review.value),
                    CaseRecord.status_shard.set(status_shard(case_id, CaseStatus.in_review)),
                    CaseRecord.reviewer.set(reviewer),
                    CaseRecord.version.set(version + 1),
                    CaseRecord.updated_at.set(now),
                ],
                condition=(CaseRecord.version == version) & (CaseRecord.status == CaseStatus.open.value),
            )
            record_in(writes, audit)

        return committed(write)

    def decide(self, case_id: str, version: int, decision: Decision, now: datetime) -> bool:
        """Store a verdict (and the claim made from the case, and the audit entry) at once.

        False when the case is no longer at ``version``: someone else changed it first. The case is
        then marked as having a verdict to spread to its reports, from the first report on.
        """
        writes_claim = decision.new_claim

        def write(writes: TransactWrite) -> None:
            writes.update(
                CaseRecord(case_id),
                actions=[
                    CaseRecord.status.set(CaseStatus.decided.value),
                    CaseRecord.status_shard.set(status_shard(case_id, CaseStatus.decided)),
                    CaseRecord.reviewer.set(decision.entry.decided_by),
                    CaseRecord.version.set(decision.entry.version),
                    CaseRecord.verdict_json.set(decision.verdict.model_dump_json()),
                    CaseRecord.history.set(_history(decision.history)),
                    CaseRecord.updated_at.set(now),
                    CaseRecord.applying_shard.set(str(shard_of(case_id, APPLYING_SHARDS))),
                    CaseRecord.applied_version.set(decision.entry.version),
                    CaseRecord.applied_count.set(0),
                    CaseRecord.applied_cursor.remove(),
                ],
                condition=CaseRecord.version == version,
            )
            if writes_claim is not None:
                ClaimStore().put_in(writes, writes_claim[0], writes_claim[1], now)
            record_in(writes, decision.audit)

        return committed(write)

    def suggest(self, case_id: str, suggestions: list[ClaimMatch], now: datetime) -> None:
        """Replace the case's suggestions (a claim written later joined them)."""
        CaseRecord(case_id).update(
            actions=[
                CaseRecord.suggestions_json.set(_SUGGESTIONS.dump_json(suggestions).decode()),
                CaseRecord.updated_at.set(now),
            ],
            condition=CaseRecord.id.exists(),
        )

    def record_progress(self, case_id: str, version: int, cursor: str, applied: int, now: datetime) -> bool:
        """Remember how far verdict ``version`` has reached; False when a newer verdict replaced it."""
        return self._update_progress(
            case_id,
            version,
            [
                CaseRecord.applied_cursor.set(cursor),
                CaseRecord.applied_count.set(applied),
                CaseRecord.updated_at.set(now),
            ],
        )

    def finish_application(self, case_id: str, version: int, applied: int, now: datetime) -> bool:
        """Verdict ``version`` reached every report: leave the index of unfinished verdicts."""
        return self._update_progress(
            case_id,
            version,
            [
                CaseRecord.applied_count.set(applied),
                CaseRecord.applied_cursor.remove(),
                CaseRecord.applying_shard.remove(),
                CaseRecord.updated_at.set(now),
            ],
        )

    def _update_progress(self, case_id: str, version: int, actions: list[Any]) -> bool:
        try:
            CaseRecord(case_id).update(actions=actions, condition=CaseRecord.applied_version == version)
        except UpdateError as error:
            if refused_by_condition(error):
                return False
            raise
        return True

    def unapplied(self, updated_before: datetime, limit: int) -> list[str]:
        """Cases whose verdict has not reached all their reports and nobody moved since ``updated_before``."""
        return untouched_since(CaseRecord.applying, APPLYING_SHARDS, CaseRecord.updated_at, updated_before, limit)

    def samples(self, case_ids: list[str]) -> dict[str, tuple[str | None, str | None]]:
        """The sample text and link of each case (what the case is about), by id."""
        found = CaseRecord.batch_get(case_ids, attributes_to_get=["id", "sample_text", "sample_url"])
        return {record.id: (record.sample_text or None, record.sample_url or None) for record in found}

    def seen_count(self, case_id: str) -> int:
        try:
            return int(CaseRecord.get(case_id, attributes_to_get=["seen_count"]).seen_count)
        except CaseRecord.DoesNotExist:
            return 0
