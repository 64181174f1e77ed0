"""The scheduled daily export (00:15 WIB): the WIB day that just ended."""

from __future__ import annotations

from typing import Any

from chalicelib.observability import event_handler
from chalicelib.services.exports import export_previous_day


@event_handler
def on_export_schedule(event: dict[str, Any], context: Any) -> dict[str, Any]:
    built = export_previous_day()
    return {"date": built.date.isoformat(), "rows": built.rows}
