"""Routes of the public's door: no key; every call counted against its client address's limits."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.access import client_address
from chalicelib.api.io import json_response, parse_body
from chalicelib.api.problems import not_found
from chalicelib.api.routes import (
    PUBLIC_CHALLENGE,
    PUBLIC_CHECK,
    PUBLIC_COMPLAINT,
    PUBLIC_COMPLAINT_STATUS,
    PUBLIC_UPLOAD,
    serve,
)

public = Blueprint(__name__)

_NO_COMPLAINT = "Tidak ada aduan dengan kode ini. (There is no complaint with this tracking code.)"


@serve(public, PUBLIC_CHECK)
def post_check() -> object:
    from chalicelib.domain.models import PublicCheckRequest

    request = parse_body(public.current_request, PublicCheckRequest)
    from chalicelib.services.public import check_publicly  # keeps boto3 out of the cold import

    return json_response(check_publicly(request))


@serve(public, PUBLIC_UPLOAD)
def post_upload() -> object:
    from chalicelib.domain.models import UploadRequest

    request = parse_body(public.current_request, UploadRequest)
    from chalicelib.domain.public import PUBLIC_PARTNER_ID
    from chalicelib.services.uploads import issue_upload

    return json_response(issue_upload(request, PUBLIC_PARTNER_ID), 201)


@serve(public, PUBLIC_CHALLENGE)
def get_challenge() -> object:
    from chalicelib.services.public import issue_challenge

    return json_response(issue_challenge(), headers={"Cache-Control": "no-store"})


@serve(public, PUBLIC_COMPLAINT)
def post_complaint() -> object:
    from chalicelib.domain.models import Complaint

    request = public.current_request
    complaint = parse_body(request, Complaint)
    from chalicelib.services.public import submit_complaint

    accepted = submit_complaint(complaint, client_address(request))
    return json_response(accepted, 202, headers={"Location": f"/v1/public/reports/{accepted.tracking_code}"})


@serve(public, PUBLIC_COMPLAINT_STATUS)
def get_complaint(tracking_code: str) -> object:
    from chalicelib.services.public import complaint_status

    status = complaint_status(tracking_code)
    if status is None:
        raise not_found(_NO_COMPLAINT)
    return json_response(status, headers={"Cache-Control": "no-store"})
