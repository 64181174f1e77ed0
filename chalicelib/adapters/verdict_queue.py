"""The queue of verdicts still to reach their cases' reports (SQS)."""

from __future__ import annotations

from chalicelib.adapters.queues import send_json, text_field
from chalicelib.config import get_settings


def enqueue_applications(case_ids: list[str]) -> None:
    """Ask for these cases' verdicts to be spread to their reports; raises if SQS refused any."""
    refused = send_json(get_settings().verdict_queue_name, [{"case_id": case_id} for case_id in case_ids])
    if refused:
        raise RuntimeError(f"{len(refused)} verdict applications were not queued")


def case_id_of(message_body: str) -> str:
    """The case a message names; raises ValueError on a body this app did not write."""
    return text_field(message_body, "case_id", "verdict")
