"""Changes of reports, as the reports table's stream tells them: read once, then every consequence."""

from __future__ import annotations

from typing import Any

from chalicelib.services.stats import ReportChange, count_report_changes
from chalicelib.services.webhooks import publish_report_change
from chalicelib.store.reports import report_from_stream_image
from chalicelib.store.webhooks import StoredWebhook


class ReportChanges:
    """The changes of one stream batch: webhooks as each is read, statistics for all at the end.

    Each step is safe to repeat for one change id, so a retried batch sends and counts nothing twice.
    """

    def __init__(self) -> None:
        self._changes: list[ReportChange] = []
        self._hooks_read: dict[str, list[StoredWebhook]] = {}  # a partner's webhooks, read once a batch

    def add(self, old_image: dict[str, Any] | None, new_image: dict[str, Any], change_id: str) -> None:
        """Webhooks for this change now; its statistics with the batch's (``count``)."""
        old = report_from_stream_image(old_image) if old_image else None
        new = report_from_stream_image(new_image)
        if old is not None:
            publish_report_change(old, new, change_id, self._hooks_read)
        self._changes.append((old, new, change_id))

    def count(self) -> None:
        """The statistics of every change added, in as few writes as the counters allow."""
        count_report_changes(self._changes)
        self._changes = []
