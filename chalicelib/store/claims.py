"""Fact-checked claims and their exact-match keys in DynamoDB."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.models import ClaimInput, ClaimSummary, Label
from chalicelib.store.tables import ClaimKeyRecord, ClaimRecord


class ClaimStore:
    """The only code that reads or writes claims."""

    def put(self, claim_id: str, claim: ClaimInput, keys: set[str], now: datetime) -> None:
        """Create or replace a claim and make ``keys`` (and only those) point at it."""
        try:
            old_keys = set(ClaimRecord.get(claim_id).match_keys or [])
        except ClaimRecord.DoesNotExist:
            old_keys = set()
        ClaimRecord(
            claim_id,
            external_id=claim.external_id,
            title=claim.title,
            text=claim.text,
            label=claim.label.value,
            publisher_label=claim.publisher_label,
            date=claim.date,
            url=claim.url,
            publisher=claim.publisher,
            topic=claim.topic,
            appearance_urls=list(claim.appearance_urls),
            match_keys=sorted(keys),
            updated_at=now,
        ).save()
        with ClaimKeyRecord.batch_write() as batch:
            for added in keys - old_keys:
                batch.save(ClaimKeyRecord(added, claim_id))
            for removed in old_keys - keys:
                batch.delete(ClaimKeyRecord(removed, claim_id))

    def find_by_key(self, key: str) -> list[ClaimSummary]:
        """Claims one exact-match key points at."""
        claim_ids = [str(record.claim_id) for record in ClaimKeyRecord.query(key)]
        if not claim_ids:
            return []
        return [
            ClaimSummary(id=record.id, title=record.title, label=Label(record.label), url=record.url)
            for record in ClaimRecord.batch_get(claim_ids)
        ]
