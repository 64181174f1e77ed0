"""Problem details: every way a request can be wrong gets a clear problem, never a 500."""

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from chalice.app import Response
from pydantic import ValidationError

from chalicelib.api.io import parse_body
from chalicelib.api.problems import ApiProblem, field_problems, from_chalice_error, problem_middleware
from chalicelib.domain.models import ReportSubmission


@dataclass
class FakeRequest:
    """The parts of a Chalice request these functions read."""

    raw_body: bytes = b""
    path: str = "/v1/reports"
    headers: dict[str, str] = field(default_factory=dict)
    uri_params: dict[str, str] | None = None


def _problem(request: FakeRequest) -> ApiProblem:
    with pytest.raises(ApiProblem) as caught:
        parse_body(request, ReportSubmission)  # type: ignore[arg-type]
    return caught.value


def test_a_body_over_the_limit_is_413() -> None:
    assert _problem(FakeRequest(raw_body=b"{" + b" " * 70_000 + b"}")).status == 413


@pytest.mark.parametrize("body", [b"{", b"\xff\xfe", b"[1, 2]", b'"text"', b"", b"[" * 100_000])
def test_a_body_that_is_not_a_json_object_is_400(body: bytes) -> None:
    problem = _problem(FakeRequest(raw_body=body[:60_000]))
    assert problem.status == 400


def test_field_errors_are_422_with_dotted_paths() -> None:
    body = {"platform": "whatsapp", "province": "31", "text": "x", "reporter": {"contact": 5}}
    problem = _problem(FakeRequest(raw_body=json.dumps(body).encode()))
    assert problem.status == 422
    assert [e.field for e in problem.errors or []] == ["reporter.contact"]


def test_model_level_errors_name_the_body() -> None:
    with pytest.raises(ValidationError) as caught:
        ReportSubmission.model_validate({"platform": "x", "province": "31"})
    assert [p.field for p in field_problems(caught.value)] == ["body"]


def test_chalice_errors_become_problems_and_keep_allow() -> None:
    # Given Chalice's own 405 answer
    chalice_answer = Response(
        body={"Code": "MethodNotAllowedError", "Message": "Unsupported method: PUT"},
        status_code=405,
        headers={"Allow": "GET"},
    )
    # When it passes the middleware's conversion
    converted = from_chalice_error(chalice_answer, "/v1/reports/x")
    # Then it is problem+json with the method list kept
    assert converted.status_code == 405
    assert converted.headers["Content-Type"] == "application/problem+json"
    assert converted.headers["Allow"] == "GET"
    assert json.loads(str(converted.body))["detail"] == "Unsupported method: PUT"


def test_an_internal_error_tells_nothing_about_its_cause() -> None:
    answer = Response(body={"Code": "InternalServerError", "Message": "KeyError: 'secret'"}, status_code=500)
    body = json.loads(str(from_chalice_error(answer, None).body))
    assert "secret" not in body["detail"]


def test_a_raised_problem_is_answered_with_the_real_path() -> None:
    def raising(_: Any) -> Response:
        raise ApiProblem(404, "nope", type_name="not-found")

    request = FakeRequest(path="/v1/reports/{report_id}", uri_params={"report_id": "rpt_x"})
    answer = problem_middleware(request, raising)  # type: ignore[arg-type]
    body = json.loads(str(answer.body))
    assert answer.status_code == 404
    assert body["instance"] == "/v1/reports/rpt_x"
    assert body["type"].endswith("/not-found")
