"""Routes of reports."""

from __future__ import annotations

import re

from chalice.app import Blueprint

from chalicelib.api.access import current_principal
from chalicelib.api.io import json_response, parse_body
from chalicelib.api.problems import ApiProblem, not_found
from chalicelib.domain.problem_details import FieldProblem

reports = Blueprint(__name__)

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_REPORT_ID = re.compile(r"^rpt_[a-z2-7]{26}$")


@reports.route("/v1/reports", methods=["POST"])
def post_report() -> object:
    from chalicelib.domain.models import ReportSubmission

    request = reports.current_request
    submission = parse_body(request, ReportSubmission)
    key = request.headers.get("idempotency-key")
    if key is not None and not _IDEMPOTENCY_KEY.match(key):
        raise ApiProblem(
            422,
            "Idempotency-Key must be 1 to 255 printable ASCII characters.",
            type_name="invalid-fields",
            errors=[FieldProblem(field="header.Idempotency-Key", message="invalid format")],
        )
    from chalicelib.services.errors import IdempotencyKeyReused, RequestInProgress
    from chalicelib.services.reports import submit_report  # keeps boto3 out of cold import

    try:
        accepted = submit_report(submission, current_principal().partner_id, key, reports.lambda_context)
    except IdempotencyKeyReused:
        raise ApiProblem(
            422,
            "This Idempotency-Key was used before with a different body.",
            type_name="idempotency-key-reused",
        ) from None
    except RequestInProgress:
        raise ApiProblem(
            409,
            "The first request with this Idempotency-Key is still being processed; retry shortly.",
            type_name="request-in-progress",
            headers={"Retry-After": "1"},
        ) from None
    return json_response(accepted, 202, headers={"Location": f"/v1/reports/{accepted.id}"})


@reports.route("/v1/reports/{report_id}", methods=["GET"])
def get_report_by_id(report_id: str) -> object:
    if not _REPORT_ID.match(report_id):
        raise not_found("There is no report with this id.")
    from chalicelib.services.reports import get_report

    view = get_report(report_id, current_principal())
    if view is None:
        raise not_found("There is no report with this id.")
    return json_response(view)
