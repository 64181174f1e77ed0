"""Use cases of fact-checked claims."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from chalicelib.domain.audit import CLI, Actor, audit_entry
from chalicelib.domain.checking import claim_match, merged
from chalicelib.domain.claim_formats import has_unknown_rating
from chalicelib.domain.ids import claim_id_for
from chalicelib.domain.matching.documents import ClaimDoc
from chalicelib.domain.models import (
    AuditAction,
    ClaimInput,
    ClaimPage,
    ClaimPatch,
    ClaimView,
    Label,
    LookupRequest,
    LookupResult,
    MatchLevel,
    PictureStatus,
)
from chalicelib.services.claim_index import current_index
from chalicelib.services.errors import InvalidField, PicturesNotReady
from chalicelib.services.paging import offset_cursor, offset_of
from chalicelib.store import stores


def _save_claim(claim_id: str, claim: ClaimInput, before: ClaimView | None, actor: Actor) -> ClaimView:
    """Save a claim with its audit entry; the claims table's stream brings it to the matching index after."""
    now = datetime.now(UTC)
    action = AuditAction.claim_updated if before else AuditAction.claim_created
    after = ClaimView(**claim.model_dump(), id=claim_id, updated_at=now, images=before.images if before else [])
    audit = audit_entry(actor, action, claim_id, before=before, after=after, at=now)
    stores().claims.put(claim_id, claim, now, audit)
    return after


LOOKUP_PICTURE_WAIT_SECONDS = 5.0  # a lookup waits this long at most for its pictures' analysis


def lookup_claims(request: LookupRequest, partner_id: str) -> LookupResult:
    """Claims that may debunk a text, link or pictures, best first; answered from the loaded index only.

    Pictures must be uploads of the caller's partner, analysed already (or within a few seconds).
    """
    since = request.since.isoformat() if request.since else None
    text, hashes = request.text, []
    if request.images:
        from chalicelib.services.pictures import (
            PicturesWaiting,
            analysed_pictures,
            hashes_to_match,
            text_with_pictures,
        )
        from chalicelib.services.uploads import verify_uploads

        verify_uploads(request.images, partner_id)
        try:
            pictures = analysed_pictures(request.images, wait_seconds=LOOKUP_PICTURE_WAIT_SECONDS)
        except PicturesWaiting:
            raise PicturesNotReady() from None
        text, hashes = text_with_pictures(request.text, pictures), hashes_to_match(pictures)
    index = current_index()
    found = merged(
        index.search(text=text, url=request.url, limit=request.limit, since=since),
        index.search_pictures(hashes, limit=request.limit, since=since),
    )[: request.limit]
    matches = [claim_match(match) for match in found]
    hint = matches[0].claim.label if matches and matches[0].level is MatchLevel.match else None
    return LookupResult(matches=matches, verdict_hint=hint)


