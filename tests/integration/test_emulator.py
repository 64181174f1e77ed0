"""The emulator's transactions (infra/local/emulator.py): all or nothing, at the cost of what they touch."""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any

import pytest
from moto.core.responses import ActionResult
from pytest_mock import MockerFixture

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from infra.local import emulator
from infra.local.resources import Resources


def _table() -> str:
    return get_settings().table_name("usage")  # a plain table: key "id"


def _put(item_id: str, **attributes: Any) -> dict[str, Any]:
    return {"Put": {"TableName": _table(), "Item": {"id": {"S": item_id}, **attributes}}}


def _count() -> int:
    return int(client("dynamodb").scan(TableName=_table(), Select="COUNT")["Count"])


def _backend_table() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends["123456789012"][get_settings().region].get_table(_table())


def test_a_refused_transaction_writes_nothing_copies_nothing_and_keeps_the_table(
    aws: Resources, mocker: MockerFixture
) -> None:
    # Given a table of 200 items
    dynamodb = client("dynamodb")
    for n in range(200):
        dynamodb.put_item(TableName=_table(), Item={"id": {"S": f"item-{n}"}, "n": {"N": str(n)}})
    table_before = _backend_table()
    copies = mocker.spy(emulator, "_copy_of")

    # When a transaction writes two new items but its third condition fails
    refused = [
        _put("new-1"),
        _put("new-2"),
        {
            "ConditionCheck": {
                "TableName": _table(),
                "Key": {"id": {"S": "item-7"}},
                "ConditionExpression": "n = :wrong",
                "ExpressionAttributeValues": {":wrong": {"N": "-1"}},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
    ]
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException) as cancelled:
        dynamodb.transact_write_items(TransactItems=refused)

    # Then nothing was written or copied, the reasons are per item, and the table is the same object
    reasons = cancelled.value.response["CancellationReasons"]
    assert [reason["Code"] for reason in reasons] == ["None", "None", "ConditionalCheckFailed"]
    assert reasons[2]["Item"]["n"] == {"N": "7"}
    assert _count() == 200 and copies.call_count == 0
    assert _backend_table() is table_before

    # And a transaction that goes through copies only the items it touches
    dynamodb.transact_write_items(TransactItems=[_put("new-1"), _put("new-2")])
    assert _count() == 202 and copies.call_count == 2


def test_a_write_failing_midway_puts_back_what_the_transaction_had_written(aws: Resources) -> None:
    # Given an item whose counter is text, so adding to it fails
    dynamodb = client("dynamodb")
    dynamodb.put_item(TableName=_table(), Item={"id": {"S": "text"}, "n": {"S": "not a number"}})
    dynamodb.put_item(TableName=_table(), Item={"id": {"S": "kept"}, "n": {"N": "1"}})
    # When a transaction replaces one item, then fails on the other
    items = [
        _put("kept", n={"N": "2"}),
        {
            "Update": {
                "TableName": _table(),
                "Key": {"id": {"S": "text"}},
                "UpdateExpression": "SET n = n + :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
    ]
    with pytest.raises(dynamodb.exceptions.ClientError):
        dynamodb.transact_write_items(TransactItems=items)
    # Then the first item is as it was
    kept = dynamodb.get_item(TableName=_table(), Key={"id": {"S": "kept"}})["Item"]
    assert kept["n"] == {"N": "1"}


def test_two_operations_on_one_item_are_refused_at_once(aws: Resources) -> None:
    dynamodb = client("dynamodb")
    with pytest.raises(dynamodb.exceptions.ClientError, match=r"multiple operations|one item"):
        dynamodb.transact_write_items(TransactItems=[_put("x"), _put("x")])
    assert _count() == 0


def test_old_stream_records_and_iterators_are_forgotten_without_renumbering(
    aws: Resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a stream with 30 records, read up to the 25th, and a limit of 10 records kept
    monkeypatch.setattr(emulator, "STREAM_RECORDS_KEPT", 10)
    monkeypatch.setattr(emulator, "SHARD_ITERATORS_KEPT", 1)
    dynamodb, streams = client("dynamodb"), client("dynamodbstreams")
    table = get_settings().table_name("claims")
    for n in range(30):
        dynamodb.put_item(TableName=table, Item={"id": {"S": f"clm_{n:024d}"}, "title": {"S": "t"}})
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard_id = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")
    first = streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=25)
    numbers = [record["dynamodb"]["SequenceNumber"] for record in first["Records"]]

    # When the emulator forgets what it keeps no longer
    emulator.forget_old_stream_state(get_settings().region)

    # Then the reader goes on where it was, with the same sequence numbers, and only 10 records are held
    rest = streams.get_records(ShardIterator=first["NextShardIterator"], Limit=100)["Records"]
    assert [record["dynamodb"]["Keys"]["id"]["S"] for record in rest] == [f"clm_{n:024d}" for n in range(25, 30)]
    assert int(rest[0]["dynamodb"]["SequenceNumber"]) == int(numbers[-1]) + 1
    shard = emulator._backend(get_settings().region).get_table(table).stream_shard
    assert shard is not None and len(shard.items) == 10
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    assert len(dynamodbstreams_backends[emulator.ACCOUNT][get_settings().region].shard_iterators) <= 2


def test_a_query_of_one_partition_reads_only_that_partition(aws: Resources, mocker: MockerFixture) -> None:
    # Given a table with a range key holding 50 partitions of 4 items
    from moto.dynamodb.models.table import Table

    dynamodb = client("dynamodb")
    stats = get_settings().table_name("stats")
    for partition in range(50):
        for counter in range(4):
            item = {"partition": {"S": f"p{partition}"}, "key": {"S": f"c{counter}"}, "tally": {"N": "1"}}
            dynamodb.put_item(TableName=stats, Item=item)
    every_item = mocker.spy(Table, "all_items")

    # When one partition is queried
    answer = dynamodb.query(
        TableName=stats,
        KeyConditionExpression="#p = :p",
        ExpressionAttributeNames={"#p": "partition"},
        ExpressionAttributeValues={":p": {"S": "p7"}},
    )

    # Then its four items come back, in order, without reading the others
    assert [item["key"]["S"] for item in answer["Items"]] == ["c0", "c1", "c2", "c3"]
    assert every_item.call_count == 0


def _every_item_operation(dynamodb: Any) -> list[Any]:
    """Each operation in PLAIN_ANSWERS once, with every attribute type, binary ones included."""
    table = _table()
    item = {
        "id": {"S": "typed"},
        "n": {"N": "1.5"},
        "b": {"B": b"\x00\xff"},
        "nested": {"L": [{"S": "x"}, {"M": {"yes": {"BOOL": True}, "none": {"NULL": True}}}]},
        "ss": {"SS": ["a", "b"]},
        "bs": {"BS": [b"\x01"]},
    }
    key = {"id": {"S": "typed"}}
    answers = [
        dynamodb.put_item(TableName=table, Item=item, ReturnValues="ALL_OLD"),
        dynamodb.put_item(TableName=table, Item=item, ReturnValues="ALL_OLD", ReturnConsumedCapacity="TOTAL"),
        dynamodb.get_item(TableName=table, Key=key),
        dynamodb.get_item(TableName=table, Key={"id": {"S": "absent"}}),
        dynamodb.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET n = n + :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="ALL_NEW",
        ),
        dynamodb.scan(TableName=table, Limit=1),
        dynamodb.query(
            TableName=table, KeyConditionExpression="id = :id", ExpressionAttributeValues={":id": {"S": "typed"}}
        ),
        dynamodb.batch_get_item(RequestItems={table: {"Keys": [key, {"id": {"S": "absent"}}]}}),
        dynamodb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"id": {"S": "second"}}}}]}),
        dynamodb.transact_write_items(TransactItems=[_put("third")]),
        dynamodb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": key}}]),
        dynamodb.delete_item(TableName=table, Key={"id": {"S": "second"}}, ReturnValues="ALL_OLD"),
    ]
    for answer in answers:
        answer.pop("ResponseMetadata")
    return answers


