"""The scheduled daily export (00:15 WIB): the WIB day that just ended."""

from __future__ import annotations

from typing import Any

from chalicelib.observability import flush_metrics, start_invocation
from chalicelib.services.exports import export_previous_day


def on_export_schedule(event: dict[str, Any], context: Any) -> dict[str, Any]:
    start_invocation(getattr(context, "aws_request_id", None))
    try:
        built = export_previous_day()
        return {"date": built.date.isoformat(), "rows": built.rows}
    finally:
        flush_metrics()
