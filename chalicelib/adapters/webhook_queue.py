"""The queue of webhook deliveries (SQS), its retry delays and its dead-letter queue."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.aws import client, queue_url
from chalicelib.config import get_settings


def enqueue_deliveries(messages: list[dict[str, Any]]) -> None:
    """Queue deliveries; raises if SQS refused any (the caller's batch is then retried)."""
    url = queue_url(get_settings().webhook_queue_name)
    for start in range(0, len(messages), 10):
        chunk = messages[start : start + 10]
        answer = client("sqs").send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(n), "MessageBody": json.dumps(message)} for n, message in enumerate(chunk)],
        )
        if answer.get("Failed"):
            raise RuntimeError(f"{len(answer['Failed'])} webhook deliveries were not queued")


def retry_later(receipt_handle: str, seconds: int) -> None:
    """Hide a received delivery for ``seconds``: SQS hands it out again after that (the backoff)."""
    client("sqs").change_message_visibility(
        QueueUrl=queue_url(get_settings().webhook_queue_name), ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
    )


def park(message: dict[str, Any], reason: str) -> None:
    """Put a delivery that failed every try in the dead-letter queue, with why."""
    client("sqs").send_message(
        QueueUrl=queue_url(get_settings().webhook_dead_letter_queue_name),
        MessageBody=json.dumps({**message, "failure": reason}),
    )
