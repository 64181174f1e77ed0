"""One change of a report, as the reports table's stream tells it: read once, then every consequence."""

from __future__ import annotations

from typing import Any

from chalicelib.services.stats import count_report_change
from chalicelib.services.webhooks import publish_report_change
from chalicelib.store.reports import report_from_stream_image


def report_changed(old_image: dict[str, Any] | None, new_image: dict[str, Any], change_id: str) -> None:
    """Webhooks for a changed report, statistics for every change; each safe to repeat for one ``change_id``."""
    old = report_from_stream_image(old_image) if old_image else None
    new = report_from_stream_image(new_image)
    if old is not None:
        publish_report_change(old, new, change_id)
    count_report_change(old, new, change_id)
