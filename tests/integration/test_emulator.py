"""The emulator's transactions (infra/local/emulator.py): all or nothing, at the cost of what they touch."""

from __future__ import annotations

from typing import Any

import pytest
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
