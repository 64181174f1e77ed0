"""The picture worker's use case: one upload in, a clean copy with its hashes and text out (or a refusal).

Runs in the picture function only (it imports Pillow, pdqhash and calls Tesseract). Safe to run
twice for one upload: the second run finds the result and only finishes the clean-up.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.adapters import uploads
from chalicelib.config import get_settings
from chalicelib.domain.models.pictures import MAX_UPLOAD_BYTES, PictureStatus
from chalicelib.domain.pictures import MIN_QUALITY, group_entries, nearest_group, text_signature
from chalicelib.observability import count, logger
from chalicelib.pictures.ocr import read_text
from chalicelib.pictures.processing import PictureRefused, clean, picture_hashes
from chalicelib.store import stores
from chalicelib.store.pictures import StoredPicture


def process_upload(key: str, now: datetime | None = None) -> PictureStatus | None:
    """Analyse the upload at ``key``: processed, refused, or None when there was nothing to do."""
    owner_and_id = uploads.upload_of(key)
    if owner_and_id is None:
        logger.warning("not an upload key, ignored", extra={"key": key})
        return None
    owner, upload_id = owner_and_id
    if stores().pictures.get(upload_id) is not None:  # done before; a crash may have left the upload
        uploads.delete(key)
        return None
    data = uploads.read(key, MAX_UPLOAD_BYTES)
    if data is None:
        return None
    now = now or datetime.now(UTC)
    expires_at = now + timedelta(days=get_settings().picture_retention_days)
    try:
        picture = clean(data)
    except PictureRefused as refused:
        stores().pictures.save(
            StoredPicture(upload_id, owner, PictureStatus.refused, now, expires_at, reason=refused.reason)
        )
        uploads.delete(key)
        count("PicturesRefused")
        logger.info("picture refused", extra={"upload_id": upload_id, "reason": refused.reason})
        return PictureStatus.refused
    hashed = picture_hashes(picture.image)
    text = read_text(picture.image)
    group = _group_of(picture.sha256, hashed.hashes[1] if hashed.quality >= MIN_QUALITY else None, text, expires_at)
    picture_key = uploads.report_picture_key(upload_id, picture.content_type)
    uploads.store(picture_key, picture.data, picture.content_type)  # the clean copy first: the record names it
    stores().pictures.save(
        StoredPicture(
            upload_id,
            owner,
            PictureStatus.processed,
            now,
            expires_at,
            sha256=picture.sha256,
            width=picture.image.width,
            height=picture.image.height,
            hashes=hashed.hashes,
            quality=hashed.quality,
            text=text or None,
            picture_key=picture_key,
            group=group,
        )
    )
    uploads.delete(key)  # the upload as sent, metadata and all, is gone once the clean copy is kept
    count("PicturesProcessed")
    logger.info("picture processed", extra={"upload_id": upload_id, "characters_read": len(text)})
    return PictureStatus.processed


def _group_of(sha256: str, canonical: str | None, text: str, expires_at: datetime) -> str:
    """The group of near copies this picture belongs to: an earlier one's, or a new one of its own.

    Near by its canonical hash (``canonical``: None for a nearly empty picture) or by the text read
    in it. Two near copies analysed at the same moment may each start a group (their reports are
    then two cases, as two different pictures would be); a later copy joins one of them.
    """
    signature = text_signature(text)
    entries = group_entries(canonical, signature)
    if not entries:  # nothing to tell copies by: only the same bytes are the same picture
        return sha256
    found = stores().picture_groups.candidates(sorted({band for band, _ in entries}))
    group = nearest_group(canonical, signature, found)
    if group is None:
        group = sha256
        stores().picture_groups.add(group, entries, expires_at)
    return group
