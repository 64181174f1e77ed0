"""Public routes about the API itself."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api.io import json_response
from chalicelib.api.routes import HEALTH, OPENAPI, serve
from chalicelib.config import get_settings
from chalicelib.version import VERSION

meta = Blueprint(__name__)


@serve(meta, HEALTH)
def health() -> object:
    from chalicelib.domain.models import Health

    return json_response(Health(status="ok", stage=get_settings().stage, version=VERSION))


@serve(meta, OPENAPI)
def openapi() -> object:
    from chalicelib.api.openapi import openapi_document

    return Response(body=openapi_document(), headers={"Content-Type": "application/json"})
