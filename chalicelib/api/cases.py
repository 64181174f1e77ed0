"""Routes of cases: the review queue and fact-checkers' verdicts (the policy says who)."""

from __future__ import annotations

import re

from chalice.app import Blueprint

from chalicelib.api.access import current_actor
from chalicelib.api.io import PageQuery, json_response, parse_body, parse_query, unknown_cursor
from chalicelib.api.problems import ApiProblem, invalid_field, not_found

cases = Blueprint(__name__)

_CASE_ID = re.compile(r"^case_[0-9a-f]{26}$")


def _no_case() -> ApiProblem:
    return not_found("There is no case with this id.")


def _changed(current_version: int, status: str) -> ApiProblem:
    return ApiProblem(
        409,
        f"The case changed since you read it: it is now at version {current_version} ({status}). "
        "Read it again and decide on what it says now.",
        type_name="case-changed",
    )


@cases.route("/v1/cases", methods=["GET"])
def get_cases() -> object:
    from chalicelib.domain.models import CaseQuery

    query = parse_query(cases.current_request.query_params, CaseQuery)
    from chalicelib.services.cases import review_queue
    from chalicelib.services.errors import UnknownCursor

    try:
        return json_response(review_queue(query.status, query.cursor, query.limit))
    except UnknownCursor:
        raise unknown_cursor() from None


@cases.route("/v1/cases/{case_id}", methods=["GET"])
def get_case_by_id(case_id: str) -> object:
    from chalicelib.services.cases import get_case

    view = get_case(case_id) if _CASE_ID.match(case_id) else None
    if view is None:
        raise _no_case()
    return json_response(view)


@cases.route("/v1/cases/{case_id}/reports", methods=["GET"])
def get_case_reports(case_id: str) -> object:
    query = parse_query(cases.current_request.query_params, PageQuery)
    from chalicelib.services.cases import case_reports
    from chalicelib.services.errors import UnknownCursor

    try:
        page = case_reports(case_id, query.cursor, query.limit) if _CASE_ID.match(case_id) else None
    except UnknownCursor:
        raise unknown_cursor() from None
    if page is None:
        raise _no_case()
    return json_response(page)


@cases.route("/v1/cases/{case_id}/review", methods=["POST"])
def post_case_review(case_id: str) -> object:
    from chalicelib.domain.models import CaseReviewRequest

    request = parse_body(cases.current_request, CaseReviewRequest)
    from chalicelib.services.cases import take_case
    from chalicelib.services.errors import CaseChanged

    try:
        view = take_case(case_id, request.version, current_actor()) if _CASE_ID.match(case_id) else None
    except CaseChanged as changed:
        raise _changed(changed.current_version, changed.status) from None
    if view is None:
        raise _no_case()
    return json_response(view)


@cases.route("/v1/cases/{case_id}/verdict", methods=["POST"])
def post_case_verdict(case_id: str) -> object:
    from chalicelib.domain.models import CaseVerdictRequest

    request = parse_body(cases.current_request, CaseVerdictRequest)
    from chalicelib.services.cases import publish_verdict
    from chalicelib.services.errors import CaseChanged, InvalidVerdict

    actor = current_actor()
    try:
        view = publish_verdict(case_id, request, actor) if _CASE_ID.match(case_id) else None
    except CaseChanged as changed:
        raise _changed(changed.current_version, changed.status) from None
    except InvalidVerdict as invalid:
        raise invalid_field(invalid.field, invalid.message) from None
    if view is None:
        raise _no_case()
    # 202: the verdict is stored; it reaches the case's reports from the verdict queue (see progress).
    return json_response(view, 202, headers={"Location": f"/v1/cases/{case_id}"})
