"""Event handler of webhook deliveries: one try per message, failures back to the queue."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.events.checks import each_record
from chalicelib.observability import logger
from chalicelib.services.webhooks import DeliveryOutcome, deliver

_FIELDS = {"webhook_id", "delivery_id", "event"}


class RetryLater(Exception):
    """Marks a delivery to be tried again; its message's visibility already holds the backoff."""


def on_webhook_messages(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Webhook deliveries from the queue; a failed try returns to the queue after its backoff."""

    def send(record: SQSRecord) -> None:
        try:
            message = json.loads(record.body)
        except ValueError:
            message = None
        if not isinstance(message, dict) or not _FIELDS <= message.keys():
            # A message this app never wrote would fail forever; drop it, loudly.
            logger.error("unreadable webhook message dropped", extra={"message_id": record.message_id})
            return
        attempt = int(record.attributes.approximate_receive_count)
        if deliver(message, attempt, record.receipt_handle) is DeliveryOutcome.retry:
            raise RetryLater(message["delivery_id"])

    return each_record(event, context, EventType.SQS, send)
