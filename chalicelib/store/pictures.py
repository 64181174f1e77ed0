"""Pictures as the worker analysed them, one item per upload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.models.pictures import PictureStatus
from chalicelib.store.tables import PictureBandRecord, PictureRecord


@dataclass(frozen=True)
class StoredPicture:
    upload_id: str
    owner: str
    status: PictureStatus  # processed or refused (a waiting picture has no item yet)
    processed_at: datetime
    expires_at: datetime
    reason: str | None = None
    sha256: str | None = None
    width: int | None = None
    height: int | None = None
    hashes: tuple[str, ...] = ()
    quality: int | None = None
    text: str | None = None
    picture_key: str | None = None
    group: str | None = None


class PictureStore:
    def save(self, picture: StoredPicture) -> None:
        """Write (or rewrite: the worker may run twice for one upload, with the same result)."""
        PictureRecord(
            upload_id=picture.upload_id,
            owner=picture.owner,
            status=picture.status.value,
            reason=picture.reason,
            sha256=picture.sha256,
            width=picture.width,
            height=picture.height,
            hashes=list(picture.hashes) or None,
            quality=picture.quality,
            text=picture.text,
            picture_key=picture.picture_key,
            group=picture.group,
            processed_at=picture.processed_at,
            expires_at=picture.expires_at,
        ).save()

    def get(self, upload_id: str) -> StoredPicture | None:
        try:
            return _picture(PictureRecord.get(upload_id, consistent_read=True))
        except PictureRecord.DoesNotExist:
            return None

    def get_many(self, upload_ids: list[str]) -> dict[str, StoredPicture]:
        """The analysed ones among these uploads, by upload id."""
        if not upload_ids:
            return {}
        return {record.upload_id: _picture(record) for record in PictureRecord.batch_get(upload_ids)}


def _picture(record: PictureRecord) -> StoredPicture:
    return StoredPicture(
        upload_id=record.upload_id,
        owner=record.owner,
        status=PictureStatus(record.status),
        processed_at=record.processed_at,
        expires_at=record.expires_at,
        reason=record.reason,
        sha256=record.sha256,
        width=int(record.width) if record.width is not None else None,
        height=int(record.height) if record.height is not None else None,
        hashes=tuple(str(h) for h in record.hashes or ()),
        quality=int(record.quality) if record.quality is not None else None,
        text=record.text,
        picture_key=record.picture_key,
        group=record.group,
    )


class PictureGroupStore:
    """Groups of near copies of one picture, found by the bands of their canonical hashes."""

    def candidates(self, bands: list[str]) -> list[tuple[str, str]]:
        """(group, the value it was filed with) for every group sharing one of these bands."""
        found: set[tuple[str, str]] = set()
        for band in bands:
            found.update((record.group, record.hash) for record in PictureBandRecord.query(band))
        return sorted(found)

    def add(self, group: str, entries: list[tuple[str, str]], expires_at: datetime) -> None:
        """File a new group under each of its (band, value) entries (writing it twice changes nothing)."""
        with PictureBandRecord.batch_write() as batch:
            for band, value in entries:
                batch.save(PictureBandRecord(band, group, hash=value, expires_at=expires_at))
