"""Fact-checked claims in DynamoDB."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pynamodb.transactions import TransactWrite

from chalicelib.domain.matching.documents import AnalysedClaim, ClaimDoc, analyse_claim
from chalicelib.domain.models import AuditEntry, ClaimInput, ClaimView, PictureStatus, PictureView
from chalicelib.domain.pictures import matchable_text, text_excerpt
from chalicelib.store.audit import record_in
from chalicelib.store.tables import ClaimRecord, transaction


class ClaimStore:
    """The only code that reads or writes claims."""

    def put(self, claim_id: str, claim: ClaimInput, now: datetime, audit: AuditEntry) -> None:
        """Create or replace a claim, and record the change, together."""
        with transaction() as writes:
            writes.save(_record(claim_id, claim, now, self._pictures([claim_id]).get(claim_id)))
            record_in(writes, audit)

    def put_in(self, writes: TransactWrite, claim_id: str, claim: ClaimInput, now: datetime) -> None:
        """Create or replace a claim as part of another change (a case's verdict)."""
        writes.save(_record(claim_id, claim, now, self._pictures([claim_id]).get(claim_id)))

    def put_many(self, claims: list[tuple[str, ClaimInput]], now: datetime) -> None:
        """Create or replace many claims in batched writes (25 an API call)."""
        kept: dict[str, str] = {}
        for start in range(0, len(claims), 100):
            kept |= self._pictures([claim_id for claim_id, _ in claims[start : start + 100]])
        with ClaimRecord.batch_write() as batch:
            for claim_id, claim in claims:
                batch.save(_record(claim_id, claim, now, kept.get(claim_id)))

    def add_picture(self, claim_id: str, picture: dict[str, Any], now: datetime, audit: AuditEntry) -> bool:
        """Add a picture (its hashes, text read and clean copy's key) to a claim, re-analysed with the
        picture's text; False when there is no such claim. A picture already there is not added twice."""
        try:
            record = ClaimRecord.get(claim_id, consistent_read=True)
        except ClaimRecord.DoesNotExist:
            return False
        pictures = json.loads(record.pictures_json) if record.pictures_json else []
        if all(known["sha256"] != picture["sha256"] for known in pictures):
            pictures.append(picture)
        record.pictures_json = json.dumps(pictures)
        record.analysis = analyse_claim(_doc(record)).stored()
        record.updated_at = now
        with transaction() as writes:
            writes.save(record)
            record_in(writes, audit)
        return True

    def _pictures(self, claim_ids: list[str]) -> dict[str, str]:
        """The stored pictures of these claims (a replaced claim keeps its pictures)."""
        return {
            record.id: record.pictures_json
            for record in ClaimRecord.batch_get(claim_ids, attributes_to_get=["id", "pictures_json"])
            if record.pictures_json
        }

    def get(self, claim_id: str) -> ClaimView | None:
        try:
            return _view(ClaimRecord.get(claim_id, consistent_read=True))
        except ClaimRecord.DoesNotExist:
            return None

    def get_many(self, claim_ids: list[str]) -> list[ClaimView]:
        """Claims by id (at most 100), in the order asked; missing ones are left out."""
        found = {record.id: _view(record) for record in ClaimRecord.batch_get(claim_ids)}
        return [found[claim_id] for claim_id in claim_ids if claim_id in found]

    def all_for_index(self) -> Iterator[AnalysedClaim]:
        """Every claim, as the matching index keeps it.

        A full read: only the index build calls it, never a request.
        """
        for record in ClaimRecord.scan():
            yield _analysed(record)

    def analysed(self, claim_ids: list[str]) -> dict[str, AnalysedClaim]:
        """These claims as the matching index keeps them, by id; missing ones are left out."""
        found: dict[str, AnalysedClaim] = {}
        for start in range(0, len(claim_ids), 100):
            for record in ClaimRecord.batch_get(claim_ids[start : start + 100]):
                found[record.id] = _analysed(record)
        return found


def _doc(record: ClaimRecord) -> ClaimDoc:
    pictures = json.loads(record.pictures_json) if record.pictures_json else []
    picture_texts = [matchable_text(picture["text"]) for picture in pictures if picture.get("text")]
    return ClaimDoc(
        id=record.id,
        external_id=record.external_id,
        title=record.title,
        label=record.label,
        url=record.url,
        date=record.date,
        texts=tuple(str(t) for t in [record.text, *(record.variants or []), *picture_texts] if t),
        appearance_urls=tuple(str(url) for url in record.appearance_urls or []),
        pictures=tuple(tuple(picture["hashes"]) for picture in pictures if picture.get("hashes")),
    )


def _analysed(record: ClaimRecord) -> AnalysedClaim:
    return AnalysedClaim.restored(_doc(record), record.analysis)


def _record(claim_id: str, claim: ClaimInput, now: datetime, pictures_json: str | None = None) -> ClaimRecord:
    record = ClaimRecord(
        claim_id,
        external_id=claim.external_id,
        title=claim.title,
        text=claim.text,
        variants=list(claim.variants),
        label=claim.label.value,
        summary=claim.summary,
        publisher_label=claim.publisher_label,
        date=claim.date,
        url=claim.url,
        publisher=claim.publisher,
        topic=claim.topic,
        language=claim.language,
        province=claim.province,
        appearance_urls=list(claim.appearance_urls),
        appearance_image_urls=list(claim.appearance_image_urls) or None,
        pictures_json=pictures_json,
        updated_at=now,
    )
    record.analysis = analyse_claim(_doc(record)).stored()
    return record


def _view(record: ClaimRecord) -> ClaimView:
    return ClaimView(
        id=record.id,
        external_id=record.external_id,
        title=record.title,
        text=record.text,
        variants=list(record.variants or []),
        label=record.label,
        summary=record.summary,
        publisher_label=record.publisher_label,
        date=record.date,
        url=record.url,
        publisher=record.publisher,
        topic=record.topic,
        language=record.language or "id",
        province=record.province,
        appearance_urls=list(record.appearance_urls or []),
        appearance_image_urls=[str(url) for url in record.appearance_image_urls or []],
        updated_at=record.updated_at,
        images=[claim_picture_view(picture) for picture in json.loads(record.pictures_json or "[]")],
    )


def claim_picture_view(picture: dict[str, Any]) -> PictureView:
    """A claim's picture as the API shows it (the text read, shortened)."""
    text = picture.get("text") or None
    return PictureView(
        status=PictureStatus.processed,
        sha256=picture["sha256"],
        width=picture.get("width"),
        height=picture.get("height"),
        phash=picture["hashes"][0] if picture.get("hashes") else None,
        text_excerpt=text_excerpt(text),
    )
