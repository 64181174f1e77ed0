"""The queue of webhook deliveries (SQS), its retry delays and its dead-letter queue."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.aws import client, queue_url
from chalicelib.adapters.queues import send_json
from chalicelib.config import get_settings

_FIELDS = ("webhook_id", "delivery_id", "event")


def delivery_message(webhook_id: str, delivery_id: str, event_json: str) -> dict[str, Any]:
    """The message of one delivery: which webhook, which delivery, and the event as JSON text."""
    return {"webhook_id": webhook_id, "delivery_id": delivery_id, "event": event_json}


def delivery_of(message_body: str) -> dict[str, Any]:
    """A delivery message read back; raises ValueError on a body this app did not write."""
    try:
        message = json.loads(message_body)
    except ValueError:
        raise ValueError("not a webhook message") from None
    if not isinstance(message, dict) or not all(isinstance(message.get(field), str) for field in _FIELDS):
        raise ValueError("not a webhook message")
    return message


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
