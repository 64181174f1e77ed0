"""Routes of console sessions: sign in with a key once, then a cookie the page's scripts cannot read."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api.access import current_principal, session_cookie
from chalicelib.api.io import json_response, parse_body
from chalicelib.api.problems import not_found
from chalicelib.api.routes import CURRENT_SESSION, SIGN_IN, SIGN_OUT, serve

sessions = Blueprint(__name__)

_NO_SESSION = "This call carries an API key, not a console session."


@serve(sessions, SIGN_IN)
def post_session() -> object:
    from chalicelib.domain.models import SessionRequest

    request = parse_body(sessions.current_request, SessionRequest)
    from chalicelib.config import get_settings
    from chalicelib.services.access import start_session

    token, view = start_session(request.key)
    settings = get_settings()
    cookie = session_cookie(token, settings.session_minutes * 60, secure=not settings.is_local)
    return json_response(view, 201, headers={"Set-Cookie": cookie, "Cache-Control": "no-store"})


@serve(sessions, CURRENT_SESSION)
def get_session() -> object:
    from chalicelib.services.access import current_session

    view = current_session(current_principal())
    if view is None:
        raise not_found(_NO_SESSION)
    return json_response(view, headers={"Cache-Control": "no-store"})


@serve(sessions, SIGN_OUT)
def delete_session() -> object:
    from chalicelib.config import get_settings
    from chalicelib.services.access import end_session

    if not end_session(current_principal()):
        raise not_found(_NO_SESSION)
    cookie = session_cookie("", 0, secure=not get_settings().is_local)
    return Response(body="", status_code=204, headers={"Set-Cookie": cookie})
