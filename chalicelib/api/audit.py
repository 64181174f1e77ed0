"""Routes of the audit trail: reading it (admins), checking a day is whole (admins, agencies)."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.io import json_response, parse_query
from chalicelib.api.routes import AUDIT_TRAIL, VERIFY_AUDIT, serve

audit = Blueprint(__name__)


@serve(audit, AUDIT_TRAIL)
def get_audit() -> object:
    from chalicelib.api.queries import AuditQuery

    query = parse_query(audit.current_request.query_params, AuditQuery)
    from chalicelib.services.audit import audit_entries

    return json_response(audit_entries(day=query.day, target=query.target, cursor=query.cursor, limit=query.limit))


@serve(audit, VERIFY_AUDIT)
def get_audit_verification() -> object:
    from chalicelib.api.queries import AuditVerifyQuery

    query = parse_query(audit.current_request.query_params, AuditVerifyQuery)
    from chalicelib.services.audit import verify_day

    return json_response(verify_day(query.day))
