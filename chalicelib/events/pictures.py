"""The picture function: S3 "object created" events for uploads, from their queue, one picture at a time.

Its own Chalice app and its own Lambda function (a container image with Pillow, pdqhash and
Tesseract: ``infra/aws/pictures``), so the API's package and cold start stay as they were.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from chalice.app import Chalice

from chalicelib.config import get_settings
from chalicelib.observability import event_handler, logger

worker = Chalice(app_name="saring-pictures", configure_logs=False)


def uploaded_keys(body: str) -> list[str]:
    """The object keys an S3 event notification names (none for S3's test event)."""
    try:
        message = json.loads(body)
    except ValueError:
        return []
    records = message.get("Records", []) if isinstance(message, dict) else []
    return [
        urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        for record in records
        if str(record.get("eventName", "")).startswith("ObjectCreated")
    ]


@event_handler
def on_picture_messages(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Each upload an event names is analysed; a message whose picture failed returns to the queue."""
    from aws_lambda_powertools.utilities.batch import EventType
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from chalicelib.events.records import each_record
    from chalicelib.services.picture_worker import process_upload

    def process(record: SQSRecord) -> None:
        keys = uploaded_keys(record.body)
        if not keys:
            logger.info("no upload in this message", extra={"message_id": record.message_id})
        for key in keys:
            process_upload(key)

    return each_record(event, EventType.SQS, process)


@worker.on_sqs_message(queue=get_settings().picture_queue_name, batch_size=1)
def process_pictures(event):  # type: ignore[no-untyped-def]
    return on_picture_messages(event.to_dict(), event.context)