def test_item_answers_dumped_plainly_read_the_same_as_moto_serialised_ones(
    aws: Resources, mocker: MockerFixture
) -> None:
    # Given the answers of every item operation through moto's own serializer
    mocker.patch.object(ActionResult, "execute_result", emulator._SERIALIZED_ANSWER)
    dynamodb = client("dynamodb")
    serialised = _every_item_operation(dynamodb)
    for table_item in ("typed", "third"):
        dynamodb.delete_item(TableName=_table(), Key={"id": {"S": table_item}})

    # When the same operations are answered plainly
    emulator.serialise_items_plainly()
    plain = _every_item_operation(dynamodb)

    # Then the SDK reads the same answers, bytes and numbers included
    assert plain == serialised
    assert plain[2]["Item"]["b"] == {"B": b"\x00\xff"}
    assert ActionResult.execute_result is emulator._plain_answer


def _fill(queue_url: str, messages: int) -> None:
    """A backlog of ``messages`` on the queue, sent ten at a time."""
    for start in range(0, messages, 10):
        entries = [{"Id": str(n), "MessageBody": f"message {n}"} for n in range(start, min(start + 10, messages))]
        client("sqs").send_message_batch(QueueUrl=queue_url, Entries=entries)


def test_receiving_from_a_full_queue_never_reads_all_its_attributes(aws: Resources, mocker: MockerFixture) -> None:
    # Given a queue holding 300 messages and one message kept past its retention period
    from moto.sqs.models import Queue

    emulator.quicken_queues()
    sqs = client("sqs")
    _fill(aws.check_queue_url, 300)
    expired_url = sqs.create_queue(QueueName="expired", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=expired_url, MessageBody="old")
    mocker.patch.object(time, "time", return_value=time.time() + 61)  # a minute later
    attributes = mocker.spy(Queue, "attributes")

    # When ten are received from each
    received = sqs.receive_message(QueueUrl=aws.check_queue_url, MaxNumberOfMessages=10)["Messages"]
    expired = sqs.receive_message(QueueUrl=expired_url, MaxNumberOfMessages=10).get("Messages", [])

    # Then the full queue hands out ten without counting its messages, and the expired one none
    assert len(received) == 10
    assert expired == []
    assert attributes.call_count == 0


