"""Pictures coming in: a presigned upload for each, and the checks an upload id passes before a report names it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.adapters import uploads
from chalicelib.config import get_settings
from chalicelib.domain.ids import new_upload_id, upload_issued_at
from chalicelib.domain.models import UploadRequest, UploadTicket
from chalicelib.domain.models.pictures import MAX_UPLOAD_BYTES
from chalicelib.services.errors import InvalidField
from chalicelib.store import stores

UPLOAD_WINDOW = timedelta(minutes=15)  # the presigned POST's life
CLOCK_SKEW = timedelta(minutes=5)  # an id "issued" later than this from now was never issued


def issue_upload(request: UploadRequest, partner_id: str, now: datetime | None = None) -> UploadTicket:
    """A presigned POST for one picture, its key bound to the caller's partner and a new upload id."""
    now = now or datetime.now(UTC)
    upload_id = new_upload_id(now)
    url, fields = uploads.presigned_upload(
        uploads.incoming_key(partner_id, upload_id),
        request.content_type.value,
        min(request.size, MAX_UPLOAD_BYTES),
        int(UPLOAD_WINDOW.total_seconds()),
    )
    return UploadTicket(upload_id=upload_id, url=url, fields=fields, expires_at=now + UPLOAD_WINDOW)


def verify_uploads(
    upload_ids: list[str], partner_id: str, now: datetime | None = None, fields: list[str] | None = None
) -> None:
    """Raise InvalidField (naming ``images.<i>``, or ``fields[i]``) unless each id is an upload of
    this partner, uploaded, and still usable. Another partner's id is answered like an unknown one."""
    now = now or datetime.now(UTC)
    hours = get_settings().upload_use_hours
    usable_for = timedelta(hours=hours)
    analysed = stores().pictures.get_many(upload_ids)
    for position, upload_id in enumerate(upload_ids):
        field = fields[position] if fields else f"images.{position}"
        issued = upload_issued_at(upload_id)
        if issued is None or issued > now + CLOCK_SKEW:
            raise InvalidField(field, "There is no upload with this id.")
        if issued + usable_for < now:
            raise InvalidField(field, f"This upload id has expired (an upload is usable for {hours} h).")
        picture = analysed.get(upload_id)
        if picture is not None:
            if picture.owner != partner_id:
                raise InvalidField(field, "There is no upload with this id.")
            continue
        found = uploads.uploaded(uploads.incoming_key(partner_id, upload_id))
        if found is None:
            raise InvalidField(field, "Nothing was uploaded with this id (or it is another partner's).")
        if found.size > MAX_UPLOAD_BYTES:
            raise InvalidField(field, f"The upload is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")


def redrive_waiting_uploads() -> int:
    """Queue every upload the worker has not taken yet, as S3 would have announced it: after the local
    stack restarts, the announcements in flight died with it (the uploads themselves are kept)."""
    from chalicelib.adapters.queues import send_json

    keys = uploads.incoming_keys()
    events = [{"Records": [{"eventName": "ObjectCreated:Post", "s3": {"object": {"key": key}}}]} for key in keys]
    refused = send_json(get_settings().picture_queue_name, events)
    if refused:
        raise RuntimeError(f"{len(refused)} uploads could not be queued for the picture worker")
    return len(keys)
