"""Reading requests into models and writing models as responses."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from chalice.app import Request, Response
from pydantic import BaseModel, ValidationError

from chalicelib.api.problems import ApiProblem, invalid_fields
from chalicelib.config import get_settings

Model = TypeVar("Model", bound=BaseModel)


def parse_body(request: Request, model: type[Model]) -> Model:
    """The JSON body as ``model``: 413 when too large, 400 when not JSON, 422 per bad field."""
    raw = request.raw_body or b""
    limit = get_settings().max_body_bytes
    if len(raw) > limit:
        raise ApiProblem(
            413, f"The body is {len(raw)} bytes; at most {limit} are accepted.", type_name="body-too-large"
        )
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiProblem(400, "The body is not valid JSON (UTF-8).", type_name="malformed-json") from None
    if not isinstance(data, dict):
        raise ApiProblem(400, "The body must be a JSON object.", type_name="malformed-json")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise invalid_fields(error) from None


def json_response(model: BaseModel, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=model.model_dump_json(),
        status_code=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def parse_query(params: Mapping[str, Any] | None, model: type[Model]) -> Model:
    """The query string as ``model``: 422 naming ``query.<field>`` for each bad parameter."""
    try:
        return model.model_validate(dict(params or {}))
    except ValidationError as error:
        raise invalid_fields(error, prefix="query.") from None
