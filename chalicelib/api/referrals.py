"""Routes of referrals: a case handed to Bawaslu, the police or another agency, and what became of it."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.access import current_actor, current_principal
from chalicelib.api.io import json_response, parse_body, parse_query
from chalicelib.api.problems import not_found
from chalicelib.api.routes import (
    EVIDENCE_KEY,
    GET_REFERRAL,
    LIST_REFERRALS,
    MOVE_REFERRAL,
    REFER_CASE,
    REFERRAL_EVIDENCE,
    REFERRAL_STATS,
    serve,
)
from chalicelib.domain.ids import is_case_id, is_referral_id

referrals = Blueprint(__name__)

_NO_CASE = "There is no case with this id."
_NO_REFERRAL = "There is no referral with this id (or it is addressed to another agency)."


@serve(referrals, REFER_CASE)
def post_referral(case_id: str) -> object:
    from chalicelib.domain.models import ReferralRequest

    request = parse_body(referrals.current_request, ReferralRequest)
    if not is_case_id(case_id):
        raise not_found(_NO_CASE)
    from chalicelib.services.referrals import refer_case

    referral = refer_case(case_id, request, current_actor())
    if referral is None:
        raise not_found(_NO_CASE)
    return json_response(referral, 201, headers={"Location": f"/v1/referrals/{referral.id}"})


@serve(referrals, LIST_REFERRALS)
def get_referrals() -> object:
    from chalicelib.api.queries import ReferralQuery
    from chalicelib.services.referrals import list_referrals

    query = parse_query(referrals.current_request.query_params, ReferralQuery)
    return json_response(list_referrals(current_principal(), query.status))


@serve(referrals, GET_REFERRAL)
def get_referral_by_id(referral_id: str) -> object:
    if not is_referral_id(referral_id):
        raise not_found(_NO_REFERRAL)
    from chalicelib.services.referrals import get_referral

    referral = get_referral(referral_id, current_principal())
    if referral is None:
        raise not_found(_NO_REFERRAL)
    return json_response(referral)


@serve(referrals, MOVE_REFERRAL)
def post_referral_status(referral_id: str) -> object:
    from chalicelib.domain.models import ReferralStatusRequest

    request = parse_body(referrals.current_request, ReferralStatusRequest)
    if not is_referral_id(referral_id):
        raise not_found(_NO_REFERRAL)
    from chalicelib.services.referrals import move_referral

    moved = move_referral(referral_id, request, current_principal())
    if moved is None:
        raise not_found(_NO_REFERRAL)
    return json_response(moved)


@serve(referrals, REFERRAL_STATS)
def get_referral_stats() -> object:
    from chalicelib.services.referrals import referral_counts

    return json_response(referral_counts(current_principal()))


@serve(referrals, REFERRAL_EVIDENCE)
def get_evidence(referral_id: str) -> object:
    if not is_referral_id(referral_id):
        raise not_found(_NO_REFERRAL)
    from chalicelib.services.evidence import evidence_of

    found = evidence_of(referral_id, current_principal())
    if found is None:
        raise not_found(_NO_REFERRAL)
    return json_response(found, headers={"Cache-Control": "no-store"})


@serve(referrals, EVIDENCE_KEY)
def get_evidence_key() -> object:
    from chalicelib.services.evidence import evidence_key

    return json_response(evidence_key())
