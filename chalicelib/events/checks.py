"""Event handlers of the check pipeline: Lambda-shaped batches in, partial failures out."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.adapters.check_queue import report_id_of
from chalicelib.events.records import each_record
from chalicelib.observability import event_handler, logger
from chalicelib.services.checks import request_checks, run_check, sweep_stale_reports


@event_handler
def on_report_stream(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The reports table's stream: new reports → check requests; checked or decided ones → webhooks;
    every change → statistics counters. Each step is safe to repeat when a batch is retried.

    Check requests and statistics of the records handled go out together after the batch: if
    that fails, the whole batch comes again, and what was queued or counted before does no harm.
    """
    from chalicelib.services.report_changes import ReportChanges

    changes = ReportChanges()
    new_reports: list[str] = []

    def forward(record: DynamoDBRecord) -> None:
        change = record.raw_event["dynamodb"]
        name = record.raw_event.get("eventName")
        if name in ("INSERT", "MODIFY") and "NewImage" in change:
            changes.add(change.get("OldImage"), change["NewImage"], change["SequenceNumber"])
        if name == "INSERT":
            new_reports.append(change["Keys"]["id"]["S"])

    answer = each_record(event, EventType.DynamoDBStreams, forward)
    request_checks(new_reports)
    changes.count()
    return answer


@event_handler
def on_check_messages(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Check requests from the queue → checks; failed messages return to the queue."""

    def check(record: SQSRecord) -> None:
        try:
            report_id = report_id_of(record.body)
        except ValueError:
            # A message this app never wrote would fail forever; drop it, loudly.
            logger.error("unreadable check message dropped", extra={"message_id": record.message_id})
            return
        run_check(report_id)

    return each_record(event, EventType.SQS, check)


@event_handler
def on_sweep_schedule(event: dict[str, Any], context: Any) -> dict[str, int]:
    """The scheduled sweep: re-drive reports whose check was lost, and verdicts that stopped spreading."""
    from chalicelib.services.cases import sweep_unspread_verdicts

    return {"redriven": sweep_stale_reports(), "verdicts_redriven": sweep_unspread_verdicts()}
