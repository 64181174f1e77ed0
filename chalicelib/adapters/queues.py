"""What the app's SQS queues share: JSON messages sent ten at a time, and reading them back."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.aws import client, queue_url

SQS_BATCH = 10  # SQS takes at most ten messages a batch


def send_json(queue_name: str, bodies: list[dict[str, Any]]) -> list[int]:
    """Send each body as a JSON message; returns the positions (in ``bodies``) SQS refused."""
    url = queue_url(queue_name)
    refused: list[int] = []
    for start in range(0, len(bodies), SQS_BATCH):
        chunk = bodies[start : start + SQS_BATCH]
        answer = client("sqs").send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(start + n), "MessageBody": json.dumps(body)} for n, body in enumerate(chunk)],
        )
        refused += [int(entry["Id"]) for entry in answer.get("Failed", [])]
    return refused


def text_field(message_body: str, field: str, kind: str) -> str:
    """The string ``field`` of a message this app wrote; raises ValueError("not a <kind> message") otherwise."""
    try:
        value = json.loads(message_body)[field]
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"not a {kind} message") from None
    if not isinstance(value, str):
        raise ValueError(f"not a {kind} message")
    return value
