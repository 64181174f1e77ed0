"""Reports and their sealed contacts in DynamoDB."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import TypeAdapter
from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.checking import CheckOutcome
from chalicelib.domain.exports import ExportRow, export_row, merge_shards, wib_day_of
from chalicelib.domain.models import ClaimMatch, ReportStatus, Verdict
from chalicelib.store.tables import (
    DAY_SHARDS,
    PENDING_SHARDS,
    CaseRecord,
    ContactRecord,
    ReportRecord,
    refused_by_condition,
)


@dataclass(frozen=True)
class NewReport:
    id: str
    partner_id: str
    received_at: datetime
    platform: str
    province: str
    text: str | None
    url: str | None
    observed_at: datetime | None
    external_id: str | None
    request_hash: str


@dataclass(frozen=True)
class StoredReport:
    id: str
    partner_id: str
    status: ReportStatus
    received_at: datetime
    text: str | None
    url: str | None
    request_hash: str
    case_id: str | None
    verdict: Verdict | None
    suggestions: list[ClaimMatch]
    check_attempts: int
    external_id: str | None = None
    has_contact: bool = False
    platform: str = ""
    province: str = ""


@dataclass(frozen=True)
class SealedContact:
    sealed: str
    expires_at: datetime


def _transaction() -> TransactWrite:
    # The model's own connection: a new Connection would build a new botocore client every time.
    connection: Connection = ReportRecord._get_connection().connection
    return TransactWrite(connection=connection)


_SUGGESTIONS = TypeAdapter(list[ClaimMatch])


def _stored(record: ReportRecord) -> StoredReport:
    return StoredReport(
        id=record.id,
        partner_id=record.partner_id,
        status=ReportStatus(record.status),
        received_at=record.received_at,
        text=record.text,
        url=record.url,
        request_hash=record.request_hash,
        case_id=record.case_id,
        verdict=Verdict.model_validate_json(record.verdict_json) if record.verdict_json else None,
        suggestions=_SUGGESTIONS.validate_json(record.suggestions_json) if record.suggestions_json else [],
        check_attempts=int(record.check_attempts or 0),
        external_id=record.external_id,
        has_contact=bool(record.has_contact),
        platform=record.platform,
        province=record.province,
    )


def report_from_stream_image(image: dict[str, Any]) -> StoredReport:
    """A report as one of the reports stream's images (DynamoDB JSON) shows it."""
    record = ReportRecord.from_raw_data(image)
    return _stored(record)


def _shard(report_id: str, shards: int) -> int:
    return int(hashlib.sha256(report_id.encode()).hexdigest()[:8], 16) % shards


def _pending_shard(report_id: str) -> str:
    return str(_shard(report_id, PENDING_SHARDS))


