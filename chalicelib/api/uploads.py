"""Route of picture uploads: where a partner's app sends a picture before naming it in a report or lookup."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.access import current_principal
from chalicelib.api.io import json_response, parse_body
from chalicelib.api.routes import CREATE_UPLOAD, serve

uploads = Blueprint(__name__)


@serve(uploads, CREATE_UPLOAD)
def post_upload() -> object:
    from chalicelib.domain.models import UploadRequest

    request = parse_body(uploads.current_request, UploadRequest)
    from chalicelib.services.uploads import issue_upload  # keeps boto3 out of the cold import

    return json_response(issue_upload(request, current_principal().partner_id), 201)
