"""The queue of reports waiting for their check (SQS)."""

from __future__ import annotations

from chalicelib.adapters.queues import send_json, text_field
from chalicelib.config import get_settings


def enqueue_checks(report_ids: list[str]) -> list[str]:
    """Ask for these reports to be checked; returns the ids SQS did not accept (to retry)."""
    refused = send_json(get_settings().check_queue_name, [{"report_id": report_id} for report_id in report_ids])
    return [report_ids[position] for position in refused]


def report_id_of(message_body: str) -> str:
    """The report a check message names; raises ValueError on a body this app did not write."""
    return text_field(message_body, "report_id", "check")
