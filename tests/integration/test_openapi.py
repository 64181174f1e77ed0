"""The OpenAPI document: valid, generated from the models, and matching the routes."""

from __future__ import annotations

import json
from typing import Any

from openapi_spec_validator import validate

from tests.integration.conftest import Api


def test_the_document_is_valid_openapi_and_lists_every_route(api: Api, app: Any) -> None:
    answer = api.http.get("/v1/openapi.json")
    assert answer.status_code == 200
    document = json.loads(answer.body)
    validate(document)
    routes = {(path, method.lower()) for path, methods in app.routes.items() for method in methods}
    documented = {(path, method) for path, methods in document["paths"].items() for method in methods}
    assert documented == routes


def test_the_submission_schema_is_the_models(api: Api) -> None:
    document = json.loads(api.http.get("/v1/openapi.json").body)
    schema = document["components"]["schemas"]["ReportSubmission"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"platform", "province"}
    assert "whatsapp" in document["components"]["schemas"]["Platform"]["enum"]


def test_health_is_public_and_says_the_stage(api: Api) -> None:
    body = json.loads(api.http.get("/v1/health").body)
    assert body == {"status": "ok", "stage": "local", "version": body["version"]}
