"""Bad input of every kind gets a 4xx problem+json naming what is wrong, never a 5xx."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.conftest import Api

VALID = {"text": "Pemilu diundur", "platform": "whatsapp", "province": "31"}


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.body
    assert answer.headers["Content-Type"] == "application/problem+json"
    body = dict(json.loads(answer.body))
    assert body["status"] == status
    assert body["title"]
    return body


def test_malformed_json_is_400(api: Api) -> None:
    _problem(api.post_report('{"text": "a",'), 400)


def test_a_json_array_is_400(api: Api) -> None:
    _problem(api.post_report("[]"), 400)


def test_a_wrong_content_type_is_415(api: Api) -> None:
    answer = api.http.post("/v1/reports", headers={"Content-Type": "text/plain"}, body="hello")
    _problem(answer, 415)


def test_a_body_over_the_limit_is_413(api: Api) -> None:
    _problem(api.post_report({**VALID, "text": "x" * 70_000}), 413)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**VALID, "province": "99"}, "province"),
        ({**VALID, "platform": "friendster"}, "platform"),
        ({**VALID, "reporter": {"contact": "1"}}, "reporter.contact"),
        ({**VALID, "observed_at": "kemarin"}, "observed_at"),
        ({**VALID, "priority": "high"}, "priority"),
        ({"platform": "web", "province": "31"}, "body"),
    ],
)
def test_field_errors_are_422_with_the_path(api: Api, body: dict[str, Any], field: str) -> None:
    problem = _problem(api.post_report(body), 422)
    assert field in [error["field"] for error in problem["errors"]]


def test_a_bad_idempotency_key_is_422(api: Api) -> None:
    problem = _problem(api.post_report(VALID, **{"Idempotency-Key": "kunci dengan spasi"}), 422)
    assert problem["errors"][0]["field"] == "header.Idempotency-Key"


def test_a_wrong_method_is_405_with_allow(api: Api) -> None:
    answer = api.http.delete("/v1/reports/rpt_aaaaaaaaaaaaaaaaaaaaaaaaaa")
    _problem(answer, 405)
    assert answer.headers["Allow"] == "GET"


@pytest.mark.parametrize("report_id", ["rpt_aaaaaaaaaaaaaaaaaaaaaaaaaa", "not-an-id", "rpt_" + "A" * 26])
def test_an_unknown_report_is_404(api: Api, report_id: str) -> None:
    problem = _problem(api.http.get(f"/v1/reports/{report_id}"), 404)
    assert problem["instance"] == f"/v1/reports/{report_id}"


def test_every_answer_carries_a_request_id(api: Api) -> None:
    answer = api.http.get("/v1/health", headers={"X-Request-Id": "partner-req-12345"})
    assert answer.status_code == 200
    assert answer.headers["X-Request-Id"] == "partner-req-12345"
    unsafe = api.http.get("/v1/health", headers={"X-Request-Id": "a\u00e9" * 3})
    assert unsafe.headers["X-Request-Id"] != "a\u00e9" * 3
