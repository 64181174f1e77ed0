"""The queue of reports waiting for their check (SQS)."""

from __future__ import annotations

import json

from chalicelib.adapters.aws import client, queue_url
from chalicelib.config import get_settings


def enqueue_checks(report_ids: list[str]) -> list[str]:
    """Ask for these reports to be checked; returns the ids SQS did not accept (to retry)."""
    url = queue_url(get_settings().check_queue_name)
    failed: list[str] = []
    for start in range(0, len(report_ids), 10):  # SQS takes at most ten a batch
        chunk = report_ids[start : start + 10]
        answer = client("sqs").send_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(n), "MessageBody": json.dumps({"report_id": report_id})} for n, report_id in enumerate(chunk)
            ],
        )
        failed += [chunk[int(entry["Id"])] for entry in answer.get("Failed", [])]
    return failed


def report_id_of(message_body: str) -> str:
    """The report a check message names; raises ValueError on a body this app did not write."""
    try:
        report_id = json.loads(message_body)["report_id"]
    except (ValueError, KeyError, TypeError):
        raise ValueError("not a check message") from None
    if not isinstance(report_id, str):
        raise ValueError("not a check message")
    return report_id
