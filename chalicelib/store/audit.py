"""The audit trail in DynamoDB: entries are only ever added."""

from __future__ import annotations

import json
from datetime import date, datetime

from pynamodb.transactions import TransactWrite

from chalicelib.domain.audit_chain import Link, Seal, genesis
from chalicelib.domain.exports import wib_day_of
from chalicelib.domain.models import AuditAction, AuditEntry
from chalicelib.store.tables import AuditChainRecord, AuditRecord, committed


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

    def get(self, day: date, entry_id: str) -> AuditEntry | None:
        try:
            return _entry(AuditRecord.get(day.isoformat(), entry_id, consistent_read=True))
        except AuditRecord.DoesNotExist:
            return None

    def whole_day(self, day: date) -> list[AuditEntry]:
        """Every entry of a WIB day, oldest first (the day's verification reads them all)."""
        return [_entry(record) for record in AuditRecord.query(day.isoformat())]

    def of_target(self, target: str, before: str | None, limit: int) -> list[AuditEntry]:
        """Every entry about one case, claim or key, newest first."""
        condition = AuditRecord.id < before if before else None
        found = AuditRecord.by_target.query(target, condition, scan_index_forward=False, limit=limit)
        return [_entry(record) for record in found]


HEAD, SEAL = "head", "seal"


class AuditChainStore:
    """The hash chain of the audit trail: links are added, the head moves with them, a seal is put once."""

    def head(self, day: date) -> tuple[int, str]:
        """(links so far, the last one's hash); (0, the genesis) for a day without links."""
        try:
            record = AuditChainRecord.get(day.isoformat(), HEAD, consistent_read=True)
        except AuditChainRecord.DoesNotExist:
            return 0, genesis(day)
        return int(record.seq), str(record.hash)

    def is_linked(self, day: date, entry_id: str) -> bool:
        try:
            AuditChainRecord.get(day.isoformat(), entry_id, consistent_read=True, attributes_to_get=["seq"])
        except AuditChainRecord.DoesNotExist:
            return False
        return True

    def add_link(self, day: date, link: Link) -> bool:
        """The link and the day's head moved to it, together; False when the head moved meanwhile (or the
        entry is linked already)."""
        key = day.isoformat()

        def write(writes: TransactWrite) -> None:
            writes.save(
                AuditChainRecord(key, link.entry_id, seq=link.seq, previous=link.previous, hash=link.hash),
                condition=AuditChainRecord.entry_id.does_not_exist(),
            )
            head_is = (
                AuditChainRecord.entry_id.does_not_exist() if link.seq == 1 else AuditChainRecord.seq == link.seq - 1
            )
            writes.save(AuditChainRecord(key, HEAD, seq=link.seq, hash=link.hash), condition=head_is)

        return committed(write)

    def links(self, day: date) -> list[Link]:
        found = AuditChainRecord.query(day.isoformat(), AuditChainRecord.entry_id.startswith("aud_"))
        return [Link(str(r.entry_id), int(r.seq), str(r.previous), str(r.hash)) for r in found]

    def seal(self, day: date) -> tuple[Seal, str] | None:
        """The day's seal and the key that signed it, or None."""
        import base64

        try:
            record = AuditChainRecord.get(day.isoformat(), SEAL, consistent_read=True)
        except AuditChainRecord.DoesNotExist:
            return None
        return Seal(int(record.seq), str(record.hash), base64.b64decode(record.signature or "")), str(record.key_id)

    def put_seal(self, day: date, seal: Seal, key_id: str, at: datetime) -> bool:
        """False when the day was sealed before (a seal is never replaced)."""
        import base64

        record = AuditChainRecord(
            day.isoformat(),
            SEAL,
            seq=seal.count,
            hash=seal.last_hash,
            signature=base64.b64encode(seal.signature).decode(),
            key_id=key_id,
            at=at,
        )
        return committed(lambda writes: writes.save(record, condition=AuditChainRecord.entry_id.does_not_exist()))
