"""The one place that decides who may call what: API key, role, limits (middleware, not routes)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING

from chalice.app import Request, Response

from chalicelib.api.problems import ApiProblem, rate_limit_headers
from chalicelib.api.routes import PER_ADDRESS, ROUTE_POLICY, is_public, may_call, methods_of
from chalicelib.domain.access import Principal

if TYPE_CHECKING:
    from chalicelib.domain.access import UsageVerdict
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
        raise RuntimeError("no authenticated caller: is this route declared public in api/routes.py?")
    return principal


SESSION_COOKIE = "saring_session"
CSRF_HEADER = "x-csrf-token"
EDGE_HEADER = "x-saring-edge"  # CloudFront's proof that it forwarded the request (a secret, see infra/aws)
VIEWER_HEADER = "cloudfront-viewer-address"


def session_token(request: Request) -> str | None:
    """The console session's token from the request's cookies, if it carries one."""
    from http.cookies import CookieError, SimpleCookie

    header = request.headers.get("cookie")
    if not header:
        return None
    cookies: SimpleCookie = SimpleCookie()
    try:
        cookies.load(header)
    except CookieError:
        return None
    found = cookies.get(SESSION_COOKIE)
    return found.value if found is not None else None


def session_cookie(token: str, max_age_seconds: int, *, secure: bool) -> str:
    """The Set-Cookie value of a session: scripts cannot read it, other sites cannot send it."""
    attributes = [f"{SESSION_COOKIE}={token}", "Path=/v1/", f"Max-Age={max_age_seconds}", "HttpOnly", "SameSite=Strict"]
    return "; ".join([*attributes, "Secure"] if secure else attributes)


def client_address(request: Request) -> str:
    """The caller's address: API Gateway's source address, or CloudFront's viewer for the page's calls.

    The page calls the API through CloudFront, so the source is an edge server; CloudFront then
    says who its viewer is, and proves it forwarded the request with a secret header. Without the
    proof the header could be forged by anyone, so it is ignored.
    """
    identity = (request.context or {}).get("identity") or {}
    source = str(identity.get("sourceIp") or "unknown")
    edge, viewer = request.headers.get(EDGE_HEADER), request.headers.get(VIEWER_HEADER)
    if not edge or not viewer:
        return source
    from chalicelib.services.access import viewer_address

    return viewer_address(edge, viewer) or source


def access_middleware(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Authenticate the key, check its roles against the route, count it against its limits."""
    method, route = request.method, request.path  # Chalice's path is the route template
    if (method, route) not in ROUTE_POLICY:
        # Not even the route's handler runs: a route the policy forgot is refused, never open.
        raise ApiProblem(
            405, f"{method} is not allowed on this resource.", headers={"Allow": ", ".join(methods_of(route))}
        )
    if is_public(method, route):
        if (method, route) not in PER_ADDRESS:
            return get_response(request)
        from chalicelib.services.access import use_public_allowance

        verdict = use_public_allowance(client_address(request), complaint=PER_ADDRESS[(method, route)])
        return _counted(verdict, request, get_response)
    from chalicelib.services.access import authenticate, session_principal, use_allowance

    # A refusal (no usable key, a spent limit) reaches the problem middleware as it is raised.
    key, session = request.headers.get("x-api-key"), session_token(request)
    if key is None and session is not None:
        changes = method not in ("GET", "HEAD", "OPTIONS")
        principal = session_principal(session, request.headers.get(CSRF_HEADER), changes=changes)
    else:
        principal = authenticate(key)
    if not may_call(principal.roles, method, route):
        roles = ", ".join(sorted(principal.roles))
        raise ApiProblem(403, f"A key with roles [{roles}] may not call {method} {route}.", type_name="forbidden")
    allowance = use_allowance(principal, submission=(method, route) == ("POST", "/v1/reports"))
    token = _principal.set(principal)
    try:
        return _counted(allowance, request, get_response)
    finally:
        _principal.reset(token)


def _counted(allowance: UsageVerdict, request: Request, get_response: Callable[[Request], Response]) -> Response:
    """The route's answer with the limits' headers, a refusal's too (a refused call still counted)."""
    try:
        response = get_response(request)
    except ApiProblem as problem:
        problem.headers.update(rate_limit_headers(allowance))
        raise
    response.headers.update(rate_limit_headers(allowance))
    return response
