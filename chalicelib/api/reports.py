"""Routes of reports."""

from __future__ import annotations

import re

from chalice.app import Blueprint

from chalicelib.api.access import current_principal
from chalicelib.api.io import json_response, parse_body
from chalicelib.api.problems import invalid_field_named, not_found
from chalicelib.api.routes import GET_REPORT, SUBMIT_REPORT, serve
from chalicelib.domain.ids import is_report_id

reports = Blueprint(__name__)

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@serve(reports, SUBMIT_REPORT)
def post_report() -> object:
    from chalicelib.domain.models import ReportSubmission

    request = reports.current_request
    submission = parse_body(request, ReportSubmission)
    key = request.headers.get("idempotency-key")
    if key is not None and not _IDEMPOTENCY_KEY.match(key):
        raise invalid_field_named(
            "header.Idempotency-Key", "Idempotency-Key must be 1 to 255 printable ASCII characters.", "invalid format"
        )
    from chalicelib.services.reports import submit_report  # keeps boto3 out of cold import

    accepted = submit_report(submission, current_principal().partner_id, key)
    return json_response(accepted, 202, headers={"Location": f"/v1/reports/{accepted.id}"})


@serve(reports, GET_REPORT)
def get_report_by_id(report_id: str) -> object:
    if not is_report_id(report_id):
        raise not_found("There is no report with this id.")
    from chalicelib.services.reports import get_report

    view = get_report(report_id, current_principal())
    if view is None:
        raise not_found("There is no report with this id.")
    return json_response(view)