def test_sending_to_a_full_queue_never_counts_its_messages_and_deduplication_still_holds(
    aws: Resources, mocker: MockerFixture
) -> None:
    # Given a queue holding 300 messages, and a FIFO queue that deduplicates by content
    from moto.sqs.models import Queue

    emulator.quicken_queues()
    sqs = client("sqs")
    _fill(aws.check_queue_url, 300)
    fifo_url = sqs.create_queue(
        QueueName="once.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    counted: list[str] = []

    def counting(name: str) -> property:
        original = getattr(Queue, name)

        def count(queue: Queue) -> Any:
            counted.append(name)
            return original.fget(queue)

        return property(count)

    for name in ("approximate_number_of_messages", "approximate_number_of_messages_not_visible"):
        mocker.patch.object(Queue, name, counting(name))

    # When ten more are sent, and the same body twice to the FIFO queue
    entries = [{"Id": str(n), "MessageBody": f"more {n}"} for n in range(10)]
    sqs.send_message_batch(QueueUrl=aws.check_queue_url, Entries=entries)
    for _ in range(2):
        sqs.send_message(QueueUrl=fifo_url, MessageBody="sekali saja", MessageGroupId="g")

    # Then no send counted the messages (moto's read every attribute, three of them counting the
    # backlog), the FIFO queue holds the body once, and asking for the attributes still counts
    assert counted == []
    assert (
        sqs.get_queue_attributes(QueueUrl=fifo_url, AttributeNames=["All"])["Attributes"]["ApproximateNumberOfMessages"]
        == "1"
    )
    checks = sqs.get_queue_attributes(QueueUrl=aws.check_queue_url, AttributeNames=["ApproximateNumberOfMessages"])
    assert checks["Attributes"]["ApproximateNumberOfMessages"] == "310"
    assert "approximate_number_of_messages" in counted


def test_deleting_a_received_message_reads_no_further_than_it_and_keeps_the_rest(
    aws: Resources, mocker: MockerFixture
) -> None:
    # Given a backlog of 300 messages, the first received
    from moto.sqs.models import Message, Queue, sqs_backends

    emulator.quicken_queues()
    sqs = client("sqs")
    _fill(aws.check_queue_url, 300)
    handle = sqs.receive_message(QueueUrl=aws.check_queue_url)["Messages"][0]["ReceiptHandle"]
    queue: Queue = sqs_backends["123456789012"][get_settings().region].get_queue(aws.check_queue_url.rsplit("/", 1)[1])
    looked_at = mocker.spy(Message, "had_receipt_handle")

    # When it is deleted
    sqs.delete_message(QueueUrl=aws.check_queue_url, ReceiptHandle=handle)

    # Then the delete looked at that one message only (moto read the backlog twice, rebuilding it
    # from a copy), the other 299 are kept, deleting again is fine, and an unknown handle is refused
    assert looked_at.call_count == 1
    assert len(queue._messages) == 299
    sqs.delete_message(QueueUrl=aws.check_queue_url, ReceiptHandle=handle)
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=aws.check_queue_url, ReceiptHandle="never-given-out")


