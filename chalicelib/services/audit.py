"""Use case of the audit trail: admins read it (it is written by the changes themselves)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from chalicelib.domain.exports import wib_day_of
from chalicelib.domain.models import AuditPage, AuditQuery
from chalicelib.services.errors import UnknownCursor
from chalicelib.store import stores

_ENTRY_ID = re.compile(r"^aud_\d{20}[a-z2-7]{8}$")


def audit_entries(query: AuditQuery, now: datetime | None = None) -> AuditPage:
    """Entries of one target, or of one WIB day (today when neither is given), newest first."""
    if query.cursor is not None and not _ENTRY_ID.match(query.cursor):
        raise UnknownCursor(query.cursor)
    wanted = query.limit + 1  # one more tells whether a next page exists
    if query.target is not None:
        entries = stores().audit.of_target(query.target, query.cursor, wanted)
    else:
        day = query.day or wib_day_of(now or datetime.now(UTC))
        entries = stores().audit.of_day(day, query.cursor, wanted)
    page = entries[: query.limit]
    more = len(entries) > query.limit
    return AuditPage(entries=page, next_cursor=page[-1].id if more else None)
