"""Opaque cursors for lists ranked in memory (claims by relevance, cases by priority)."""

from __future__ import annotations

import base64
import json

from chalicelib.services.errors import UnknownCursor

# Far beyond any list ranked in memory, and far below what Python's slicing can hold (a crafted
# cursor with offset 10^20 made islice raise).
MAX_OFFSET = 10_000_000


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
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_OFFSET:
        raise UnknownCursor(cursor)
    return offset
