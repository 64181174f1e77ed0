"""The audit trail in DynamoDB: entries are only ever added."""

from __future__ import annotations

import json
from datetime import date

from pynamodb.transactions import TransactWrite

from chalicelib.domain.exports import wib_day_of
from chalicelib.domain.models import AuditAction, AuditEntry
from chalicelib.store.tables import AuditRecord


def _record(entry: AuditEntry) -> AuditRecord:
    return AuditRecord(
        wib_day_of(entry.at).isoformat(),
        entry.id,
        at=entry.at,
        actor=entry.actor,
        actor_partner_id=entry.actor_partner_id,
        action=entry.action.value,
        target=entry.target,
        before_json=json.dumps(entry.before, ensure_ascii=False) if entry.before is not None else None,
        after_json=json.dumps(entry.after, ensure_ascii=False) if entry.after is not None else None,
    )


def _entry(record: AuditRecord) -> AuditEntry:
    return AuditEntry(
        id=record.id,
        at=record.at,
        actor=record.actor,
        actor_partner_id=record.actor_partner_id,
        action=AuditAction(record.action),
        target=record.target,
        before=json.loads(record.before_json) if record.before_json else None,
        after=json.loads(record.after_json) if record.after_json else None,
    )


def record_in(writes: TransactWrite, entry: AuditEntry) -> None:
    """Add an entry as part of another store's transaction: the change and its record happen together."""
    writes.save(_record(entry), condition=AuditRecord.id.does_not_exist())


class AuditStore:
    """The only code that touches the audit trail: it adds entries and reads them, nothing else."""

    def add(self, entry: AuditEntry) -> None:
        _record(entry).save(condition=AuditRecord.id.does_not_exist())

    def of_day(self, day: date, before: str | None, limit: int) -> list[AuditEntry]:
        """A WIB day's entries, newest first, older than the entry id ``before``."""
        condition = AuditRecord.id < before if before else None
        found = AuditRecord.query(day.isoformat(), condition, scan_index_forward=False, limit=limit)
        return [_entry(record) for record in found]

    def of_target(self, target: str, before: str | None, limit: int) -> list[AuditEntry]:
        """Every entry about one case, claim or key, newest first."""
        condition = AuditRecord.id < before if before else None
        found = AuditRecord.by_target.query(target, condition, scan_index_forward=False, limit=limit)
        return [_entry(record) for record in found]