class ReportStore:
    """The only code that reads or writes reports."""

    def create(self, report: NewReport, contact: SealedContact | None) -> bool:
        """Store a new report (and its sealed contact) at once; False if the id already exists."""
        record = ReportRecord(
            report.id,
            partner_id=report.partner_id,
            status=ReportStatus.received.value,
            received_at=report.received_at,
            updated_at=report.received_at,
            observed_at=report.observed_at,
            platform=report.platform,
            province=report.province,
            text=report.text,
            url=report.url,
            external_id=report.external_id,
            has_contact=contact is not None,
            request_hash=report.request_hash,
            check_attempts=0,
            pending_shard=_pending_shard(report.id),
            day_shard=f"{wib_day_of(report.received_at).isoformat()}#{_shard(report.id, DAY_SHARDS)}",
        )
        is_new = ReportRecord.id.does_not_exist()
        if contact is None:  # one item: a conditional put is enough, and cheaper than a transaction
            try:
                record.save(condition=is_new)
            except PutError as error:
                if refused_by_condition(error):
                    return False
                raise
            return True
        sealed = ContactRecord(
            report.id, partner_id=report.partner_id, sealed=contact.sealed, expires_at=contact.expires_at
        )
        try:
            with _transaction() as transaction:
                transaction.save(record, condition=is_new)
                transaction.save(sealed)
        except TransactWriteError as error:
            if refused_by_condition(error):
                return False
            raise
        return True

    def get(self, report_id: str) -> StoredReport | None:
        try:
            return _stored(ReportRecord.get(report_id, consistent_read=True))
        except ReportRecord.DoesNotExist:
            return None

    def start_check(self, report_id: str, now: datetime) -> StoredReport | None:
        """Mark the report as being checked and count the attempt; None if it needs no check."""
        record = ReportRecord(report_id)
        try:
            record.update(
                actions=[
                    ReportRecord.status.set(ReportStatus.checking.value),
                    ReportRecord.check_attempts.add(1),
                    ReportRecord.updated_at.set(now),
                ],
                condition=ReportRecord.status.is_in(ReportStatus.received.value, ReportStatus.checking.value),
            )
        except UpdateError as error:
            if refused_by_condition(error):
                return None
            raise
        return _stored(record)

    def assign_case(self, report_id: str, case_id: str, fingerprint: str, sample: StoredReport, now: datetime) -> bool:
        """Put the report in its case and count it there, both or neither.

        False when the report already had a case: a redelivered check counts nothing twice.
        """
        case = CaseRecord(case_id)
        try:
            with _transaction() as transaction:
                transaction.update(
                    ReportRecord(report_id),
                    actions=[ReportRecord.case_id.set(case_id)],
                    condition=ReportRecord.case_id.does_not_exist(),
                )
                transaction.update(
                    case,
                    actions=[
                        CaseRecord.seen_count.add(1),
                        CaseRecord.fingerprint.set(fingerprint),
                        CaseRecord.first_seen.set(CaseRecord.first_seen | now),
                        CaseRecord.last_seen.set(now),
                        CaseRecord.status.set(CaseRecord.status | "open"),
                        CaseRecord.sample_text.set(CaseRecord.sample_text | (sample.text or "")[:500]),
                        CaseRecord.sample_url.set(CaseRecord.sample_url | (sample.url or "")),
                    ],
                )
        except TransactWriteError as error:
            if refused_by_condition(error):
                return False
            raise
        return True

    def finish_check(self, report_id: str, outcome: CheckOutcome, now: datetime) -> bool:
        """Record the check's outcome; False if another delivery finished it first."""
        verdict = outcome.verdict.model_dump_json() if outcome.verdict else None
        suggestions = _SUGGESTIONS.dump_json(outcome.suggestions).decode() if outcome.suggestions else None
        actions: list[Any] = [
            ReportRecord.status.set(outcome.status.value),
            ReportRecord.updated_at.set(now),
            ReportRecord.pending_shard.remove(),
            ReportRecord.verdict_json.set(verdict) if verdict else ReportRecord.verdict_json.remove(),
            ReportRecord.suggestions_json.set(suggestions) if suggestions else ReportRecord.suggestions_json.remove(),
        ]
        try:
            ReportRecord(report_id).update(
                actions=actions,
                condition=ReportRecord.status == ReportStatus.checking.value,
            )
        except UpdateError as error:
            if refused_by_condition(error):
                return False
            raise
        return True

    def of_day(self, day: date) -> Iterator[ExportRow]:
        """Every report received on a WIB day as export rows, by time then id: the shards, merged.

        Reads the day index a page at a time, so memory stays flat however busy the day was.
        """
        shards = [
            (_row(record) for record in ReportRecord.by_day.query(f"{day.isoformat()}#{shard}"))
            for shard in range(DAY_SHARDS)
        ]
        return merge_shards(shards)

    def stale_pending(self, updated_before: datetime, limit: int) -> list[str]:
        """Ids of reports still waiting for a check and untouched since ``updated_before``."""
        found: list[str] = []
        for shard in range(PENDING_SHARDS):
            for record in ReportRecord.pending.query(
                str(shard), ReportRecord.updated_at < updated_before, limit=limit - len(found)
            ):
                found.append(record.id)
            if len(found) >= limit:
                break
        return found


def _row(record: ReportRecord) -> ExportRow:
    verdict = Verdict.model_validate_json(record.verdict_json) if record.verdict_json else None
    claim = verdict.claim if verdict else None
    return export_row(
        report_id=record.id,
        received_at=record.received_at,
        platform=record.platform,
        province=record.province,
        text=record.text,
        url=record.url,
        case_id=record.case_id,
        status=record.status,
        label=verdict.label.value if verdict and verdict.label else None,
        decided_by=verdict.decided_by if verdict else None,
        claim_id=claim.id if claim else None,
        claim_url=claim.url if claim else None,
    )


class ContactStore:
    """Sealed reporter contacts (personal data): read only for the partner that submitted them."""

    def sealed(self, report_id: str) -> str | None:
        try:
            return str(ContactRecord.get(report_id, consistent_read=True).sealed)
        except ContactRecord.DoesNotExist:
            return None


class CaseStore:
    """Cases: reports of the same content, counted."""

    def samples(self, case_ids: list[str]) -> dict[str, tuple[str | None, str | None]]:
        """The sample text and link of each case (what the case is about), by id."""
        found = CaseRecord.batch_get(case_ids, attributes_to_get=["id", "sample_text", "sample_url"])
        return {record.id: (record.sample_text or None, record.sample_url or None) for record in found}

    def seen_count(self, case_id: str) -> int:
        try:
            return int(CaseRecord.get(case_id, attributes_to_get=["seen_count"]).seen_count)
        except CaseRecord.DoesNotExist:
            return 0
