"""The OpenAPI document: its paths from the route declarations (``routes.py``), its schemas from
the pydantic models (no hand-written schema)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.api.problem_details import Problem
from chalicelib.api.routes import ROUTES, Route
from chalicelib.version import VERSION

# Described in components beside those the routes name (the webhook callback's body).
_ALSO_DESCRIBED = ("WebhookEvent",)
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "date": {"schema": {"type": "string", "format": "date"}, "description": "A WIB day, YYYY-MM-DD."},
}


def _model(name: str) -> type[BaseModel]:
    """A model a route names: a query string's from ``queries.py``, any other from the domain."""
    from chalicelib.api import queries
    from chalicelib.domain import models

    found = getattr(queries, name, None) or getattr(models, name)
    assert isinstance(found, type) and issubclass(found, BaseModel), name
    return found


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return [
        {"name": name, "in": "query", "required": name in schema.get("required", []), "schema": field}
        for name, field in schema["properties"].items()
    ]


def _path(name: str) -> dict[str, Any]:
    extra = PATH_PARAMETERS.get(name, {})
    parameter = {"name": name, "in": "path", "required": True, "schema": extra.get("schema", {"type": "string"})}
    if "description" in extra:
        parameter["description"] = extra["description"]
    return parameter


def _body(model: type[BaseModel]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(model)}}}


def _problems(*statuses: int) -> dict[str, Any]:
    content = {"application/problem+json": {"schema": _ref(Problem)}}
    return {str(status): {"description": "Problem details", "content": content} for status in statuses}


def _operation(route: Route) -> dict[str, Any]:
    """One route's operation object."""
    operation: dict[str, Any] = {"operationId": route.operation_id}
    if route.description:
        operation["description"] = route.description
    parameters = [_path(name) for name in route.path_parameters]
    parameters += list(route.openapi.get("parameters", []))
    if route.query:
        parameters += _query_parameters(_model(route.query))
    if parameters:
        operation["parameters"] = parameters
    if route.request:
        operation["requestBody"] = _body(_model(route.request))
    if route.response:
        success = _json(_model(route.response), route.summary)
        success["content"].update(route.openapi.get("also_returns", {}))
    else:
        success = {"description": route.summary}
    operation["responses"] = {str(route.status): success, **_problems(*route.all_errors)}
    if route.roles is None:
        operation["security"] = []
    if "callback_body" in route.openapi:
        operation["callbacks"] = {
            "reportEvent": {
                "{$request.body#/url}": {
                    "post": {
                        "requestBody": _body(_model(route.openapi["callback_body"])),
                        "responses": {"200": {"description": "Any 2xx acknowledges the delivery"}},
                    }
                }
            }
        }
    return operation


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The whole document, built once per container."""
    requests = {route.request for route in ROUTES if route.request}
    named = [name for route in ROUTES for name in (route.request, route.response) if name] + list(_ALSO_DESCRIBED)
    models = [_model(name) for name in dict.fromkeys(named)] + [Problem]
    _, definitions = models_json_schema(
        [(model, "validation" if model.__name__ in requests else "serialization") for model in models],
        ref_template="#/components/schemas/{model}",
    )
    paths: dict[str, Any] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Saring",
            "version": VERSION,
            "description": "Hoax verification API: report suspicious content, fetch the verdict. "
            "Every call but health and this document needs an API key in X-Api-Key.",
        },
        "security": [{"ApiKey": []}],
        "paths": paths,
        "components": {
            "schemas": definitions["$defs"],
            "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}},
        },
    }
