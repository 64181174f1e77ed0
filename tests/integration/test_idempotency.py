"""Idempotency-Key: a retry gets the first answer; a reused key with another body is refused."""

from __future__ import annotations

import json
from typing import Any

from pytest_mock import MockerFixture

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from tests.integration.conftest import Api

BODY = {"text": "Pemilu diundur ke Juni", "platform": "whatsapp", "province": "31"}


def _report_count() -> int:
    table = get_settings().table_name("reports")
    return int(client("dynamodb").scan(TableName=table, Select="COUNT")["Count"])


def test_a_retry_returns_the_first_answer_and_stores_one_report(api: Api) -> None:
    first = api.post_report(BODY, **{"Idempotency-Key": "tipline-42"})
    again = api.post_report(BODY, **{"Idempotency-Key": "tipline-42"})
    assert first.status_code == again.status_code == 202
    assert json.loads(first.body) == json.loads(again.body)
    assert _report_count() == 1


def test_the_same_key_with_another_body_is_422(api: Api) -> None:
    api.post_report(BODY, **{"Idempotency-Key": "tipline-43"})
    answer = api.post_report({**BODY, "province": "32"}, **{"Idempotency-Key": "tipline-43"})
    assert answer.status_code == 422
    assert json.loads(answer.body)["type"].endswith("/idempotency-key-reused")
    assert _report_count() == 1


def test_without_a_key_each_submission_is_a_new_report(api: Api) -> None:
    assert api.submit(BODY) != api.submit(BODY)
    assert _report_count() == 2


def test_a_retry_days_later_with_the_same_body_gets_the_first_answer_though_the_report_moved_on(api: Api) -> None:
    # Given a keyed report that has since been checked (the report is its own idempotency record)
    first = json.loads(api.post_report(BODY, **{"Idempotency-Key": "tipline-44"}).body)
    reports = get_settings().table_name("reports")
    client("dynamodb").update_item(
        TableName=reports,
        Key={"id": {"S": first["id"]}},
        UpdateExpression="SET #s = :checked",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":checked": {"S": "needs_review"}},
    )
    # When the partner retries
    again = api.post_report(BODY, **{"Idempotency-Key": "tipline-44"})
    # Then it gets the first answer word for word, and there is still only one report
    assert again.status_code == 202
    assert json.loads(again.body) == first
    assert _report_count() == 1


def test_nothing_but_the_report_is_written_for_a_keyed_submission(api: Api) -> None:
    # Given the tables an API submission may write to, besides the caller's usage counter
    dynamodb = client("dynamodb")
    names = [name for name in dynamodb.list_tables()["TableNames"] if not name.endswith("usage")]
    before = {name: dynamodb.scan(TableName=name, Select="COUNT")["Count"] for name in names}
    # When a keyed report is submitted
    api.post_report(BODY, **{"Idempotency-Key": "tipline-47"})
    # Then the one new item is the report
    after = {name: dynamodb.scan(TableName=name, Select="COUNT")["Count"] for name in names}
    grown = {name: after[name] - before[name] for name in names if after[name] != before[name]}
    assert grown == {get_settings().table_name("reports"): 1}


def test_a_twin_sent_while_the_first_is_still_running_gets_the_same_report(api: Api, mocker: MockerFixture) -> None:
    # Given a first request that is still storing its report when its twin arrives (the twin is
    # sent from inside the first one's write)
    from chalicelib.store.reports import ReportStore

    store_report = ReportStore.create
    twins: list[Any] = []

    def first_still_running(self: ReportStore, *args: Any, **kwargs: Any) -> bool:
        if not twins:
            twins.append(None)  # the twin's own write goes straight through
            twins[0] = api.post_report(BODY, **{"Idempotency-Key": "tipline-45"})
        return store_report(self, *args, **kwargs)

    mocker.patch.object(ReportStore, "create", first_still_running)
    # When the partner sends the first request
    first = api.post_report(BODY, **{"Idempotency-Key": "tipline-45"})
    # Then both were answered 202 with the same report, stored once
    assert first.status_code == twins[0].status_code == 202
    assert json.loads(first.body) == json.loads(twins[0].body)
    assert _report_count() == 1
