"""The emulator's quick UpdateItem answers, stores and streams exactly what moto's own does."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb import comparisons, models, responses
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from pytest_mock import MockerFixture

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from infra.local import quick_updates
from infra.local.resources import Resources

TABLE = "quick-update-cases"
STORED = {
    "label": {"S": "first"},
    "n": {"N": "5"},
    "price": {"N": "1.50"},
    "word": {"S": "text"},
    "tags": {"SS": ["a", "b"]},
    "kind": {"S": "report"},
    "m": {"M": {"x": {"S": "inner"}, "l": {"L": [{"N": "1"}]}}},
}
# (why, expression, names, values, condition, applied without moto: None when either may be right)
Case = tuple[str, str, dict[str, str], dict[str, Any], str | None, bool | None]
CASES: list[Case] = [
    (
        "set and add",
        "SET #a = :a, #b = :b ADD #c :one",
        {"#a": "label", "#b": "new", "#c": "n"},
        {":a": {"S": "second"}, ":b": {"N": "7"}, ":one": {"N": "1"}},
        None,
        True,
    ),
    (
        "counters",
        "SET n = n + :one, fresh = if_not_exists(fresh, :zero) + :one, price = price - :one",
        {},
        {":one": {"N": "1"}, ":zero": {"N": "0"}},
        None,
        True,
    ),
    ("numbers written plainly", "ADD absent :n, n :n", {}, {":n": {"N": "01.50"}}, None, True),
    ("sets", "ADD tags :more, extra :more", {}, {":more": {"SS": ["b", "c"]}}, None, True),
    ("remove", "REMOVE word, nothing", {}, {}, None, True),
    ("copy a map", "SET copied = m, kept = if_not_exists(m, :v)", {}, {":v": {"S": "x"}}, None, True),
    ("condition held", "SET label = :a", {"#k": "kind"}, {":a": {"S": "b"}, ":k": {"S": "report"}}, "#k = :k", True),
    ("condition refused", "SET label = :a", {"#k": "kind"}, {":a": {"S": "b"}, ":k": {"S": "case"}}, "#k = :k", True),
    ("missing operand", "SET n = absent + :one", {}, {":one": {"N": "1"}}, None, False),
    ("add to a string", "ADD word :one", {}, {":one": {"N": "1"}}, None, False),
    ("add a set of another type", "ADD tags :n", {}, {":n": {"NS": ["1"]}}, None, False),
    ("sum of strings", "SET word = word + :s", {}, {":s": {"S": "x"}}, None, False),
    ("indexed key of another type", "SET kind = :n", {}, {":n": {"N": "1"}}, None, False),
    ("empty indexed key", "SET kind = :e", {}, {":e": {"S": ""}}, None, False),
    ("table key", "SET id = :x", {}, {":x": {"S": "other"}}, None, False),
    ("one attribute twice", "SET label = :a REMOVE label", {}, {":a": {"S": "x"}}, None, False),
    ("nested path", "SET m.x = :a", {}, {":a": {"S": "y"}}, None, False),
    ("list_append", "SET l2 = list_append(:l, :l)", {}, {":l": {"L": [{"N": "1"}]}}, None, False),
    ("reserved word", "SET status = :a", {}, {":a": {"S": "x"}}, None, False),
    ("two SET clauses", "SET label = :a SET word = :a", {}, {":a": {"S": "x"}}, None, False),
]


@pytest.fixture
def table(aws: Resources) -> str:
    client("dynamodb").create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "kind", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-kind",
                "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return TABLE


def _update(item_id: str, case: Case, *, new: bool = False) -> dict[str, Any]:
    """Store the item (unless ``new``), send the case's update; the answer (or error), the item after
    and the stream records it made."""
    _, expression, names, values, condition, _ = case
    dynamodb = client("dynamodb")
    shard = dynamodb_backends["123456789012"][get_settings().region].get_table(TABLE).stream_shard
    assert shard is not None
    if not new:
        dynamodb.put_item(TableName=TABLE, Item={"id": {"S": item_id}, **STORED})
    records_before = len(shard.items)
    request: dict[str, Any] = {"TableName": TABLE, "Key": {"id": {"S": item_id}}, "UpdateExpression": expression}
    request |= {"ReturnValues": "ALL_NEW", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    if names:
        request["ExpressionAttributeNames"] = names
    if values:
        request["ExpressionAttributeValues"] = values
    if condition:
        request["ConditionExpression"] = condition
    try:
        answer: Any = dynamodb.update_item(**request)["Attributes"]
    except ClientError as error:
        answer = (error.response["Error"], error.response.get("Item"))
    after = dynamodb.get_item(TableName=TABLE, Key={"id": {"S": item_id}}).get("Item")
    changes = []
    for record in shard.items[records_before:]:
        change = {**record.record["dynamodb"], "event": record.record["eventName"]}
        for varying in ("ApproximateCreationDateTime", "SequenceNumber", "SizeBytes"):
            change.pop(varying)
        changes.append(change)
    read: dict[str, Any] = _without_id({"answer": answer, "after": after, "changes": changes}, item_id)
    return read


def _without_id(value: Any, item_id: str) -> Any:
    if isinstance(value, dict):
        return {k: _without_id(v, item_id) for k, v in value.items() if v != {"S": item_id}}
    if isinstance(value, list | tuple):
        return [_without_id(v, item_id) for v in value]
    return value


def _both_ways(case: Case, mocker: MockerFixture, *, new: bool = False) -> tuple[dict[str, Any], dict[str, Any], int]:
    """The case by moto's own update_item and condition parser, then by the quick path; and how many
    times the quick path still asked moto."""
    quick_updates.quicken_updates()
    mocker.patch.object(DynamoDBBackend, "update_item", quick_updates._MOTO_UPDATE_ITEM)
    for module in (comparisons, models, responses):
        mocker.patch.object(module, "create_condition_expression_parser", quick_updates._MOTO_CONDITION_PARSER)
    by_moto = _update("by-moto", case, new=new)
    mocker.stopall()
    moto_used = mocker.spy(quick_updates, "_MOTO_UPDATE_ITEM")
    quickly = _update("quickly", case, new=new)
    return by_moto, quickly, moto_used.call_count


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_an_update_reads_the_same_whether_applied_quickly_or_by_moto(
    table: str, case: Case, mocker: MockerFixture
) -> None:
    # Given what moto's own update_item and condition parser make of the case, when the quick path has it
    by_moto, quickly, moto_calls = _both_ways(case, mocker)

    # Then the answer, the stored item and the stream record are the same, and moto was asked only when needed
    assert quickly == by_moto
    assert (moto_calls == 0) is case[5]


# Updates that create their item, as the statistics' counters and markers and a case's first report do
# (applied without moto: True), and every case above on an item not there yet (applied quickly or not).
NEW_ITEM_CASES: list[Case] = [
    ("marker", "SET #0 = :0 ADD #1 :1", {"#0": "at", "#1": "n"}, {":0": {"S": "x"}, ":1": {"N": "1"}}, None, True),
    (
        "upsert",
        "SET #2 = :0, #3 = if_not_exists (#3, :1) ADD #4 :2",
        {"#2": "label", "#3": "kind", "#4": "n"},
        {":0": {"S": "a"}, ":1": {"S": "case"}, ":2": {"N": "1"}},
        "attribute_not_exists(verdict) OR attribute_not_exists(applied)",
        True,
    ),
    ("refused", "ADD n :one", {}, {":one": {"N": "1"}}, "attribute_exists(id)", True),
    *[
        (f"new item, {why}", expression, names, values, condition, None)
        for why, expression, names, values, condition, _ in CASES
    ],
]


@pytest.mark.parametrize("case", NEW_ITEM_CASES, ids=[case[0] for case in NEW_ITEM_CASES])
def test_an_update_that_creates_its_item_leaves_what_moto_leaves_streamed_as_one_insert(
    table: str, case: Case, mocker: MockerFixture
) -> None:
    # Given what moto's own update_item makes of the case on an item not there yet, when the quick path has it
    by_moto, quickly, moto_calls = _both_ways(case, mocker, new=True)

    # Then the answer and the stored item are moto's
    assert quickly["answer"] == by_moto["answer"]
    assert quickly["after"] == by_moto["after"]
    if case[5] is not None:
        assert (moto_calls == 0) is case[5]
    if moto_calls or quickly["after"] is None:
        assert quickly["changes"] == by_moto["changes"]  # moto's own records, or none when nothing was written
    else:
        # And the stream has one INSERT of the whole item, where moto's first record holds the bare key
        assert [change["event"] for change in by_moto["changes"]] == ["INSERT", "INSERT"]
        assert by_moto["changes"][0]["NewImage"] == {}  # the key alone (the id is left out of what is compared)
        assert quickly["changes"] == by_moto["changes"][1:]


def test_a_flat_expression_is_planned_once_and_a_nested_one_is_left_to_moto() -> None:
    assert quick_updates.plan("SET #0 = :0 ADD #1 :1 REMOVE #2") == (
        ("SET", "#0", ("value", ":0")),
        ("ADD", "#1", ":1"),
        ("REMOVE", "#2"),
    )
    assert quick_updates.plan("SET a.b = :v") is None
    assert quick_updates.plan("SET a = if_not_exists(a, :z) + :o") == (
        ("SET", "a", ("+", ("if_not_exists", "a", ("value", ":z")), ("value", ":o"))),
    )


def test_a_condition_is_parsed_once_whatever_else_its_write_s_values_hold(mocker: MockerFixture) -> None:
    # Given the condition of a write whose update values differ every time (as a report's text and times do)
    quick_updates._parsed_condition.cache_clear()
    parser = mocker.spy(quick_updates, "_MOTO_CONDITION_PARSER")
    names = {"#s": "status", "#t": "text"}
    trees = [
        quick_updates._ParsedCondition("#s = :s", names, {":s": {"S": "checking"}, ":t": {"S": f"teks {n}"}}).parse()
        for n in range(3)
    ]
    # Then it was parsed once, and reads items as a fresh parse does
    assert parser.call_count == 1
    assert [tree.expr(None) for tree in trees] == [False] * 3
    # And another value of its own is another condition
    quick_updates._ParsedCondition("#s = :s", names, {":s": {"S": "received"}, ":t": {"S": "teks"}}).parse()
    assert parser.call_count == 2
