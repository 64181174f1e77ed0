"""Routes of fact-checked claims (write access control arrives with API keys)."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api.access import current_actor, current_principal
from chalicelib.api.io import json_response, parse_body, parse_query
from chalicelib.api.problems import not_found
from chalicelib.api.routes import ADD_CLAIM_PICTURE, CREATE_CLAIM, GET_CLAIM, LIST_CLAIMS, UPDATE_CLAIM, serve
from chalicelib.domain.ids import is_claim_id

claims = Blueprint(__name__)

JSON_LD = "application/ld+json"


@serve(claims, CREATE_CLAIM)
def post_claim() -> object:
    from chalicelib.domain.models import ClaimInput

    claim = parse_body(claims.current_request, ClaimInput)
    from chalicelib.services.claims import create_claim

    view = create_claim(claim, current_actor())
    return json_response(view, 201, headers={"Location": f"/v1/claims/{view.id}"})


@serve(claims, LIST_CLAIMS)
def get_claims() -> object:
    from chalicelib.api.queries import ClaimQuery

    query = parse_query(claims.current_request.query_params, ClaimQuery)
    from chalicelib.services.claims import list_claims

    page = list_claims(query.q, query.label, query.since, query.cursor, query.limit)
    return json_response(page)


@serve(claims, GET_CLAIM)
def get_claim_by_id(claim_id: str) -> object:
    request = claims.current_request
    from chalicelib.domain.claim_review import claim_review, json_ld
    from chalicelib.services.claims import get_claim

    view = get_claim(claim_id) if is_claim_id(claim_id) else None
    if view is None:
        raise not_found("There is no claim with this id.")
    query: dict[str, str] = dict(request.query_params or {})
    wants_ld = query.get("format") == "jsonld" or JSON_LD in str(request.headers.get("accept", ""))
    if wants_ld:
        return Response(body=json_ld(claim_review(view)), headers={"Content-Type": JSON_LD})
    return json_response(view)


@serve(claims, UPDATE_CLAIM)
def patch_claim(claim_id: str) -> object:
    from chalicelib.domain.models import ClaimPatch

    patch = parse_body(claims.current_request, ClaimPatch)
    from chalicelib.services.claims import update_claim

    view = update_claim(claim_id, patch, current_actor()) if is_claim_id(claim_id) else None
    if view is None:
        raise not_found("There is no claim with this id.")
    return json_response(view)


@serve(claims, ADD_CLAIM_PICTURE)
def post_claim_picture(claim_id: str) -> object:
    from chalicelib.domain.models import ClaimPictureRequest

    request = parse_body(claims.current_request, ClaimPictureRequest)
    from chalicelib.services.claims import add_claim_picture

    view = None
    if is_claim_id(claim_id):
        view = add_claim_picture(claim_id, request.upload_id, current_principal().partner_id, current_actor())
    if view is None:
        raise not_found("There is no claim with this id.")
    return json_response(view, 201)
