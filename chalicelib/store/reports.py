"""Reports and their sealed contacts in DynamoDB."""

from __future__ import annotations

import base64
import contextvars
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import TypeAdapter
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.config import get_settings
from chalicelib.domain.checking import CheckOutcome
from chalicelib.domain.exports import ExportPicture, ExportRow, export_row, merge_shards, wib_day_of
from chalicelib.domain.models import CaseReport, ClaimMatch, PictureStatus, ReportStatus, Verdict
from chalicelib.domain.public import PUBLIC_PARTNER_ID
from chalicelib.store.cases import count_in_case
from chalicelib.store.tables import (
    DAY_SHARDS,
    PENDING_SHARDS,
    ContactRecord,
    ReportRecord,
    committed,
    refused_by_condition,
    shard_of,
    untouched_since,
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
    images: tuple[str, ...] = ()  # upload ids


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
    images: tuple[str, ...] = ()  # upload ids
    checked_at: datetime | None = None


@dataclass(frozen=True)
class SealedContact:
    sealed: str
    expires_at: datetime


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
        checked_at=record.checked_at,
        has_contact=bool(record.has_contact),
        platform=record.platform,
        province=record.province,
        images=tuple(str(i) for i in record.images or ()),
    )


def report_from_stream_image(image: dict[str, Any]) -> StoredReport:
    """A report as one of the reports stream's images (DynamoDB JSON) shows it."""
    record = ReportRecord.from_raw_data(image)
    return _stored(record)


def _pending_shard(report_id: str) -> str:
    return str(shard_of(report_id, PENDING_SHARDS))


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
            images=list(report.images) or None,
            has_contact=contact is not None,
            request_hash=report.request_hash,
            check_attempts=0,
            pending_shard=_pending_shard(report.id),
            day_shard=f"{wib_day_of(report.received_at).isoformat()}#{shard_of(report.id, DAY_SHARDS)}",
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

        def write(writes: TransactWrite) -> None:
            writes.save(record, condition=is_new)
            writes.save(sealed)

        return committed(write)

    def get(self, report_id: str) -> StoredReport | None:
        try:
            return _stored(ReportRecord.get(report_id, consistent_read=True))
        except ReportRecord.DoesNotExist:
            return None

    def get_many(self, report_ids: list[str]) -> list[StoredReport]:
        """Reports by id (any number, read 100 at a time), in the order asked; missing ones are left out."""
        found: dict[str, StoredReport] = {}
        for start in range(0, len(report_ids), 100):
            for record in ReportRecord.batch_get(report_ids[start : start + 100]):
                found[record.id] = _stored(record)
        return [found[report_id] for report_id in report_ids if report_id in found]

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

    def assign_case(
        self,
        report_id: str,
        case_id: str,
        *,
        fingerprint: str,
        sample: StoredReport,
        suggestions: list[ClaimMatch],
        needs_review: bool,
        now: datetime,
    ) -> bool:
        """Put the report in its case and count it there, both or neither.

        A new case takes the report's content as its sample and the engine's suggestions for it. A
        case enters the review queue (the status index) with its first report that needs a human.
        False when the report already had a case: a redelivered check counts nothing twice.
        """

        def write(writes: TransactWrite) -> None:
            writes.update(
                ReportRecord(report_id),
                actions=[ReportRecord.case_id.set(case_id)],
                condition=ReportRecord.case_id.does_not_exist(),
            )
            count_in_case(
                writes,
                case_id,
                fingerprint=fingerprint,
                sample=(sample.text, sample.url, sample.images),
                suggestions=suggestions,
                needs_review=needs_review,
                now=now,
                public=sample.partner_id == PUBLIC_PARTNER_ID,
            )

        return committed(write)

    def check_into_case(
        self,
        report_id: str,
        case_id: str,
        *,
        fingerprint: str,
        sample: StoredReport,
        outcome: CheckOutcome,
        now: datetime,
    ) -> bool:
        """Put the report in its case, count it there and record the check's outcome, all in one write.

        The common path of a check: refused (False, nothing written) when the case has a verdict
        applied (the report takes that instead), or the report has a case or is no longer being
        checked (a redelivery); ``assign_case`` then ``finish_check`` handle those.
        """

        def write(writes: TransactWrite) -> None:
            writes.update(
                ReportRecord(report_id),
                actions=[ReportRecord.case_id.set(case_id), *_outcome_actions(outcome, now)],
                condition=ReportRecord.case_id.does_not_exist() & (ReportRecord.status == ReportStatus.checking.value),
            )
            count_in_case(
                writes,
                case_id,
                fingerprint=fingerprint,
                sample=(sample.text, sample.url, sample.images),
                suggestions=outcome.suggestions,
                needs_review=outcome.status is ReportStatus.needs_review,
                now=now,
                unless_decided=True,
                public=sample.partner_id == PUBLIC_PARTNER_ID,
            )

        return committed(write)

    def finish_check(self, report_id: str, outcome: CheckOutcome, now: datetime) -> bool:
        """Record the check's outcome; False if another delivery finished it first."""
        try:
            ReportRecord(report_id).update(
                actions=_outcome_actions(outcome, now),
                condition=ReportRecord.status == ReportStatus.checking.value,
            )
        except UpdateError as error:
            if refused_by_condition(error):
                return False
            raise
        return True

    def in_case(self, case_id: str, after: str | None, limit: int) -> tuple[list[CaseReport], str | None]:
        """A page of a case's reports, oldest first, and the cursor of the next page (None at the end).

        Raises ValueError for a cursor this store did not hand out.
        """
        start = _case_page_key(case_id, after) if after else None
        page = ReportRecord.by_case.query(case_id, limit=limit, last_evaluated_key=start)
        reports = [
            CaseReport(
                id=record.id,
                status=ReportStatus(record.status),
                received_at=record.received_at,
                platform=record.platform,
                province=record.province,
                verdict=Verdict.model_validate_json(record.verdict_json) if record.verdict_json else None,
            )
            for record in page
        ]
        last = page.last_evaluated_key
        return reports, (_case_page_cursor(last) if last else None)

    def apply_verdict(self, report_ids: list[str], verdict: Verdict, version: int, now: datetime) -> int:
        """Give these reports a fact-checker's verdict (one conditional update each, ``verdict_writers`` at a time:
        DynamoDB has no batched update).

        A report that already carries this version or a newer one is left alone, so a page done
        twice (a resumed job) changes nothing twice. Returns how many reports changed.
        """
        verdict_json = verdict.model_dump_json()

        def apply(report_id: str) -> bool:
            try:
                ReportRecord(report_id).update(
                    actions=[
                        ReportRecord.status.set(ReportStatus.reviewed.value),
                        ReportRecord.verdict_json.set(verdict_json),
                        ReportRecord.verdict_version.set(version),
                        ReportRecord.updated_at.set(now),
                        ReportRecord.pending_shard.remove(),
                    ],
                    condition=ReportRecord.id.exists()
                    & (ReportRecord.verdict_version.does_not_exist() | (ReportRecord.verdict_version < version)),
                )
            except UpdateError as error:
                if refused_by_condition(error):
                    return False
                raise
            return True

        with ThreadPoolExecutor(max_workers=get_settings().verdict_writers) as pool:
            # Each update runs in a copy of this context, so what the invocation set (its logging
            # correlation) holds in the writer threads too.
            done = [pool.submit(contextvars.copy_context().run, apply, report_id) for report_id in report_ids]
            return sum(future.result() for future in done)

    def of_day(self, day: date) -> Iterator[ExportRow]:
        """Every report received on a WIB day as export rows, by time then id: the shards, merged.

        Reads the day index a page at a time, so memory stays flat however busy the day was.
        """
        shards = [
            (
                _row(record, _export_pictures(record))
                for record in ReportRecord.by_day.query(f"{day.isoformat()}#{shard}")
            )
            for shard in range(DAY_SHARDS)
        ]
        return merge_shards(shards)

    def stale_pending(self, updated_before: datetime, limit: int) -> list[str]:
        """Ids of reports still waiting for a check and untouched since ``updated_before``."""
        return untouched_since(ReportRecord.pending, PENDING_SHARDS, ReportRecord.updated_at, updated_before, limit)


