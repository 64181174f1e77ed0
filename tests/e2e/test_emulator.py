"""The local stack's emulator under concurrent clients: transactions and scans at once, never a 500."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from infra.local.emulator import Emulator
from tests.e2e.conftest import free_port

TABLE = "emulator-concurrency"


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    port = free_port()
    server = Emulator(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield boto3.client(
            "dynamodb",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="ap-southeast-3",
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries={"max_attempts": 1}),
        )
    finally:
        server.stop()


def test_transactions_and_scans_from_four_clients_never_fail_inside_the_emulator(dynamodb: Any) -> None:
    # Given a table of 300 items (transactions used to deep-copy it; scans iterate it)
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for n in range(300):
        dynamodb.put_item(TableName=TABLE, Item={"id": {"S": f"seed-{n}"}, "n": {"N": "0"}})
    failures: list[str] = []

    def client_work(worker: int) -> None:
        for n in range(40):  # bounded
            try:
                dynamodb.transact_write_items(
                    TransactItems=[
                        {"Put": {"TableName": TABLE, "Item": {"id": {"S": f"w{worker}-{n}"}}}},
                        {
                            "Update": {
                                "TableName": TABLE,
                                "Key": {"id": {"S": f"seed-{n % 5}"}},
                                "UpdateExpression": "SET n = n + :one",
                                "ExpressionAttributeValues": {":one": {"N": "1"}},
                            }
                        },
                    ]
                )
                dynamodb.scan(TableName=TABLE, Limit=200)
            except Exception as error:  # noqa: BLE001 - every failure is collected and shown
                failures.append(f"{type(error).__name__}: {error}")

    # When four clients run transactions and scans at the same time
    threads = [threading.Thread(target=client_work, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # Then nothing failed, and every increment and every new item is there
    assert failures == []
    total = sum(
        int(dynamodb.get_item(TableName=TABLE, Key={"id": {"S": f"seed-{n}"}})["Item"]["n"]["N"]) for n in range(5)
    )
    assert total == 4 * 40
    assert dynamodb.scan(TableName=TABLE, Select="COUNT")["Count"] == 300 + 4 * 40


def test_a_client_that_asks_before_sending_a_body_is_told_to_go_on_at_once(dynamodb: Any) -> None:
    # Given the emulator, and an S3 upload that waits for "100 Continue" before its body, as the SDKs do
    host, port = dynamodb.meta.endpoint_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(
            b"PUT /a-bucket/an-object HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
        )
        # When it waits (not more than half a second) for the answer to its question
        connection.settimeout(0.5)
        interim = connection.recv(64)
    # Then the emulator has told it to send the body
    assert interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
