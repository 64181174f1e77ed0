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


def test_a_crash_after_storing_the_report_does_not_duplicate_it_on_retry(api: Api) -> None:
    # Given a keyed submission whose idempotency record was lost (the process died after the
    # report was written, before Powertools saved the answer)
    first = json.loads(api.post_report(BODY, **{"Idempotency-Key": "tipline-44"}).body)
    _forget_idempotency_records()
    # When the partner retries
    again = api.post_report(BODY, **{"Idempotency-Key": "tipline-44"})
    # Then it gets the same report, and there is still only one
    assert again.status_code == 202
    assert json.loads(again.body)["id"] == first["id"]
    assert _report_count() == 1


def test_a_retry_after_a_crash_with_another_body_is_422(api: Api) -> None:
    # Given a keyed report whose idempotency record was lost (a crash before Powertools saved it)
    api.post_report(BODY, **{"Idempotency-Key": "tipline-46"})
    _forget_idempotency_records()
    # When the key comes back with another body (the fallback compares the stored fingerprint)
    answer = api.post_report({**BODY, "text": "Pemilu diundur ke Juli"}, **{"Idempotency-Key": "tipline-46"})
    # Then it is refused, and the first report is the only one
    assert answer.status_code == 422
    assert json.loads(answer.body)["type"].endswith("/idempotency-key-reused")
    assert _report_count() == 1


def _forget_idempotency_records() -> None:
    idempotency = get_settings().table_name("idempotency")
    for item in client("dynamodb").scan(TableName=idempotency)["Items"]:
        client("dynamodb").delete_item(TableName=idempotency, Key={"id": item["id"]})


def test_a_retry_while_the_first_is_still_running_is_409(api: Api, mocker: MockerFixture) -> None:
    # Given a first request that is still storing its report when the retry arrives (the retry is
    # sent from inside the first one's write, through the real Powertools record)
    from chalicelib.store.reports import ReportStore

    store_report = ReportStore.create
    retries: list[Any] = []

    def first_still_running(self: ReportStore, *args: Any, **kwargs: Any) -> bool:
        if not retries:
            retries.append(api.post_report(BODY, **{"Idempotency-Key": "tipline-45"}))
        return store_report(self, *args, **kwargs)

    mocker.patch.object(ReportStore, "create", first_still_running)
    # When the partner sends the first request
    first = api.post_report(BODY, **{"Idempotency-Key": "tipline-45"})
    # Then the retry was told to come back shortly, and the first stored the one report
    assert first.status_code == 202
    answer = retries[0]
    assert answer.status_code == 409
    assert answer.headers["Retry-After"] == "1"
    assert json.loads(answer.body)["type"].endswith("/request-in-progress")
    assert _report_count() == 1
