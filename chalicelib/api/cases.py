"""Routes of cases: the review queue and fact-checkers' verdicts (the policy says who)."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.access import current_actor, current_principal
from chalicelib.api.io import json_response, parse_body, parse_query
from chalicelib.api.problems import ApiProblem, not_found
from chalicelib.api.routes import DECIDE_CASE, GET_CASE, LIST_CASE_REPORTS, REVIEW_QUEUE, TAKE_CASE, serve
from chalicelib.domain.ids import is_case_id

cases = Blueprint(__name__)


def _no_case() -> ApiProblem:
    return not_found("There is no case with this id.")


@serve(cases, REVIEW_QUEUE)
def get_cases() -> object:
    from chalicelib.api.queries import CaseQuery

    query = parse_query(cases.current_request.query_params, CaseQuery)
    from chalicelib.services.cases import review_queue

    return json_response(review_queue(query.status, query.cursor, query.limit))


@serve(cases, GET_CASE)
def get_case_by_id(case_id: str) -> object:
    from chalicelib.services.cases import get_case

    view = get_case(case_id, picture_links=current_principal().sees_pictures()) if is_case_id(case_id) else None
    if view is None:
        raise _no_case()
    return json_response(view)


@serve(cases, LIST_CASE_REPORTS)
def get_case_reports(case_id: str) -> object:
    from chalicelib.api.queries import PageQuery

    query = parse_query(cases.current_request.query_params, PageQuery)
    from chalicelib.services.cases import case_reports

    page = case_reports(case_id, query.cursor, query.limit) if is_case_id(case_id) else None
    if page is None:
        raise _no_case()
    return json_response(page)


@serve(cases, TAKE_CASE)
def post_case_review(case_id: str) -> object:
    from chalicelib.domain.models import CaseReviewRequest

    request = parse_body(cases.current_request, CaseReviewRequest)
    from chalicelib.services.cases import take_case

    view = take_case(case_id, request.version, current_actor()) if is_case_id(case_id) else None
    if view is None:
        raise _no_case()
    return json_response(view)


@serve(cases, DECIDE_CASE)
def post_case_verdict(case_id: str) -> object:
    from chalicelib.domain.models import CaseVerdictRequest

    request = parse_body(cases.current_request, CaseVerdictRequest)
    from chalicelib.services.cases import publish_verdict

    actor = current_actor()
    view = publish_verdict(case_id, request, actor) if is_case_id(case_id) else None
    if view is None:
        raise _no_case()
    # 202: the verdict is stored; it reaches the case's reports from the verdict queue (see progress).
    return json_response(view, 202, headers={"Location": f"/v1/cases/{case_id}"})