def test_a_receive_holds_its_queue_s_lock_so_receives_and_deletes_never_overlap(
    aws: Resources, mocker: MockerFixture
) -> None:
    # Given a queue with messages
    from moto.sqs.models import Queue

    emulator.quicken_queues()
    sqs = client("sqs")
    sqs.send_message_batch(QueueUrl=aws.check_queue_url, Entries=[{"Id": str(n), "MessageBody": "m"} for n in range(3)])
    held: list[bool] = []
    in_flight = Queue.pending_message_groups

    def reading_in_flight(queue: Queue) -> Any:
        held.append(queue._messages_lock._is_owned())  # type: ignore[attr-defined]
        return in_flight.fget(queue)  # type: ignore[attr-defined]

    mocker.patch.object(Queue, "pending_message_groups", property(reading_in_flight))
    # When they are received
    received = sqs.receive_message(QueueUrl=aws.check_queue_url, MaxNumberOfMessages=10)["Messages"]
    # Then the receive read the messages in flight holding the queue's lock (moto's did not: a
    # concurrent delete changed that set under it)
    assert len(received) == 3
    assert held and all(held)


def test_stream_records_dumped_plainly_read_the_same_as_moto_serialised_ones(
    aws: Resources, mocker: MockerFixture
) -> None:
    # Given a streamed table with an item written, changed and removed, bytes among its attributes
    dynamodb = client("dynamodb")
    dynamodb.create_table(
        TableName="streamed",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    key = {"id": {"S": "one"}}
    dynamodb.put_item(TableName="streamed", Item={**key, "b": {"B": b"\x00\xff"}, "n": {"N": "1"}})
    dynamodb.put_item(TableName="streamed", Item={**key, "b": {"B": b"\x01"}, "n": {"N": "2"}})
    dynamodb.delete_item(TableName="streamed", Key=key)
    streams = client("dynamodbstreams")
    arn = dynamodb.describe_table(TableName="streamed")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]

    def records() -> list[dict[str, Any]]:
        start = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        return list(streams.get_records(ShardIterator=start["ShardIterator"])["Records"])

    mocker.patch.object(ActionResult, "execute_result", emulator._SERIALIZED_ANSWER)
    serialised = records()

    # When they are read with plain answers
    emulator.serialise_items_plainly()
    plain = records()

    # Then the SDK reads the same records, creation times and bytes included
    assert [record["eventName"] for record in plain] == ["INSERT", "MODIFY", "REMOVE"]
    assert plain == serialised
    assert plain[1]["dynamodb"]["OldImage"]["b"] == {"B": b"\x00\xff"}


def test_a_stream_source_gathers_records_for_its_batching_window(app: Any, aws: Resources) -> None:
    # Given the reports stream read with a one-second batching window, and one report written
    from types import SimpleNamespace

    from infra.local.runner import EventSourceRunner, _StreamSource

    settings = get_settings()
    runner = EventSourceRunner(app, settings)
    config = SimpleNamespace(
        name="report_stream",
        stream_arn=settings.reports_stream_arn,
        batch_size=100,
        starting_position="TRIM_HORIZON",
        maximum_batching_window_in_seconds=1,
    )
    source = _StreamSource(runner, config)  # type: ignore[arg-type]
    [shard] = source.shards.values()
    dynamodb = client("dynamodb")
    table = settings.table_name("reports")
    dynamodb.put_item(TableName=table, Item={"id": {"S": "rpt_first"}})

    # When two more come within the window, while the source is gathering
    def later() -> None:
        for name in ("rpt_second", "rpt_third"):
            time.sleep(0.3)
            dynamodb.put_item(TableName=table, Item={"id": {"S": name}})

    writer = threading.Thread(target=later)
    writer.start()
    batch = source.gather(shard)
    writer.join()

    # Then all three are one batch, in order; and an empty stream answers at once
    assert [record["dynamodb"]["Keys"]["id"]["S"] for record in batch] == ["rpt_first", "rpt_second", "rpt_third"]
    started = time.monotonic()
    assert source.gather(shard) == []
    assert time.monotonic() - started < 0.5


