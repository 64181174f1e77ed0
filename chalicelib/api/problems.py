"""RFC 9457 problem details for every error the API answers, whoever raised it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from chalice.app import ChaliceUnhandledError, Request, Response
from pydantic import ValidationError

from chalicelib.api.problem_details import FieldProblem, Problem
from chalicelib.domain.access import UsageVerdict
from chalicelib.services import errors

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://saring.id/problems/"


class ApiProblem(ChaliceUnhandledError):
    """Raised by a route to answer with a problem; Chalice lets it through to the middleware."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type_name: str | None = None,
        errors: list[FieldProblem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type_name = type_name
        self.errors = errors
        self.headers = headers or {}


def field_problems(error: ValidationError, prefix: str = "") -> list[FieldProblem]:
    """Pydantic's errors as field problems with dotted paths (``reporter.contact``)."""
    problems = []
    for item in error.errors(include_url=False, include_context=False, include_input=False):
        path = ".".join(str(part) for part in item["loc"])
        problems.append(
            FieldProblem(field=f"{prefix}{path}" if path else prefix.rstrip(".") or "body", message=item["msg"])
        )
    return problems


def invalid_fields(error: ValidationError, prefix: str = "") -> ApiProblem:
    return ApiProblem(
        422,
        "The request has fields that are missing or invalid; see errors.",
        type_name="invalid-fields",
        errors=field_problems(error, prefix),
    )


def problem_response(
    status: int,
    detail: str | None,
    *,
    type_name: str | None = None,
    errors: list[FieldProblem] | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    problem = Problem(
        type=PROBLEM_TYPE_BASE + type_name if type_name else "about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=instance,
        errors=errors,
    )
    body = problem.model_dump_json(exclude_none=True)
    return Response(body=body, status_code=status, headers={**(headers or {}), "Content-Type": PROBLEM_JSON})


def from_chalice_error(response: Response, path: str | None) -> Response:
    """Chalice's own error answers (405, 415, 500 …) in problem form; others pass through."""
    if response.status_code < 400 or response.headers.get("Content-Type") == PROBLEM_JSON:
        return response
    detail = None
    if isinstance(response.body, dict):
        detail = response.body.get("Message")
    elif isinstance(response.body, str):
        try:
            detail = json.loads(response.body).get("Message")
        except (ValueError, AttributeError):
            detail = None
    if response.status_code >= 500:
        detail = "An unexpected error occurred; it has been logged."
    headers = {k: str(v) for k, v in response.headers.items() if k.lower() in ("allow", "retry-after")}
    return problem_response(response.status_code, detail, instance=path, headers=headers)


_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


def request_id_of(request: Request, context: Any) -> str:
    """The caller's X-Request-Id when it is sane, else Lambda's request id (or a new one)."""
    given = str(request.headers.get("x-request-id") or "")
    if _REQUEST_ID.match(given):
        return given
    request_id = getattr(context, "aws_request_id", None)
    if request_id:
        return str(request_id)
    import uuid  # only outside Lambda (tests, the local stack): Lambda always gives a request id

    return str(uuid.uuid4())


def _actual_path(request: Request) -> str | None:
    """The path as requested (Chalice's ``request.path`` is the route template)."""
    path = getattr(request, "path", None)
    for name, value in (getattr(request, "uri_params", None) or {}).items():
        path = path.replace("{" + name + "}", value) if path else path
    return path


def problem_middleware(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Turns every error, raised or answered, into problem+json."""
    path = _actual_path(request)
    try:
        try:
            response = get_response(request)
        except errors.Refused as refused:  # the access middleware's (a route's are mapped where it is served)
            raise problem_of(refused) from None
    except ApiProblem as problem:
        return problem_response(
            problem.status,
            problem.detail,
            type_name=problem.type_name,
            errors=problem.errors,
            instance=path,
            headers=problem.headers,
        )
    return from_chalice_error(response, path)


def invalid_field(field: str, message: str) -> ApiProblem:
    """A 422 naming one field and what is wrong with it."""
    return invalid_field_named(field, message, message)


def not_found(detail: str) -> ApiProblem:
    return ApiProblem(404, detail, type_name="not-found")


def unknown_cursor() -> ApiProblem:
    return invalid_field_named("query.cursor", "This cursor was not handed out by this API.", "unknown cursor")


def invalid_field_named(field: str, detail: str, message: str) -> ApiProblem:
    """A 422 whose detail says it for people and whose error names the field for programs."""
    return ApiProblem(422, detail, type_name="invalid-fields", errors=[FieldProblem(field=field, message=message)])


def rate_limit_headers(verdict: UsageVerdict) -> dict[str, str]:
    """The RateLimit headers of a key's allowance (and Retry-After when it is spent)."""
    headers = {
        "RateLimit-Limit": str(verdict.limit),
        "RateLimit-Remaining": str(max(0, verdict.remaining)),
        "RateLimit-Reset": str(verdict.reset_seconds),
        "RateLimit-Policy": f"{verdict.limit};w=60",
    }
    if not verdict.allowed:
        headers["Retry-After"] = str(verdict.retry_after)
    return headers


def _limit_reached(refused: errors.LimitReached) -> ApiProblem:
    detail = (
        "This key's daily report quota is used up; it renews at 00:00 WIB."
        if refused.verdict.exceeded == "quota"
        else "This key sent too many requests this minute; retry after the time in Retry-After."
    )
    return ApiProblem(429, detail, type_name="too-many-requests", headers=rate_limit_headers(refused.verdict))


def _public_limit_reached(refused: errors.PublicLimitReached) -> ApiProblem:
    if refused.scope == "everyone":
        detail = "Layanan sedang sangat sibuk; coba lagi sebentar lagi. (The service is busy; retry shortly.)"
    elif refused.verdict.exceeded == "quota":
        detail = (
            "Batas aduan dari alamat ini untuk hari ini sudah tercapai; coba lagi besok. "
            "(This address has sent as many complaints as one may today.)"
        )
    else:
        detail = (
            "Terlalu banyak permintaan dari alamat ini; coba lagi sebentar lagi. "
            "(Too many requests from this address; retry after the time in Retry-After.)"
        )
    return ApiProblem(429, detail, type_name="too-many-requests", headers=rate_limit_headers(refused.verdict))


def _case_changed(refused: errors.CaseChanged) -> ApiProblem:
    return ApiProblem(
        409,
        f"The case changed since you read it: it is now at version {refused.current_version} ({refused.status}). "
        "Read it again and decide on what it says now.",
        type_name="case-changed",
    )


def _export_cooling_down(refused: errors.ExportCoolingDown) -> ApiProblem:
    return ApiProblem(
        429,
        f"The export of {refused.day} was built moments ago; GET it, or build it again in {refused.retry_after} s.",
        type_name="export-cooling-down",
        headers={"Retry-After": str(refused.retry_after)},
    )


# Every refusal a service makes, and the problem the API answers for it (a subclass takes its
# parent's entry unless it has its own).
_PROBLEMS: dict[type[errors.Refused], Callable[[Any], ApiProblem]] = {
    errors.Unauthenticated: lambda refused: ApiProblem(
        401, str(refused), type_name="unauthenticated", headers={"WWW-Authenticate": 'ApiKey header="X-Api-Key"'}
    ),
    errors.LimitReached: _limit_reached,
    errors.NotForTheConsole: lambda refused: ApiProblem(403, str(refused), type_name="forbidden"),
    errors.CsrfRefused: lambda refused: ApiProblem(403, str(refused), type_name="csrf-token"),
    errors.PublicLimitReached: _public_limit_reached,
    errors.IdempotencyKeyReused: lambda _: ApiProblem(
        422, "This Idempotency-Key was used before with a different body.", type_name="idempotency-key-reused"
    ),
    errors.UnsafeWebhookUrl: lambda refused: ApiProblem(
        422,
        "Saring will not call this URL.",
        type_name="unsafe-webhook-url",
        errors=[FieldProblem(field="url", message=str(refused))],
    ),
    errors.WebhookLimitReached: lambda refused: ApiProblem(
        409,
        f"This partner has {refused.limit} webhooks, the most one partner may have; delete one first.",
        type_name="webhook-limit-reached",
    ),
    errors.ExportCoolingDown: _export_cooling_down,
    errors.UnknownCursor: lambda _: unknown_cursor(),
    errors.CaseChanged: _case_changed,
    errors.InvalidField: lambda refused: invalid_field(refused.field, refused.message),
    errors.PicturesNotReady: lambda _: ApiProblem(
        409,
        "Gambar masih dianalisis; ulangi sebentar lagi. (The pictures are still being analysed; retry shortly.)",
        type_name="pictures-not-ready",
        headers={"Retry-After": "2"},
    ),
}


def problem_of(refused: errors.Refused) -> ApiProblem:
    """The problem the API answers for a service's refusal (see ``_PROBLEMS``)."""
    for kind in type(refused).__mro__:
        if kind in _PROBLEMS:
            return _PROBLEMS[kind](refused)
    raise TypeError(f"no problem is mapped for {type(refused).__name__}") from refused
