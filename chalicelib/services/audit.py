"""Use case of the audit trail: admins read it (it is written by the changes themselves)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from chalicelib.domain.exports import wib_day_of
from chalicelib.domain.models import AuditPage
from chalicelib.services.errors import UnknownCursor
from chalicelib.store import stores

_ENTRY_ID = re.compile(r"^aud_\d{20}[a-z2-7]{8}$")


def audit_entries(
    *, day: date | None, target: str | None, cursor: str | None, limit: int, now: datetime | None = None
) -> AuditPage:
    """Entries of one target, or of one WIB day (today when neither is given), newest first."""
    if cursor is not None and not _ENTRY_ID.match(cursor):
        raise UnknownCursor(cursor)
    wanted = limit + 1  # one more tells whether a next page exists
    if target is not None:
        entries = stores().audit.of_target(target, cursor, wanted)
    else:
        entries = stores().audit.of_day(day or wib_day_of(now or datetime.now(UTC)), cursor, wanted)
    page = entries[:limit]
    more = len(entries) > limit
    return AuditPage(entries=page, next_cursor=page[-1].id if more else None)