def test_an_update_expression_is_parsed_once_and_applied_with_each_call_s_values(
    aws: Resources, mocker: MockerFixture
) -> None:
    # Given moto's lookups remembered, and an item
    from moto.dynamodb.parsing.tokens import ExpressionTokenizer

    emulator.remember_moto_modules()
    dynamodb = client("dynamodb")
    dynamodb.put_item(TableName=_table(), Item={"id": {"S": "counted"}, "n": {"N": "0"}})
    tokenised = mocker.spy(ExpressionTokenizer, "make_list")
    expression = "SET n = n + :step, label = :label"

    # When the same expression is sent three times with other values
    for step, label in ((1, "one"), (10, "two"), (100, "three")):
        dynamodb.update_item(
            TableName=_table(),
            Key={"id": {"S": "counted"}},
            UpdateExpression=expression,
            ExpressionAttributeValues={":step": {"N": str(step)}, ":label": {"S": label}},
        )

    # Then each call applied its own values, and the expression was read at most once
    item = dynamodb.get_item(TableName=_table(), Key={"id": {"S": "counted"}})["Item"]
    assert item["n"] == {"N": "111"} and item["label"] == {"S": "three"}
    assert tokenised.call_count <= 1


def test_an_item_s_size_is_checked_once_as_it_is_built_and_a_too_large_one_is_refused(
    aws: Resources, mocker: MockerFixture
) -> None:
    # Given an item of 40 attributes, and one of 410 KB
    from botocore.exceptions import ClientError
    from moto.dynamodb.models.dynamo_type import DynamoType

    emulator.size_items_once()
    dynamodb = client("dynamodb")
    wide = {"id": {"S": "wide"}, **{f"a{n}": {"S": f"value {n}"} for n in range(40)}}
    sized = mocker.spy(DynamoType, "size")
    # When both are written
    dynamodb.put_item(TableName=_table(), Item=wide)
    with pytest.raises(ClientError) as refused:
        dynamodb.put_item(TableName=_table(), Item={"id": {"S": "huge"}, "text": {"S": "x" * 410_000}})
    # Then the wide one is stored, its size worked out in one pass (moto summed all at each attribute:
    # 40 attributes, 861 sizes), and the huge one is refused as DynamoDB refuses it
    assert dynamodb.get_item(TableName=_table(), Key={"id": {"S": "wide"}})["Item"] == wide
    assert sized.call_count < 200
    assert "Item size has exceeded the maximum allowed size" in str(refused.value)


def test_a_restored_item_reads_back_as_it_was_saved_with_or_without_a_range_key(aws: Resources) -> None:
    # Given items as a snapshot holds them: one of a plain table, one of a table with a range key
    from moto.dynamodb.models import dynamodb_backends

    settings = get_settings()
    backend = dynamodb_backends["123456789012"][settings.region]
    plain = {"id": {"S": "restored"}, "n": {"N": "7"}, "tags": {"SS": ["a", "b"]}, "m": {"M": {"x": {"L": []}}}}
    ranged = {"partition": {"S": "2026-11-20"}, "key": {"S": "total"}, "tally": {"N": "3"}}
    # When they are loaded straight into their tables
    emulator.load_item(backend, _table(), plain)
    emulator.load_item(backend, settings.table_name("stats"), ranged)
    # Then the API reads them back unchanged, and queries find them
    dynamodb = client("dynamodb")
    assert dynamodb.get_item(TableName=_table(), Key={"id": {"S": "restored"}})["Item"] == plain
    found = dynamodb.query(
        TableName=settings.table_name("stats"),
        KeyConditionExpression="#p = :p",
        ExpressionAttributeNames={"#p": "partition"},
        ExpressionAttributeValues={":p": {"S": "2026-11-20"}},
    )["Items"]
    assert found == [ranged]


