"""Routes of API keys (admins only; the policy says so)."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.access import current_actor
from chalicelib.api.io import json_response, parse_body, parse_query
from chalicelib.api.problems import not_found
from chalicelib.api.routes import CREATE_KEY, LIST_KEYS, REVOKE_KEY, serve
from chalicelib.domain.ids import is_key_id

keys = Blueprint(__name__)


@serve(keys, CREATE_KEY)
def post_key() -> object:
    from chalicelib.domain.models import KeyRequest

    request = parse_body(keys.current_request, KeyRequest)
    from chalicelib.services.access import create_key

    created = create_key(request, current_actor())
    return json_response(created, 201, headers={"Cache-Control": "no-store"})


@serve(keys, LIST_KEYS)
def get_keys() -> object:
    from chalicelib.api.queries import PageQuery

    query = parse_query(keys.current_request.query_params, PageQuery)
    from chalicelib.services.access import list_keys

    return json_response(list_keys(query.cursor, query.limit))


@serve(keys, REVOKE_KEY)
def delete_key(key_id: str) -> object:
    from chalicelib.services.access import revoke_key

    view = revoke_key(key_id, current_actor()) if is_key_id(key_id) else None
    if view is None:
        raise not_found("There is no key with this id.")
    return json_response(view)
