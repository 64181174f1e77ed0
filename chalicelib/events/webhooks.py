"""Event handler of webhook deliveries: one try per message, failures back to the queue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.adapters.webhook_queue import delivery_of
from chalicelib.events.records import each_record
from chalicelib.observability import event_handler, logger
from chalicelib.services.webhooks import DeliveryOutcome, DeliveryTry, deliver_all


class RetryLater(Exception):
    """Marks a delivery to be tried again; its message's visibility already holds the backoff."""


@event_handler
def on_webhook_messages(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Webhook deliveries from the queue, all sent at once; a failed try returns after its backoff."""
    records = [SQSRecord(raw) for raw in event.get("Records", [])]
    tries = [_try_of(record) for record in records]
    sent = iter(deliver_all([one for one in tries if one is not None]))
    # Outcomes in the order of the records: the batch processor below walks them in that order.
    outcomes = iter([next(sent) if one is not None else DeliveryOutcome.done for one in tries])

    def settle(record: SQSRecord) -> None:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        if outcome is DeliveryOutcome.retry:
            raise RetryLater(record.message_id)

    return each_record(event, EventType.SQS, settle)


def _try_of(record: SQSRecord) -> DeliveryTry | None:
    try:
        message = delivery_of(record.body)
    except ValueError:
        # A message this app never wrote would fail forever; drop it, loudly.
        logger.error("unreadable webhook message dropped", extra={"message_id": record.message_id})
        return None
    return DeliveryTry(message, int(record.attributes.approximate_receive_count), record.receipt_handle)