def _outcome_actions(outcome: CheckOutcome, now: datetime) -> list[Any]:
    """The updates that record a check's outcome on its report."""
    verdict = outcome.verdict.model_dump_json() if outcome.verdict else None
    suggestions = _SUGGESTIONS.dump_json(outcome.suggestions).decode() if outcome.suggestions else None
    actions: list[Any] = [
        ReportRecord.status.set(outcome.status.value),
        ReportRecord.updated_at.set(now),
        ReportRecord.checked_at.set(now),
        ReportRecord.pending_shard.remove(),
        ReportRecord.verdict_json.set(verdict) if verdict else ReportRecord.verdict_json.remove(),
        ReportRecord.suggestions_json.set(suggestions) if suggestions else ReportRecord.suggestions_json.remove(),
    ]
    if outcome.verdict_version is not None:
        actions.append(ReportRecord.verdict_version.set(outcome.verdict_version))
    return actions


def _case_page_cursor(last_key: dict[str, Any]) -> str:
    position = {"r": last_key["received_at"]["S"], "i": last_key["id"]["S"]}
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def _case_page_key(case_id: str, cursor: str) -> dict[str, Any]:
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        received, report_id = str(position["r"]), str(position["i"])
    except (ValueError, KeyError, TypeError):
        raise ValueError("not a cursor of a case's reports") from None
    return {"case_id": {"S": case_id}, "received_at": {"S": received}, "id": {"S": report_id}}


def _export_pictures(record: ReportRecord) -> list[ExportPicture]:
    """The analysed pictures of a report, as its export row shows them (one batched read, only when it has any)."""
    if not record.images:
        return []
    from chalicelib.domain.pictures import text_excerpt
    from chalicelib.store.tables import PictureRecord

    found = {picture.upload_id: picture for picture in PictureRecord.batch_get([str(i) for i in record.images])}
    return [
        ExportPicture(
            picture.sha256 or "", str(picture.hashes[0]) if picture.hashes else "", text_excerpt(picture.text) or ""
        )
        for upload_id in record.images
        if (picture := found.get(str(upload_id))) is not None and picture.status == PictureStatus.processed.value
    ]


def _row(record: ReportRecord, pictures: list[ExportPicture] | None = None) -> ExportRow:
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
        pictures=pictures or [],
    )


class ContactStore:
    """Sealed reporter contacts (personal data): read only for the partner that submitted them."""

    def sealed(self, report_id: str, now: datetime) -> str | None:
        """The sealed contact, or None when there is none or its retention ended.

        DynamoDB's TTL deletes expired items only within days, so expiry is checked here too.
        """
        try:
            record = ContactRecord.get(report_id, consistent_read=True)
        except ContactRecord.DoesNotExist:
            return None
        if record.expires_at <= now:
            return None
        return str(record.sealed)
