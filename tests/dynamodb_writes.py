"""Counting the DynamoDB writes the app makes (limits are measured in writes a request)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


@contextmanager
def counting_writes() -> Iterator[list[str]]:
    """Every DynamoDB write made inside the block, through PynamoDB or boto3, by operation name."""
    from pynamodb.connection.base import Connection

    from chalicelib.adapters.aws import client

    writes: list[str] = []
    original = Connection._make_api_call

    def pynamodb_call(self: Any, operation: str, *args: Any, **kwargs: Any) -> Any:
        if operation in WRITE_OPERATIONS:
            writes.append(operation)
        return original(self, operation, *args, **kwargs)

    def boto_call(model: Any, **_: Any) -> None:
        if model.name in WRITE_OPERATIONS:
            writes.append(model.name)

    events = client("dynamodb").meta.events
    events.register("before-call.dynamodb", boto_call)
    try:
        with mock.patch.object(Connection, "_make_api_call", pynamodb_call):
            yield writes
    finally:
        events.unregister("before-call.dynamodb", boto_call)