def test_a_snapshot_reads_each_table_from_memory_as_a_scan_would(aws: Resources) -> None:
    # Given items in a plain table and in one with a range key, a binary attribute among them
    settings = get_settings()
    dynamodb = client("dynamodb")
    for n in range(2_500):  # more than a chunk
        dynamodb.put_item(TableName=_table(), Item={"id": {"S": f"item-{n}"}, "n": {"N": str(n)}})
    dynamodb.put_item(TableName=_table(), Item={"id": {"S": "bytes"}, "b": {"B": b"\x00\xff"}, "l": {"L": []}})
    stats = settings.table_name("stats")
    dynamodb.put_item(TableName=stats, Item={"partition": {"S": "p"}, "key": {"S": "k"}, "tally": {"N": "2"}})
    # When a snapshot reads them from the emulator's memory
    local = emulator.Emulator(ip_address="127.0.0.1", port=0, region=settings.region)
    lines = {table: [json.loads(line) for line in local.table_lines(table)] for table in (_table(), stats)}
    # Then it has every item, as a scan shows it (binary values in base64, as DynamoDB JSON writes them)
    for table, read in lines.items():
        scanned = [item for page in dynamodb.get_paginator("scan").paginate(TableName=table) for item in page["Items"]]
        for item in scanned:
            for value in item.values():
                if "B" in value:
                    value["B"] = base64.b64encode(value["B"]).decode()
        assert sorted(read, key=json.dumps) == sorted(scanned, key=json.dumps)
    assert len(lines[_table()]) == 2_501


def _signed(target: str, body: dict[str, Any]) -> dict[str, Any]:
    """What botocore sends for a JSON-protocol call (moto reads the region and account from the signature)."""
    service = "sqs" if target.startswith("AmazonSQS") else "dynamodb"
    scope = f"testing/20261130/{get_settings().region}/{service}/aws4_request"
    return {
        "headers": {
            "X-Amz-Target": target,
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host;x-amz-target, Signature=0",
        },
        "data": json.dumps(body),
    }


def test_dynamodb_streams_and_sqs_answer_directly_as_moto_s_flask_app_answers(aws: Resources) -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.test import Client

    # Given an item, a queue, and the same calls (answers and refusals) sent to moto's Flask app and directly
    client("dynamodb").put_item(TableName=_table(), Item={"id": {"S": "there"}, "n": {"N": "1"}})
    queue = get_settings().check_queue_name
    calls: list[tuple[str, dict[str, Any]]] = [
        ("DynamoDB_20120810.GetItem", {"TableName": _table(), "Key": {"id": {"S": "there"}}}),
        ("DynamoDB_20120810.GetItem", {"TableName": "no-such-table", "Key": {"id": {"S": "x"}}}),
        (
            "DynamoDB_20120810.PutItem",
            {
                "TableName": _table(),
                "Item": {"id": {"S": "there"}},
                "ConditionExpression": "attribute_not_exists(id)",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            },
        ),
        (
            "DynamoDB_20120810.Query",
            {
                "TableName": _table(),
                "KeyConditionExpression": "id = :i",
                "ExpressionAttributeValues": {":i": {"S": "there"}},
            },
        ),
        ("DynamoDBStreams_20120810.DescribeStream", {"StreamArn": "arn:aws:dynamodb:x:1:table/none/stream/0"}),
        ("AmazonSQS.GetQueueUrl", {"QueueName": queue}),
        ("AmazonSQS.GetQueueUrl", {"QueueName": "no-such-queue"}),
    ]
    flask = Client(DomainDispatcherApplication(create_backend_app))
    direct = Client(emulator.served_directly)

    for target, body in calls:
        # When each is answered both ways
        by_flask = flask.post("/", **_signed(target, body))
        directly = direct.post("/", **_signed(target, body))

        # Then the status, the body and what botocore reads of the headers are the same
        assert (directly.status_code, directly.get_data()) == (by_flask.status_code, by_flask.get_data()), target
        for header in ("Content-Type", "x-amz-crc32", "x-amzn-query-error"):
            assert directly.headers.get(header) == by_flask.headers.get(header), (target, header)
        assert directly.headers.get("x-amzn-RequestId"), target


