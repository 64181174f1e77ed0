"""Pictures as the check, the lookup and the views use them (the worker that makes them is picture_worker.py)."""

from __future__ import annotations

import time
from collections.abc import Callable

from chalicelib.adapters import uploads
from chalicelib.domain.models import PictureStatus, PictureView
from chalicelib.domain.pictures import MIN_QUALITY, matchable_text, text_excerpt
from chalicelib.store import stores
from chalicelib.store.pictures import StoredPicture

WAIT_SECONDS = 8.0  # how long a check or a lookup waits for pictures still being analysed
POLL_SECONDS = 0.25
LINK_SECONDS = 300  # a fact-checker's link to a picture


class PicturesWaiting(RuntimeError):
    """Some pictures are not analysed yet (the worker is behind, or failing): try again later."""


def analysed_pictures(
    upload_ids: tuple[str, ...] | list[str],
    wait_seconds: float = WAIT_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> list[StoredPicture]:
    """The worker's results for these uploads, in their order, waiting a little for the missing ones.

    Raises PicturesWaiting when some are still missing after ``wait_seconds``.
    """
    if not upload_ids:
        return []
    deadline = time.monotonic() + wait_seconds
    while True:
        found = stores().pictures.get_many(list(upload_ids))
        if len(found) == len(upload_ids):
            return [found[upload_id] for upload_id in upload_ids]
        if time.monotonic() >= deadline:
            raise PicturesWaiting(f"{len(upload_ids) - len(found)} of {len(upload_ids)} pictures not analysed yet")
        sleep(POLL_SECONDS)


def text_with_pictures(text: str | None, pictures: list[StoredPicture]) -> str | None:
    """A report's own text followed by the text read in its pictures: what text matching looks at."""
    parts = [
        text or "",
        *(matchable_text(picture.text) for picture in pictures if picture.status is PictureStatus.processed),
    ]
    joined = "\n".join(part for part in parts if part.strip())
    return joined or None


def picture_group(picture: StoredPicture) -> str:
    """What makes two reports' pictures the same for their case: the group of near copies, else the
    clean bytes, else (a refused picture) the upload itself."""
    return picture.group or picture.sha256 or picture.upload_id


def hashes_to_match(pictures: list[StoredPicture]) -> list[tuple[str, ...]]:
    """The hashes of the pictures that say enough to be matched (PDQ's quality at least MIN_QUALITY)."""
    return [
        picture.hashes
        for picture in pictures
        if picture.status is PictureStatus.processed and picture.hashes and (picture.quality or 0) >= MIN_QUALITY
    ]


def picture_views(upload_ids: tuple[str, ...] | list[str], with_links: bool = False) -> list[PictureView]:
    """What a report shows of its pictures; ``with_links``: a short-lived link to each (fact-checkers)."""
    found = stores().pictures.get_many(list(upload_ids))
    return [_view(upload_id, found.get(upload_id), with_links) for upload_id in upload_ids]


def _view(upload_id: str, picture: StoredPicture | None, with_links: bool) -> PictureView:
    if picture is None:
        return PictureView(upload_id=upload_id, status=PictureStatus.waiting)
    if picture.status is not PictureStatus.processed:
        return PictureView(upload_id=upload_id, status=picture.status, reason=picture.reason)
    link = uploads.temporary_link(picture.picture_key, LINK_SECONDS) if with_links and picture.picture_key else None
    return PictureView(
        upload_id=upload_id,
        status=PictureStatus.processed,
        sha256=picture.sha256,
        width=picture.width,
        height=picture.height,
        phash=picture.hashes[0] if picture.hashes else None,
        text_excerpt=text_excerpt(picture.text),
        link=link,
    )