@dataclass
class ImportReport:
    """What an import did: good rows saved (new or changed) or left as they were, bad rows named by
    line and reason, and how many claims carry a rating the label table does not know."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    unknown_ratings: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def saved(self) -> int:
        return self.added + self.updated

    def summary(self) -> dict[str, int]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "unknown_ratings": self.unknown_ratings,
            "problems": len(self.problems),
        }


IMPORT_BATCH = 100


def import_claims(
    rows: Iterable[tuple[int, ClaimInput | str]],
    progress: Callable[[int], None] | None = None,
    actor: Actor = CLI,
    source: str | None = None,
) -> ImportReport:
    """Save every valid row (by external id: a re-import updates, never duplicates).

    A claim already stored with the same fields is left alone (no write, so no index change): an
    import run twice changes nothing the second time. The audit trail gets one entry for the
    import (its source and counts), not one per claim.
    """
    report = ImportReport()
    pending: dict[str, ClaimInput] = {}  # by claim id: the last row of an external id wins

    def flush() -> None:
        stored = {view.id: view for view in stores().claims.get_many(list(pending))}
        changed = []
        for claim_id, claim in pending.items():
            before = stored.get(claim_id)
            if before is None:
                report.added += 1
            elif ClaimInput.model_validate(before.model_dump(include=set(ClaimInput.model_fields))) == claim:
                report.unchanged += 1
                continue
            else:
                report.updated += 1
            changed.append((claim_id, claim))
        if changed:
            stores().claims.put_many(changed, datetime.now(UTC))
        pending.clear()
        if progress:
            progress(report.saved + report.unchanged + len(report.problems))

    for line, row in rows:
        if isinstance(row, str):
            report.problems.append((line, row))
            continue
        report.unknown_ratings += has_unknown_rating(row)
        pending[claim_id_for(row.external_id)] = row
        if len(pending) >= IMPORT_BATCH:
            flush()
    flush()
    now = datetime.now(UTC)
    summary = {"source": source, **report.summary()}
    audit = audit_entry(actor, AuditAction.claims_imported, "claims_import", before=None, after=summary, at=now)
    stores().audit.add(audit)
    return report


def create_claim(claim: ClaimInput, actor: Actor) -> ClaimView:
    """Save a claim by its external id (the same external id again updates it) and return it as stored."""
    claim_id = claim_id_for(claim.external_id)
    return _save_claim(claim_id, claim, stores().claims.get(claim_id), actor)


def update_claim(claim_id: str, patch: ClaimPatch, actor: Actor) -> ClaimView | None:
    """Change the given fields of a claim; None when there is no such claim."""
    current = stores().claims.get(claim_id)
    if current is None:
        return None
    changed = ClaimInput.model_validate(
        {**current.model_dump(include=set(ClaimInput.model_fields)), **patch.model_dump(exclude_unset=True)}
    )
    return _save_claim(claim_id, changed, current, actor)


def add_claim_picture(claim_id: str, upload_id: str, partner_id: str, actor: Actor) -> ClaimView | None:
    """Give a claim one more picture (an analysed upload of the caller's): its hashes join the image
    index and its text the claim's texts. None when there is no such claim."""
    from chalicelib.adapters import uploads
    from chalicelib.services.pictures import PicturesWaiting, analysed_pictures
    from chalicelib.services.uploads import verify_uploads

    before = stores().claims.get(claim_id)
    if before is None:
        return None
    verify_uploads([upload_id], partner_id, fields=["upload_id"])
    try:
        (picture,) = analysed_pictures([upload_id], wait_seconds=LOOKUP_PICTURE_WAIT_SECONDS)
    except PicturesWaiting:
        raise PicturesNotReady() from None
    if picture.status is not PictureStatus.processed or picture.sha256 is None or picture.picture_key is None:
        raise InvalidField("upload_id", f"Gambar ditolak: {picture.reason or 'tidak dapat dibaca'}")
    key = uploads.claim_picture_key(claim_id, picture.sha256, picture.picture_key)
    uploads.copy(picture.picture_key, key)  # kept with the claim: a report's copy is deleted on schedule
    stored = {
        "sha256": picture.sha256,
        "width": picture.width,
        "height": picture.height,
        "hashes": list(picture.hashes),
        "quality": picture.quality,
        "text": picture.text,
        "key": key,
    }
    now = datetime.now(UTC)
    audit = audit_entry(
        actor, AuditAction.claim_picture_added, claim_id, before=None, after={"sha256": picture.sha256}, at=now
    )
    stores().claims.add_picture(claim_id, stored, now, audit)
    return stores().claims.get(claim_id)


def get_claim(claim_id: str) -> ClaimView | None:
    return stores().claims.get(claim_id)


def list_claims(q: str | None, label: Label | None, since: date | None, cursor: str | None, limit: int) -> ClaimPage:
    """Claims matching a text (best first) or all of them (newest first), filtered, a page at a time.

    Answered from the loaded index and one batched read of the page; never a table scan.
    """
    offset = offset_of(cursor)
    index = current_index()
    docs: Iterable[ClaimDoc]
    if q:
        docs = [match.claim for match in index.search(text=q, limit=SEARCH_DEPTH)]
    else:
        docs = (index.doc(n) for n in index.newest_first())
    since_text = since.isoformat() if since else None
    wanted = (
        doc.id
        for doc in docs
        if (label is None or doc.label == label.value) and (since_text is None or (doc.date or "") >= since_text)
    )
    window = list(itertools.islice(wanted, offset, offset + limit + 1))  # one more tells if a next page exists
    page = window[:limit]
    more = len(window) > limit
    return ClaimPage(claims=stores().claims.get_many(page), next_cursor=offset_cursor(offset + limit) if more else None)


SEARCH_DEPTH = 100  # a text search pages through its best 100 claims at most
