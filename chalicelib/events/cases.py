"""Event handler of the verdict queue: a case's verdict spreads to its reports, in steps that fit a Lambda."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.adapters.verdict_queue import case_id_of
from chalicelib.events.records import each_record
from chalicelib.observability import event_handler, logger
from chalicelib.services.cases import continue_later, spread_verdict

HANDOVER_MS = 20_000  # with less time than this left, save progress and queue the rest


@event_handler
def on_verdict_messages(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Verdicts to spread → their cases' reports; a run short of time hands the rest to a new message."""

    def spread(record: SQSRecord) -> None:
        try:
            case_id = case_id_of(record.body)
        except ValueError:
            logger.error("unreadable verdict message dropped", extra={"message_id": record.message_id})
            return
        if not spread_verdict(case_id, has_time=lambda: context.get_remaining_time_in_millis() > HANDOVER_MS):
            continue_later(case_id)

    return each_record(event, EventType.SQS, spread)
