"""The AWS emulator (moto) made sound for a local stack that runs for days.

Two things moto does that a long-running stack cannot live with, mended here:

- ``transact_write_items`` deep-copies every table a transaction names before it starts, to roll
  back, and swaps the copy in when it fails. Each transaction then costs time and memory in
  proportion to all the data held, and a refused one replaces the table object that the stream
  reader holds, which then reads a table nobody writes any more. ``transact_write_items`` below
  checks every condition first (a refused transaction writes nothing), then applies the writes,
  keeping a copy of only the items it touches, and never replaces a table.
- moto's server answers requests on many threads, but its tables are plain dicts: a scan or a
  transaction that iterates one while another thread writes raises ``RuntimeError: dictionary
  changed size during iteration`` (answered as a 500). ``Emulator`` serves DynamoDB requests one
  at a time (the work is pure Python under the GIL anyway, so nothing is lost).

Two that cost more than the work itself. moto's server routes every request through a Flask app;
``served_directly`` hands DynamoDB, stream and SQS requests to moto's handler for the service at
once. And moto answers every request through a serializer that
walks the operation's whole response shape in Python, two thirds of a busy stack's emulator time.
The answers of item reads and writes are plain JSON already (bytes aside), so
``serialise_items_plainly`` dumps them as they are. Likewise SQS: each message received read every
attribute of its queue (counting all messages held) to learn the retention period, and each
message's visibility asked the time through datetime arithmetic; ``quicken_queues`` mends both, and
makes SQS receives and deletes safe side by side (moto's are not). Update expressions cost most of
a write: ``quick_updates.py`` applies the flat ones directly.

And one thing it cannot do at all: keep what it was told. With a journal, ``Emulator`` writes the
items every DynamoDB write changed to disk before the write's answer leaves (``journal.py``), and
``quietly()`` lets the stack load a snapshot and replay the journal without journaling it again or
feeding it to the tables' streams (restored data was processed before the restart).
"""

from __future__ import annotations

import base64
import calendar
import contextlib
import copy
import functools
import io
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from datetime import datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from moto import backends as moto_backends
from moto.core import responses as moto_responses
from moto.core import utils as moto_utils
from moto.core.request import Request as MotoRequest
from moto.core.responses import ActionContext, ActionResult
from moto.core.utils import method_names_from_class
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    ItemSizeTooLarge,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models import dynamo_type as moto_items
from moto.dynamodb.models.table import StreamShard, Table
from moto.dynamodb.models.utilities import bytesize
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.sqs import models as sqs_models
from moto.sqs.exceptions import ReceiptHandleIsInvalid
from werkzeug.exceptions import HTTPException

from infra.local.journal import Change, Journal, StreamEntry, read_changes, read_objects
from infra.local.quick_updates import quicken_updates
from infra.local.wire import Server

ACCOUNT = "123456789012"  # moto's default account
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
# moto keeps every stream record and every shard iterator it ever handed out. DynamoDB keeps a
# stream's records for 24 hours; here the newest ones are kept (the event runner reads within a
# second), and the iterators the runner may still use.
STREAM_RECORDS_KEPT = 100_000
SHARD_ITERATORS_KEPT = 1_000
HOUSEKEEPING_EVERY = 1_000  # DynamoDB requests
SNAPSHOT_CHUNK = 1_000  # items a snapshot serialises at a time, holding up requests meanwhile

_OPERATIONS = {"ConditionCheck", "Put", "Delete", "Update"}
# Operations whose answers hold items, stream records, counts and capacities: nothing the serializer
# renames, timestamps only as epoch seconds. Keys an operation does not define are ignored by the SDKs.
PLAIN_ANSWERS = frozenset(
    {
        ("dynamodb", "GetItem"),
        ("dynamodb", "PutItem"),
        ("dynamodb", "UpdateItem"),
        ("dynamodb", "DeleteItem"),
        ("dynamodb", "Query"),
        ("dynamodb", "Scan"),
        ("dynamodb", "BatchGetItem"),
        ("dynamodb", "BatchWriteItem"),
        ("dynamodb", "TransactGetItems"),
        ("dynamodb", "TransactWriteItems"),
        ("dynamodbstreams", "GetRecords"),
    }
)


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """DynamoDB's TransactWriteItems: all or nothing, at the cost of the items it touches.

    Same answers as moto's own (and DynamoDB's): every condition is checked before anything is
    written; a refused transaction raises TransactionCanceledException with a reason per item
    (``ALL_OLD`` images where asked); two operations on one item, or an invalid one, raise at once.
    """
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    planned, reasons = _check(self, transact_items)
    if any(code is not None for code, _, _ in reasons):
        raise TransactionCanceledException(reasons)
    touched: list[tuple[str, dict[str, Any], Any]] = []
    try:
        for position, (op_type, op, table_name, key) in enumerate(planned):
            touched.append((table_name, key, _copy_of(self.get_item(table_name, key))))
            try:
                _apply(self, op_type, op, table_name, key)
            except MockValidationException:
                raise
            except Exception as error:  # noqa: BLE001 - reported per item, as DynamoDB does
                failed: list[Any] = [(None, None, None)] * len(planned)
                failed[position] = (type(error).__name__, str(error), None)
                raise TransactionCanceledException(failed) from None
    except Exception:
        _restore(self, touched)
        raise


