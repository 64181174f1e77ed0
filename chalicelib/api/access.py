"""The one place that decides who may call what: API key, role, limits (middleware, not routes)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING

from chalice.app import Request, Response

from chalicelib.api.problems import ApiProblem
from chalicelib.domain.access import ROUTE_POLICY, Principal, is_public, may_call, methods_of

if TYPE_CHECKING:
    from chalicelib.domain.audit import Actor

_principal: ContextVar[Principal | None] = ContextVar("principal", default=None)


def current_actor() -> Actor:
    """The caller as the audit trail and verdicts name it."""
    from chalicelib.domain.audit import Actor

    return Actor.of(current_principal())


def current_principal() -> Principal:
    """The caller of the request being handled; only routes that require a key may ask."""
    principal = _principal.get()
    if principal is None:
        raise RuntimeError("no authenticated caller: is this route public in ROUTE_POLICY?")
    return principal


def access_middleware(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Authenticate the key, check its roles against the route, count it against its limits."""
    method, route = request.method, request.path  # Chalice's path is the route template
    if (method, route) not in ROUTE_POLICY:
        # Not even the route's handler runs: a route the policy forgot is refused, never open.
        raise ApiProblem(
            405, f"{method} is not allowed on this resource.", headers={"Allow": ", ".join(methods_of(route))}
        )
    if is_public(method, route):
        return get_response(request)
    from chalicelib.services.access import authenticate, use_allowance
    from chalicelib.services.errors import LimitReached, Unauthenticated

    try:
        principal = authenticate(request.headers.get("x-api-key"))
    except Unauthenticated as refused:
        raise ApiProblem(
            401, str(refused), type_name="unauthenticated", headers={"WWW-Authenticate": 'ApiKey header="X-Api-Key"'}
        ) from None
    if not may_call(principal.roles, method, route):
        roles = ", ".join(sorted(principal.roles))
        raise ApiProblem(403, f"A key with roles [{roles}] may not call {method} {route}.", type_name="forbidden")
    try:
        allowance = use_allowance(principal, submission=(method, route) == ("POST", "/v1/reports"))
    except LimitReached as limited:
        verdict = limited.verdict
        detail = (
            "This key's daily report quota is used up; it renews at 00:00 WIB."
            if verdict.exceeded == "quota"
            else "This key sent too many requests this minute; retry after the time in Retry-After."
        )
        raise ApiProblem(429, detail, type_name="too-many-requests", headers=verdict.headers()) from None
    token = _principal.set(principal)
    try:
        response = get_response(request)
    except ApiProblem as problem:
        problem.headers.update(allowance.headers())  # a refused call still counted against the limits
        raise
    finally:
        _principal.reset(token)
    response.headers.update(allowance.headers())
    return response
