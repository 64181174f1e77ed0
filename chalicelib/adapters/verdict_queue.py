"""The queue of verdicts still to reach their cases' reports (SQS)."""

from __future__ import annotations

import json

from chalicelib.adapters.aws import client, queue_url
from chalicelib.config import get_settings


def enqueue_applications(case_ids: list[str]) -> None:
    """Ask for these cases' verdicts to be spread to their reports; raises if SQS refused any."""
    url = queue_url(get_settings().verdict_queue_name)
    for start in range(0, len(case_ids), 10):  # SQS takes at most ten a batch
        chunk = case_ids[start : start + 10]
        answer = client("sqs").send_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(n), "MessageBody": json.dumps({"case_id": case_id})} for n, case_id in enumerate(chunk)
            ],
        )
        if answer.get("Failed"):
            raise RuntimeError(f"{len(answer['Failed'])} verdict applications were not queued")


def case_id_of(message_body: str) -> str:
    """The case a message names; raises ValueError on a body this app did not write."""
    try:
        case_id = json.loads(message_body)["case_id"]
    except (ValueError, KeyError, TypeError):
        raise ValueError("not a verdict message") from None
    if not isinstance(case_id, str):
        raise ValueError("not a verdict message")
    return case_id
