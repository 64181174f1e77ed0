"""Public routes about the API itself."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api.io import json_response
from chalicelib.config import get_settings
from chalicelib.version import VERSION

meta = Blueprint(__name__)


@meta.route("/v1/health", methods=["GET"])
def health() -> object:
    from chalicelib.domain.models import Health

    return json_response(Health(status="ok", stage=get_settings().stage, version=VERSION))


@meta.route("/v1/openapi.json", methods=["GET"])
def openapi() -> object:
    from chalicelib.api.openapi import openapi_document

    return Response(body=openapi_document(), headers={"Content-Type": "application/json"})
