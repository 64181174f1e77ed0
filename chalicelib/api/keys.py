"""Routes of API keys (admins only; the policy says so)."""

from __future__ import annotations

import re

from chalice.app import Blueprint

from chalicelib.api.access import current_actor
from chalicelib.api.io import PageQuery, json_response, parse_body, parse_query, unknown_cursor
from chalicelib.api.problems import invalid_field, not_found

keys = Blueprint(__name__)

_KEY_ID = re.compile(r"^key_[a-z2-7]{16}$")


@keys.route("/v1/keys", methods=["POST"])
def post_key() -> object:
    from chalicelib.domain.models import KeyRequest

    request = parse_body(keys.current_request, KeyRequest)
    from chalicelib.services.access import create_key
    from chalicelib.services.errors import InvalidField

    try:
        created = create_key(request, current_actor())
    except InvalidField as invalid:
        raise invalid_field(invalid.field, invalid.message) from None
    return json_response(created, 201, headers={"Cache-Control": "no-store"})


@keys.route("/v1/keys", methods=["GET"])
def get_keys() -> object:
    query = parse_query(keys.current_request.query_params, PageQuery)
    from chalicelib.services.access import list_keys
    from chalicelib.services.errors import UnknownCursor

    try:
        return json_response(list_keys(query.cursor, query.limit))
    except UnknownCursor:
        raise unknown_cursor() from None


@keys.route("/v1/keys/{key_id}", methods=["DELETE"])
def delete_key(key_id: str) -> object:
    from chalicelib.services.access import revoke_key

    view = revoke_key(key_id, current_actor()) if _KEY_ID.match(key_id) else None
    if view is None:
        raise not_found("There is no key with this id.")
    return json_response(view)
