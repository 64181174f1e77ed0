"""Idempotency-Key: a retry gets the first answer; a reused key with another body is refused."""

from __future__ import annotations

import json

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
    idempotency = get_settings().table_name("idempotency")
    for item in client("dynamodb").scan(TableName=idempotency)["Items"]:
        client("dynamodb").delete_item(TableName=idempotency, Key={"id": item["id"]})
    # When the partner retries
    again = api.post_report(BODY, **{"Idempotency-Key": "tipline-44"})
    # Then it gets the same report, and there is still only one
    assert again.status_code == 202
    assert json.loads(again.body)["id"] == first["id"]
    assert _report_count() == 1


def test_a_retry_while_the_first_is_still_running_is_409(api: Api, mocker: MockerFixture) -> None:
    # Given Powertools finds the first request with this key still in progress
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    from chalicelib.services import reports

    busy = mocker.Mock(side_effect=IdempotencyAlreadyInProgressError("in progress"))
    mocker.patch.object(reports, "_idempotent_submit", return_value=(busy, mocker.Mock()))
    # When the partner retries
    answer = api.post_report(BODY, **{"Idempotency-Key": "tipline-45"})
    # Then it is told to come back shortly, and nothing is stored
    assert answer.status_code == 409
    assert answer.headers["Retry-After"] == "1"
    assert json.loads(answer.body)["type"].endswith("/request-in-progress")
    assert _report_count() == 0
