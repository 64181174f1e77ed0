"""Route of the audit trail (admins only; the policy says so)."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.io import json_response, parse_query, unknown_cursor

audit = Blueprint(__name__)


@audit.route("/v1/audit", methods=["GET"])
def get_audit() -> object:
    from chalicelib.domain.models import AuditQuery

    query = parse_query(audit.current_request.query_params, AuditQuery)
    from chalicelib.services.audit import audit_entries
    from chalicelib.services.errors import UnknownCursor

    try:
        return json_response(audit_entries(query))
    except UnknownCursor:
        raise unknown_cursor() from None