_ITEM = {
    "id": {"S": "rpt_1"},
    "n": {"N": "1.50"},
    "tags": {"SS": ["a", "b"]},
    "counts": {"NS": ["1", "2"]},
    "seen": {"L": [{"S": "x"}, {"N": "2"}, {"BOOL": True}]},
    "doc": {"M": {"inner": {"NULL": True}, "more": {"M": {"deep": {"S": 'é ünïcode " quoted B'}}}}},
}
_BLOBS = {"id": {"S": "rpt_2"}, "sealed": {"B": base64.b64encode(b"\x00\x01").decode()}, "set": {"BS": ["AAE="]}}
# (target, body, moto's parser needed): requests shaped as the app's store and runner send them
_REQUESTS: list[tuple[str, dict[str, Any], bool]] = [
    ("DynamoDB_20120810.GetItem", {"TableName": "t", "Key": {"id": {"S": "rpt_1"}}, "ConsistentRead": True}, False),
    (
        "DynamoDB_20120810.PutItem",
        {
            "TableName": "t",
            "Item": _ITEM,
            "ConditionExpression": "attribute_not_exists (#0)",
            "ExpressionAttributeNames": {"#0": "id"},
            "ReturnValues": "NONE",
        },
        False,
    ),
    (
        "DynamoDB_20120810.Query",
        {
            "TableName": "t",
            "IndexName": "pending",
            "KeyConditionExpression": "#0 = :0",
            "Limit": 25,
            "ExpressionAttributeNames": {"#0": "pending_shard"},
            "ExpressionAttributeValues": {":0": {"S": "p#1"}},
            "ExclusiveStartKey": {"id": {"S": "rpt_1"}, "updated_at": {"S": "2026-11-30"}},
            "ScanIndexForward": False,
        },
        False,
    ),
    (
        "DynamoDB_20120810.TransactWriteItems",
        {
            "TransactItems": [
                {
                    "Update": {
                        "TableName": "t",
                        "Key": {"id": {"S": "rpt_1"}},
                        "UpdateExpression": "SET #0 = :0 ADD #1 :1",
                        "ExpressionAttributeNames": {"#0": "a", "#1": "n"},
                        "ExpressionAttributeValues": {":0": {"L": []}, ":1": {"N": "1"}},
                    }
                },
                {"Put": {"TableName": "t", "Item": _ITEM}},
                {
                    "ConditionCheck": {
                        "TableName": "t",
                        "Key": {"id": {"S": "x"}},
                        "ConditionExpression": "attribute_exists (id)",
                    }
                },
            ],
            "ClientRequestToken": "token",
        },
        False,
    ),
    ("DynamoDB_20120810.BatchWriteItem", {"RequestItems": {"t": [{"PutRequest": {"Item": _ITEM}}]}}, False),
    (
        "DynamoDB_20120810.BatchGetItem",
        {"RequestItems": {"t": {"Keys": [{"id": {"S": "a"}}], "ConsistentRead": True}}},
        False,
    ),
    ("DynamoDB_20120810.PutItem", {"TableName": "t", "Item": _BLOBS}, True),
    ("DynamoDB_20120810.ListBackups", {"TableName": "t", "TimeRangeLowerBound": 1764460800}, True),
    (
        "AmazonSQS.SendMessageBatch",
        {
            "QueueUrl": "http://q/1/checks",
            "Entries": [
                {
                    "Id": "0",
                    "MessageBody": '{"report_id": "rpt_1"}',
                    "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "check"}},
                }
            ],
        },
        False,
    ),
    (
        "AmazonSQS.ReceiveMessage",
        {
            "QueueUrl": "http://q/1/checks",
            "MaxNumberOfMessages": 10,
            "WaitTimeSeconds": 0,
            "MessageSystemAttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
        },
        False,
    ),
    (
        "AmazonSQS.SendMessage",
        {
            "QueueUrl": "http://q/1/checks",
            "MessageBody": "x",
            "MessageAttributes": {"raw": {"DataType": "Binary", "BinaryValue": "AAE="}},
        },
        True,
    ),
]


@pytest.mark.parametrize("target, body, parser_needed", _REQUESTS, ids=[f"{r[0]}-{r[2]}" for r in _REQUESTS])
def test_a_request_s_parameters_read_the_same_without_moto_s_parser_where_it_changes_nothing(
    target: str, body: dict[str, Any], parser_needed: bool, mocker: MockerFixture
) -> None:
    from moto.core.responses import BaseResponse
    from moto.dynamodb.responses import DynamoHandler
    from moto.sqs.responses import SQSResponse
    from werkzeug.test import EnvironBuilder

    def parameters(handler: Any) -> Any:
        request = emulator._ServerRequest(
            EnvironBuilder(method="POST", path="/", **_signed(target, body)).get_environ()
        )
        instance = handler()
        instance.setup_class(request)
        return instance.params

    # Given what moto's own handler parses of the request
    service = target.split(".", 1)[0]
    by_moto = parameters(SQSResponse if service == "AmazonSQS" else DynamoHandler)
    parser = mocker.spy(BaseResponse, "parse_parameters")

    # When the emulator's handler has it
    directly = parameters(emulator._handlers()[service].__self__)

    # Then the parameters are the same, and moto's parser ran only where blobs or times needed it
    assert directly == by_moto
    assert (parser.call_count == 1) is parser_needed