def _check(
    backend: DynamoDBBackend, transact_items: list[dict[str, Any]]
) -> tuple[list[tuple[str, dict[str, Any], str, dict[str, Any]]], list[Any]]:
    """Every operation's condition against the items as they are; (the writes to make, a reason per item)."""
    seen: set[tuple[str, str]] = set()
    planned = []
    reasons: list[Any] = []
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        old_image = None
        try:
            if op_type not in _OPERATIONS:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            key = _key_of(backend, op_type, op)
            identity = (str(table_name), str(dict(sorted(key.items()))))
            if identity in seen:
                raise MultipleTransactionsException()
            seen.add(identity)
            current = backend.get_item(table_name, key)
            condition = op.get("ConditionExpression")
            if condition is not None:
                test = get_filter_expression(
                    condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
                )
                if not test.expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        old_image = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=old_image)
            planned.append((op_type, op, table_name, key))
            reasons.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            raise
        except ConditionalCheckFailed as refused:
            reasons.append(("ConditionalCheckFailed", str(refused.message), old_image))
        except Exception as error:  # noqa: BLE001 - reported per item, as DynamoDB does
            reasons.append((type(error).__name__, str(error), old_image))
    return planned, reasons


def _key_of(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    """The key of the item a transaction operation names."""
    return _key_of_item(backend, op["TableName"], op["Item"]) if op_type == "Put" else dict(op["Key"])


def _apply(backend: DynamoDBBackend, op_type: str, op: dict[str, Any], table_name: str, key: dict[str, Any]) -> None:
    """One write whose condition held (checked above, with nothing written in between)."""
    names, values = op.get("ExpressionAttributeNames") or {}, op.get("ExpressionAttributeValues") or {}
    if op_type == "Put":
        backend.put_item(table_name, op["Item"])
    elif op_type == "Delete":
        backend.delete_item(table_name, key)
    elif op_type == "Update":
        backend.update_item(
            table_name,
            key,
            update_expression=op["UpdateExpression"],
            expression_attribute_names=names,
            expression_attribute_values=values,
        )


def _copy_of(item: Any) -> Any:
    """One item as it was before the transaction touched it (the only copy a transaction makes)."""
    return copy.deepcopy(item)


def _restore(backend: DynamoDBBackend, touched: list[tuple[str, dict[str, Any], Any]]) -> None:
    """Put the touched items back as they were, last first."""
    for table_name, key, before in reversed(touched):
        if before is None:
            backend.delete_item(table_name, key)
        else:
            backend.put_item(table_name, before.to_json()["Attributes"])


_ORIGINAL_QUERY = Table.query


def query_one_partition(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    """Table.query, reading only the asked partition when it queries the table itself (no index).

    moto reads every item of the table for any query: the statistics table (a partition per day,
    case and hour, and a marker per counted change) made each read of one partition slower as the
    data grew. Queries on a secondary index still read every item.
    """
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    if index_name or hash_key is None:
        return _ORIGINAL_QUERY(self, hash_key, *args, **kwargs)
    partition = self.items.get(hash_key)
    if partition is None:
        one: list[Any] = []
    elif self.range_key_attr:
        one = list(partition.values())
    else:
        one = [partition]
    self.all_items = lambda: one  # type: ignore[method-assign] # only for this call (requests are served one at a time)
    try:
        return _ORIGINAL_QUERY(self, hash_key, *args, **kwargs)
    finally:
        del self.all_items


def mend_transactions() -> None:
    """Use the transaction and the query above in every DynamoDB backend of this process (idempotent)."""
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    Table.query = query_one_partition  # type: ignore[method-assign]


_MOTO_MODULES = tuple(moto_backends.list_of_moto_modules())
_PARSE_UPDATE_EXPRESSION = UpdateExpressionParser.make


@functools.lru_cache(maxsize=1024)
def _parsed_update_expression(expression: str) -> Any:
    return _PARSE_UPDATE_EXPRESSION(expression)


def remember_moto_modules() -> None:
    """Three things moto works out again for every request, although they never change while it runs:
    the list of its own services (a listdir and ~150 isdir calls), the method names of a response
    class (``inspect.getmembers``, ~10% of a GetItem), and the syntax tree of an update expression
    (parsed twice an UpdateItem, ~15% of it; the app sends a few dozen distinct expressions, and
    moto's validators copy the tree before they change it). Each is worked out once here."""
    moto_backends.list_of_moto_modules = lambda: _MOTO_MODULES
    moto_responses.method_names_from_class = functools.cache(method_names_from_class)  # type: ignore[attr-defined]
    UpdateExpressionParser.make = staticmethod(_parsed_update_expression)


_SERIALIZED_ANSWER = ActionResult.execute_result


def _as_json(value: Any) -> Any:
    """Bytes as base64 and moments as epoch seconds to the millisecond, as the AWS JSON protocol writes them."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):  # moto's are naive UTC
        return calendar.timegm(value.utctimetuple()) + (value.microsecond // 1000) / 1000.0
    if hasattr(value, "to_json"):  # a stream record
        return value.to_json()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _plain_answer(self: ActionResult, context: ActionContext) -> Any:
    if (context.service_model.service_name, context.operation_model.name) not in PLAIN_ANSWERS:
        return _SERIALIZED_ANSWER(self, context)
    body = json.dumps(self.result, default=_as_json, separators=(",", ":"))
    return 200, {"Content-Type": "application/x-amz-json-1.0"}, body


def serialise_items_plainly() -> None:
    """Answer DynamoDB's item operations with ``json.dumps`` instead of moto's serializer (idempotent)."""
    ActionResult.execute_result = _plain_answer  # type: ignore[method-assign]


_UNIX_TIME = moto_utils.unix_time
_UNIX_TIME_MILLIS = moto_utils.unix_time_millis


def _unix_time(moment: Any = None) -> float:
    return time.time() if moment is None else float(_UNIX_TIME(moment))


def _unix_time_millis(moment: Any = None) -> float:
    return time.time() * 1000.0 if moment is None else float(_UNIX_TIME_MILLIS(moment))


def _retained(self: sqs_models.SQSBackend, queue_name: str, message: sqs_models.Message) -> bool:
    retention_seconds = float(self.get_queue(queue_name).message_retention_period)  # type: ignore[attr-defined]
    return retention_seconds + message.sent_timestamp / 1000 > time.time()  # type: ignore[operator]


def _delete_message(self: sqs_models.Queue, receipt_handle: str) -> None:
    """Queue.delete_message as moto answers it, in place, holding the lock that sending holds.

    moto deleted by reading the whole queue twice and swapping in a rebuilt copy of its message
    list: a delete cost the whole backlog (the check queue holds thousands after a restart's
    re-drive), and a message another thread appended after the copy was read was dropped with it.
    """
    with self._messages_lock:
        if receipt_handle in self.deleted_messages:
            return  # already deleted: SQS answers success again
        messages = self._messages
        found = next((n for n, message in enumerate(messages) if message.had_receipt_handle(receipt_handle)), None)
        if found is None:
            raise ReceiptHandleIsInvalid()
        message = messages.pop(found)  # received ones are near the front: the oldest are handed out first
        self.pending_messages.discard(message)
        self.deleted_messages.update(message.all_receipt_handles)  # type: ignore[arg-type]


_MOTO_RECEIVE_MESSAGE = sqs_models.SQSBackend.receive_message


def _receive_message(self: sqs_models.SQSBackend, queue_name: str, *args: Any, **kwargs: Any) -> Any:
    """SQSBackend.receive_message holding the queue's lock, which a long poll's wait lets go of.

    moto's receive reads the set of messages in flight while other receives and deletes change it:
    concurrent pollers got ``RuntimeError: Set changed size during iteration`` (a 500).
    """
    with self.get_queue(queue_name)._messages_lock:
        return _MOTO_RECEIVE_MESSAGE(self, queue_name, *args, **kwargs)


_MOTO_QUEUE_ATTRIBUTES = sqs_models.Queue.attributes
_MOTO_SEND_MESSAGE = sqs_models.SQSBackend.send_message
_sending = threading.local()  # set while this thread sends a message


def _queue_attributes(self: sqs_models.Queue) -> dict[str, Any]:
    """Queue.attributes, or only what sending a message reads of them while a message is sent.

    moto's send reads every attribute of the queue to learn one (content-based deduplication), and
    three of them count the messages the queue holds: each message sent cost the whole backlog, and
    a restart's re-drive sent thousands into a queue of thousands.
    """
    if not getattr(_sending, "active", False):
        return _MOTO_QUEUE_ATTRIBUTES.fget(self)  # type: ignore[attr-defined,no-any-return]
    if not self.fifo_queue:
        return {}  # moto names that attribute on FIFO queues only
    deduplication = self.content_based_deduplication  # type: ignore[attr-defined]
    return {
        "ContentBasedDeduplication": str(deduplication).lower() if isinstance(deduplication, bool) else deduplication
    }


def _send_message(self: sqs_models.SQSBackend, *args: Any, **kwargs: Any) -> Any:
    """SQSBackend.send_message, reading of its queue's attributes only what it uses (``_queue_attributes``)."""
    _sending.active = True
    try:
        return _MOTO_SEND_MESSAGE(self, *args, **kwargs)
    finally:
        _sending.active = False


def quicken_queues() -> None:
    """SQS sends and receives at a cost that does not grow with the messages a queue holds, and
    receives and deletes that are safe side by side (idempotent)."""
    # sqs.models imported moto.core.utils' functions by name
    setattr(sqs_models, "unix_time", _unix_time)  # noqa: B010
    setattr(sqs_models, "unix_time_millis", _unix_time_millis)  # noqa: B010
    sqs_models.SQSBackend.is_message_valid_based_on_retention_period = _retained  # type: ignore[method-assign]
    sqs_models.Queue.delete_message = _delete_message  # type: ignore[method-assign]
    sqs_models.SQSBackend.receive_message = _receive_message  # type: ignore[method-assign]
    sqs_models.SQSBackend.send_message = _send_message  # type: ignore[method-assign]
    sqs_models.Queue.attributes = property(_queue_attributes)  # type: ignore[method-assign,assignment]


ITEM_SIZE_LIMIT = 405_000  # moto's: DynamoDB's 400 KB, as measured against the service


def _item_sized_once(self: moto_items.Item, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
    self.hash_key = hash_key
    self.range_key = range_key
    values = {key: moto_items.DynamoType(value) for key, value in attrs.items()}
    size: int = sum(bytesize(key) + int(value.size()) for key, value in values.items())
    if size > ITEM_SIZE_LIMIT:
        raise ItemSizeTooLarge
    self.attrs = moto_items.LimitedSizeDict()
    dict.update(self.attrs, values)  # checked above, all at once


def size_items_once() -> None:
    """Build an item's attributes checking its size once (idempotent).

    moto's attribute dict sums the size of everything it holds at each attribute set, so building
    an item of n attributes cost n² size computations: a third of restoring a snapshot, and of
    every write. Attributes set later (an update) are still checked by moto as they are set.
    """
    moto_items.Item.__init__ = _item_sized_once  # type: ignore[method-assign]


def tune_moto() -> None:
    """Every mend above, in this process (idempotent): what the local stack's emulator runs with."""
    mend_transactions()
    remember_moto_modules()
    serialise_items_plainly()
    quicken_queues()
    size_items_once()
    quicken_updates()


def _backend(region: str) -> DynamoDBBackend:
    return dynamodb_backends[ACCOUNT][region]


def _key_of_item(backend: DynamoDBBackend, table_name: str, item: dict[str, Any]) -> dict[str, Any]:
    """The key attributes of a whole item, by its table's key schema."""
    table = backend.get_table(table_name)
    key = {table.hash_key_attr: item[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = item[table.range_key_attr]
    return key


def touched_keys(backend: DynamoDBBackend, operation: str, request: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The (table, key) of every item a successful write request changed."""
    if operation == "PutItem":
        return [(request["TableName"], _key_of_item(backend, request["TableName"], request["Item"]))]
    if operation in ("UpdateItem", "DeleteItem"):
        return [(request["TableName"], request["Key"])]
    if operation == "BatchWriteItem":
        return [
            (table, write["DeleteRequest"]["Key"])
            if "DeleteRequest" in write
            else (table, _key_of_item(backend, table, write["PutRequest"]["Item"]))
            for table, writes in request["RequestItems"].items()
            for write in writes
        ]
    touched = []
    for item in request["TransactItems"]:
        op_type, op = next(iter(item.items()))
        if op_type != "ConditionCheck":
            touched.append((op["TableName"], _key_of(backend, op_type, op)))
    return touched


def images(backend: DynamoDBBackend, keys: list[tuple[str, dict[str, Any]]]) -> list[Change]:
    """The items at these keys as they are now (None where there is none)."""
    changes: list[Change] = []
    for table_name, key in keys:
        item = backend.get_item(table_name, key)
        changes.append([table_name, key, item.to_json()["Attributes"] if item is not None else None])
    return changes


def stream_positions(backend: DynamoDBBackend) -> dict[str, int]:
    """The sequence number the next stream record of each streamed table will get."""
    return {
        name: table.stream_shard.starting_sequence_number + len(table.stream_shard.items)
        for name, table in backend.tables.items()
        if table.stream_shard is not None
    }


def stream_records_since(backend: DynamoDBBackend, positions: dict[str, int]) -> list[StreamEntry]:
    """The stream records made since ``positions`` (``stream_positions`` before a write), as the journal keeps them."""
    made: list[StreamEntry] = []
    for name, first in positions.items():
        shard = backend.tables[name].stream_shard
        if shard is None:
            continue
        for record in shard.items[first - shard.starting_sequence_number :]:
            change = record.record["dynamodb"]
            made.append(
                [
                    name,
                    int(change["SequenceNumber"]),
                    record.record["eventName"],
                    change["Keys"],
                    change.get("OldImage"),
                    change.get("NewImage"),
                ]
            )
    return made


class _ResumedRecord:
    """A stream record handed over again after a restart, with the sequence number it first had."""

    def __init__(self, entry: StreamEntry, stream_view_type: str) -> None:
        table, sequence, event_name, keys, old, new = entry
        change: dict[str, Any] = {
            "StreamViewType": stream_view_type,
            "ApproximateCreationDateTime": time.time(),
            "SequenceNumber": str(sequence),
            "SizeBytes": 1,
            "Keys": keys,
        }
        if new is not None:
            change["NewImage"] = new
        if old is not None:
            change["OldImage"] = old
        self.record = {
            "eventID": f"{table}-{sequence}",
            "eventName": event_name,
            "eventSource": "aws:dynamodb",
            "eventVersion": "1.0",
            "dynamodb": change,
        }

    def to_json(self) -> dict[str, Any]:
        return self.record


def resume_plan(
    records: Iterator[StreamEntry], consumed: dict[str, int], floors: dict[str, int]
) -> dict[str, tuple[int, list[StreamEntry]]]:
    """Per streamed table, where its stream starts again and the records to hand over first.

    ``records``: the journal's, oldest first; ``consumed``: the last sequence number each table's
    consumer finished; ``floors``: the next sequence number at the last snapshot. The records after
    what was consumed are handed over again with their own numbers, and numbering goes on after
    the last one, so a consumer's "already seen" marks stay true. Only an unbroken run can be
    handed over (the stream numbers its records by position): a gap keeps the records after it.
    """
    pending: dict[str, list[StreamEntry]] = {}
    last: dict[str, int] = dict(floors)
    for record in records:
        table, sequence = record[0], int(record[1])
        last[table] = max(last.get(table, 0), sequence + 1)
        if sequence > consumed.get(table, -1):
            run = pending.setdefault(table, [])
            if run and int(run[-1][1]) + 1 != sequence:
                run.clear()  # a gap (segments dropped before their records were consumed)
            run.append(record)
    plan: dict[str, tuple[int, list[StreamEntry]]] = {}
    for table in set(last) | set(pending):
        run = pending.get(table, [])
        start = int(run[0][1]) if run else max(last.get(table, 0), consumed.get(table, -1) + 1)
        plan[table] = (start, run)
    return plan


def forget_old_stream_state(region: str) -> None:
    """Drop the stream records and shard iterators past what is kept (see STREAM_RECORDS_KEPT)."""
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    for table in _backend(region).tables.values():
        shard = table.stream_shard
        if shard is not None and len(shard.items) > STREAM_RECORDS_KEPT:
            surplus = len(shard.items) - STREAM_RECORDS_KEPT
            del shard.items[:surplus]
            shard.starting_sequence_number += surplus  # sequence numbers stay what they were
    iterators = dynamodbstreams_backends[ACCOUNT][region].shard_iterators
    for arn in list(iterators)[: max(0, len(iterators) - SHARD_ITERATORS_KEPT)]:
        del iterators[arn]


def _typed(value: dict[str, Any]) -> moto_items.DynamoType:
    """moto's typed value of one attribute in DynamoDB JSON, as its constructor builds it (1.4–1.8× faster)."""
    ((kind, inner),) = value.items()
    typed: moto_items.DynamoType = moto_items.DynamoType.__new__(moto_items.DynamoType)
    typed.type = kind
    if kind == "L":
        inner = [_typed(member) for member in inner]
    elif kind == "M":
        inner = {name: _typed(member) for name, member in inner.items()}
    typed.value = inner
    return typed


def load_item(backend: DynamoDBBackend, table_name: str, image: dict[str, Any]) -> None:
    """Put an item that was stored before (a snapshot's, the journal's) straight into its table.

    It was checked when it was first written: no validation, no condition, no stream record (a
    restore runs ``quietly``). A third of the time of moto's ``put_item``.
    """
    table = backend.get_table(table_name)
    hash_value = _typed(image[table.hash_key_attr])
    range_value = _typed(image[table.range_key_attr]) if table.range_key_attr else None
    item: moto_items.Item = moto_items.Item.__new__(moto_items.Item)  # type: ignore[assignment]
    item.hash_key, item.range_key = hash_value, range_value
    item.attrs = moto_items.LimitedSizeDict()
    dict.update(item.attrs, {key: _typed(value) for key, value in image.items()})
    if range_value is None:
        table.items[hash_value] = item  # type: ignore[assignment]
    else:
        table.items[hash_value][range_value] = item


def replay(backend: DynamoDBBackend, changes: Iterator[Change]) -> int:
    """Apply journaled changes, oldest first; returns how many were read.

    Each change is an item's whole image after a write, so only the last one of each item matters:
    a report written four times (received, checking, its case, checked) is put once.
    """
    last: dict[tuple[str, str], tuple[str, dict[str, Any], Any]] = {}
    read = 0
    for table_name, key, image in changes:
        identity = (table_name, json.dumps(key, sort_keys=True))
        last.pop(identity, None)  # re-inserted last: the items are applied in the order of their last write
        last[identity] = (table_name, key, image)
        read += 1
    for table_name, key, image in last.values():
        if table_name not in backend.tables:  # a table the app no longer has (the idempotency table, say)
            continue
        if image is None:
            backend.delete_item(table_name, key)
        else:
            load_item(backend, table_name, image)
    return read


# The services the app calls most, each by the prefix of its X-Amz-Target header: answered by moto's
# own handler for the service, without the Flask app that would route them there.
DIRECT_SERVICES = ("DynamoDB_20120810", "DynamoDBStreams_20120810", "AmazonSQS")


class _ServerRequest(MotoRequest):
    """A request as moto's server hands it over (moto then leaves the Date header to the server)."""

    from_wsgi_server = True


@functools.cache
def needs_moto_s_parser(service: str, operation: str) -> frozenset[bytes] | None:
    """What in a request body needs moto's parser rather than ``json.loads``: the quoted names of the
    operation's blob members (base64 on the wire, bytes to moto). None when every request of the
    operation needs it (its input has timestamps or floats, which the parser also converts)."""
    blobs: set[bytes] = set()
    seen: set[str] = set()

    def walk(shape: Any, name: str) -> bool:
        if shape.type_name == "blob":
            blobs.add(f'"{name}"'.encode())
        elif shape.type_name in ("timestamp", "float", "double"):
            return False
        elif shape.name not in seen:
            seen.add(shape.name)
            if shape.type_name == "structure":
                return all(walk(member, member_name) for member_name, member in shape.members.items())
            if shape.type_name in ("list", "map"):
                return walk(shape.member if shape.type_name == "list" else shape.value, name)
        return True

    input_shape = moto_utils.get_service_model(service).operation_model(operation).input_shape
    return frozenset(blobs) if input_shape is None or walk(input_shape, "") else None


class _PlainJsonParsing:
    """moto's request parsing as ``json.loads`` where it would change nothing.

    moto walks a JSON request through the operation's whole input shape, to turn base64 blobs into
    bytes and times into datetimes: a tenth of a busy emulator's time. What botocore sends is that
    JSON already, with no null and no unknown member, so where the body names no blob member (and
    the operation has no time) the walk is skipped. A test compares both on the app's requests.
    """

    boto3_service_name: str
    params: Any

    def parse_parameters(self, request: MotoRequest) -> None:
        body = request.data
        operation = str(self._get_action())  # type: ignore[attr-defined]
        blobs = needs_moto_s_parser(self.boto3_service_name, operation)
        if blobs is None or any(blob in body for blob in blobs):
            super().parse_parameters(request)  # type: ignore[misc]
        else:
            self.params = json.loads(body) if body else {}


@functools.cache
def _handlers() -> dict[str, Any]:
    from moto.dynamodb.responses import DynamoHandler
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
    from moto.sqs.responses import SQSResponse

    handlers: tuple[Any, ...] = (
        type("DynamoHandler", (_PlainJsonParsing, DynamoHandler), {}),
        DynamoDBStreamsHandler,  # parses nothing itself
        type("SQSResponse", (_PlainJsonParsing, SQSResponse), {}),
    )
    return {service: handler.dispatch for service, handler in zip(DIRECT_SERVICES, handlers, strict=True)}


def served_directly(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Answer a request of one of DIRECT_SERVICES through its moto handler, as moto's Flask app would.

    The Flask app (routing, request context, CORS, a response object) cost more than moto's own
    work for a GetItem: a busy stack's emulator spent about half its time there. The answer is the
    same: moto's status, headers and body; Flask's default content type where moto sets none.
    """
    service = str(environ.get("HTTP_X_AMZ_TARGET", "")).split(".", 1)[0]
    request = _ServerRequest(environ)
    try:
        status, headers, body = _handlers()[service](request, request.raw_url, dict(request.headers))
    except ClientError as error:  # as moto's Flask view answers it
        status, headers, body = 400, {}, error.response["Error"]["Message"]
    except HTTPException as error:
        return list(error.get_response(environ)(environ, start_response))
    listed = [(str(name), str(value)) for name, value in headers.items() if name != "status"]
    if not any(name.lower() == "content-type" for name, _ in listed):
        listed.append(("Content-Type", "text/html; charset=utf-8"))
    start_response(f"{int(status)} {HTTPStatus(int(status)).phrase}", listed)
    return [body.encode("utf-8") if isinstance(body, str) else body]


class _DynamoDBGate:
    """WSGI middleware: DynamoDB and its streams are served one request at a time, writes journaled;
    DynamoDB, its streams and SQS are answered by their moto handlers directly (``served_directly``).

    A write's changed items are appended to the journal inside the lock (so the journal's order is
    the tables' order) and flushed to disk outside it, together with whatever else was appended
    meanwhile, before the answer is handed back to the server.
    """

    def __init__(self, app: Any, region: str) -> None:
        self.app = app
        self.region = region
        self.lock = threading.Lock()
        self.object_lock = threading.Lock()  # S3 writes: journaled in the order they were applied
        self.journal: Journal | None = None
        self._served = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        app = served_directly if target.split(".", 1)[0] in DIRECT_SERVICES else self.app
        if not target.startswith(("DynamoDB_", "DynamoDBStreams_")):
            if target.startswith("AmazonSQS."):
                return app(environ, start_response)
            written = _s3_object_written(environ) if self.journal is not None else None
            if written is None:
                return self.app(environ, start_response)
            return self._journal_object(environ, start_response, written)
        operation = target.rsplit(".", 1)[-1]
        journal = self.journal if operation in WRITES else None
        body = environ["wsgi.input"].getvalue() if journal is not None else b""
        statuses: list[str] = []

        def seen(status: str, headers: Any, exc_info: Any = None) -> Any:
            statuses.append(status)
            return start_response(status, headers, exc_info)

        position = 0
        with self.lock:
            backend = _backend(self.region)
            streamed_before = stream_positions(backend) if journal is not None else {}
            # The body is produced inside the lock: moto builds it while reading its tables.
            answer = list(app(environ, seen))
            if journal is not None and statuses and statuses[0].startswith("200"):
                changes = images(backend, touched_keys(backend, operation, json.loads(body)))
                position = journal.append(changes, stream_records_since(backend, streamed_before))
            self._served += 1
            if self._served % HOUSEKEEPING_EVERY == 0:
                forget_old_stream_state(self.region)
        if journal is not None and position:
            journal.sync(position)
        return answer

    def _journal_object(self, environ: dict[str, Any], start_response: Any, written: tuple[str, str, bool]) -> Any:
        """An S3 object written or deleted: journaled (its bytes on disk) before the answer leaves."""
        statuses: list[str] = []

        def seen(status: str, headers: Any, exc_info: Any = None) -> Any:
            statuses.append(status)
            return start_response(status, headers, exc_info)

        with self.object_lock:
            answer = list(self.app(environ, seen))
            journal = self.journal
            if journal is None or not statuses or not statuses[0].startswith(("200", "204")):
                return answer
            bucket, key, deleted = written
            stored = None if deleted else _s3_object(bucket, key)
            if stored is None:
                position = journal.append_object(bucket, key, "", None)
            else:
                position = journal.append_object(bucket, key, stored[1], stored[0])
        journal.sync(position)
        return answer


def _s3_object_written(environ: dict[str, Any]) -> tuple[str, str, bool] | None:
    """(bucket, key, deleted) for a request that writes or deletes a whole S3 object, else None.

    The app's S3 client addresses objects by path (the emulator is an IP address): PUT
    /bucket/key is PutObject, POST /bucket/key?uploadId=… completes a multipart upload, DELETE
    /bucket/key deletes. Parts, ACLs, tags and the like change no object the app reads back.
    """
    method = environ.get("REQUEST_METHOD")
    bucket, _, key = str(environ.get("PATH_INFO", "")).lstrip("/").partition("/")
    if bucket and not key and method == "POST" and "multipart/form-data" in str(environ.get("CONTENT_TYPE", "")):
        form_key = _form_key(environ)  # a browser-style upload (a presigned POST): the key is a form field
        return (bucket, urllib.parse.quote(form_key), False) if form_key else None
    if not bucket or not key:
        return None
    query = str(environ.get("QUERY_STRING", ""))
    if method == "PUT" and not query:
        return bucket, key, False
    if method == "POST" and query.startswith("uploadId="):
        return bucket, key, False
    if method == "DELETE" and not query:
        return bucket, key, True
    return None


# The part named "key": its other headers (non-empty lines), a blank line, then the value on one line.
_FORM_KEY = re.compile(rb'name="key"\r\n(?:[^\r\n]+\r\n)*?\r\n([^\r\n]*)\r\n')


def _form_key(environ: dict[str, Any]) -> str | None:
    """The ``key`` field of a multipart form body, which is read and put back for the emulator."""
    stream = environ["wsgi.input"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = stream.read(length) if length else stream.read()
    environ["wsgi.input"] = io.BytesIO(body)
    found = _FORM_KEY.search(body)
    return found.group(1).decode("utf-8", "replace") if found else None


def _s3_object(bucket: str, key: str) -> tuple[bytes, str] | None:
    """An object's bytes and content type, from the emulator's memory."""
    from moto.s3.models import s3_backends

    stored = s3_backends[ACCOUNT]["aws"].get_object(bucket, urllib.parse.unquote(key))
    if stored is None:
        return None
    return bytes(stored.value), str(stored._metadata.get("content-type") or "binary/octet-stream")


def replay_objects(directory: Path, bucket_name: str) -> int:
    """Put back (or delete) every S3 object the journal holds, oldest first; returns how many."""
    from chalicelib.adapters.aws import client

    s3 = client("s3")
    applied = 0
    for bucket, key, content_type, name in read_objects(directory):
        if bucket != bucket_name:
            continue
        if name is None:
            s3.delete_object(Bucket=bucket, Key=urllib.parse.unquote(key))
        else:
            body = (directory / "objects" / name).read_bytes()
            s3.put_object(Bucket=bucket, Key=urllib.parse.unquote(key), Body=body, ContentType=content_type)
        applied += 1
    return applied


class Emulator(ThreadedMotoServer):
    """moto's threaded server with sound transactions, one DynamoDB request at a time, and a journal."""

    def __init__(self, *args: Any, region: str = "ap-southeast-3", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = _DynamoDBGate(DomainDispatcherApplication(create_backend_app), region)
        self._resume: dict[str, tuple[int, list[StreamEntry]]] = {}

    def _server_entry(self) -> None:
        tune_moto()
        server = Server((self._ip_address, self._port), self.gate)
        self._server = server  # type: ignore[assignment] # stop() and get_host_and_port() use what both have
        self._server_ready_event.set()
        server.serve_forever()

    def journal_to(self, journal: Journal | None) -> None:
        """From now on every DynamoDB write is on disk before its answer (None: no longer)."""
        with self.gate.lock:
            self.gate.journal = journal

    @contextlib.contextmanager
    def quietly(self) -> Iterator[DynamoDBBackend]:
        """Writes inside go neither to the journal nor to the tables' streams (a restore, a replay).

        Afterwards every stream starts anew: where ``resume_streams`` said, with the records it
        gave handed over first; else numbered from the clock, so that a record of this run never
        repeats a sequence number an earlier run used (consumers keep "already seen" markers).
        """
        backend = _backend(self.gate.region)
        journal = self.gate.journal
        self.journal_to(None)
        self._resume = {}
        streamed = [table for table in backend.tables.values() if table.stream_shard is not None]
        for table in streamed:
            table.stream_shard = None
        try:
            yield backend
        finally:
            for table in streamed:
                shard = StreamShard(ACCOUNT, table)
                start, records = self._resume.get(table.name, (int(time.time() * 1_000_000) * 1_000_000, []))
                shard.starting_sequence_number = start
                view = str(table.stream_specification["StreamViewType"])  # type: ignore[index]
                shard.items = [_ResumedRecord(record, view) for record in records]  # type: ignore[misc]
                table.stream_shard = shard
            self.journal_to(journal)

    def resume_streams(self, plan: dict[str, tuple[int, list[StreamEntry]]]) -> None:
        """Inside ``quietly``: where each table's stream starts again, and what it hands over first."""
        self._resume = plan

    def table_lines(self, table_name: str) -> Iterator[str]:
        """Every item of a table as a line of DynamoDB JSON, read from memory (a snapshot's rows).

        The table is listed, then serialised a chunk at a time, each inside the gate's lock so that
        no write changes an item half-read. Writes in between land in the journal the snapshot
        rotated first, and replaying it brings each item up to date.
        """
        with self.gate.lock:
            table = _backend(self.gate.region).get_table(table_name)
            if table.range_key_attr:
                items = [item for by_range in table.items.values() for item in by_range.values()]
            else:
                items = list(table.items.values())
        for start in range(0, len(items), SNAPSHOT_CHUNK):
            with self.gate.lock:
                images = [item.to_json()["Attributes"] for item in items[start : start + SNAPSHOT_CHUNK]]
            for image in images:
                yield json.dumps(image, ensure_ascii=False, default=_as_json)

    def rotate_journal(self, journal: Journal) -> tuple[int, dict[str, int]]:
        """Start the journal's next segment between two requests: (its number, the next sequence
        number of each streamed table), so a snapshot taken now holds every record numbered below."""
        with self.gate.lock:
            return journal.rotate(), stream_positions(_backend(self.gate.region))


def replay_journal(backend: DynamoDBBackend, directory: Path, bucket_names: tuple[str, ...]) -> int:
    """Replay the journal's segments over what is loaded (inside ``quietly``): the items, then the
    objects of ``bucket_names``; returns the changes applied."""
    replayed = replay(backend, read_changes(directory))
    return replayed + sum(replay_objects(directory, bucket) for bucket in bucket_names)
