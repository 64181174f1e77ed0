"""A batch of stream or queue records, each handled on its own (Lambda's partial batch response)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response


def each_record(event: dict[str, Any], event_type: EventType, handle: Callable[[Any], None]) -> dict[str, Any]:
    """Handle each record on its own; the failed ones are reported back for Lambda to retry."""
    return dict(process_partial_response(event=event, record_handler=handle, processor=BatchProcessor(event_type)))
