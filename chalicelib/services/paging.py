"""Opaque cursors for lists ranked in memory (claims by relevance, cases by priority)."""

from __future__ import annotations

import base64
import json

from chalicelib.services.errors import UnknownCursor


def offset_cursor(offset: int) -> str:
    """The cursor of the page starting at ``offset``."""
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def offset_of(cursor: str | None) -> int:
    """Where a cursor's page starts (0 without one); raises UnknownCursor for one not handed out."""
    if not cursor:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["o"]
    except (ValueError, KeyError, TypeError):
        raise UnknownCursor(cursor) from None
    if not isinstance(offset, int) or offset < 0:
        raise UnknownCursor(cursor)
    return offset
