"""Route of the synchronous "has this been checked?" lookup."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.access import current_principal
from chalicelib.api.io import json_response, parse_body
from chalicelib.api.routes import LOOKUP, serve

lookup = Blueprint(__name__)


@serve(lookup, LOOKUP)
def post_lookup() -> object:
    from chalicelib.domain.models import LookupRequest

    request = parse_body(lookup.current_request, LookupRequest)
    from chalicelib.services.claims import lookup_claims  # keeps boto3 out of the cold import

    return json_response(lookup_claims(request, current_principal().partner_id))
