"""The queue of webhook deliveries (SQS), its retry delays and its dead-letter queue."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.aws import client, queue_url
from chalicelib.adapters.queues import send_json
from chalicelib.config import get_settings


def enqueue_deliveries(messages: list[dict[str, Any]]) -> None:
    """Queue deliveries; raises if SQS refused any (the caller's batch is then retried)."""
    refused = send_json(get_settings().webhook_queue_name, messages)
    if refused:
        raise RuntimeError(f"{len(refused)} webhook deliveries were not queued")


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
