"""Console sessions through the Lambda handler: sign in once, an HttpOnly cookie, CSRF on every change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_mock import MockerFixture

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from tests.integration.conftest import Api, body_of, make_key


def _sign_in(public: Api, key: str) -> tuple[str, dict[str, Any], Any]:
    answer = public.http.post("/v1/sessions", body={"key": key})
    view = body_of(answer, 201)
    cookie = answer.headers["Set-Cookie"]
    return cookie.split(";", 1)[0], view, answer


def test_a_checker_signs_in_once_and_the_cookie_carries_the_keys_console_roles(api: Api) -> None:
    public = api.as_key(None)
    key = make_key("checker", partner_id="cekfakta")
    cookie, view, answer = _sign_in(public, key)
    attributes = [part.strip() for part in answer.headers["Set-Cookie"].split(";")]
    assert cookie.startswith("saring_session=ses_") and "HttpOnly" in attributes and "SameSite=Strict" in attributes
    assert "Path=/v1/" in attributes and "Secure" not in attributes  # the local stage is plain http
    assert view["roles"] == ["checker"] and view["partner_id"] == "cekfakta" and len(view["csrf_token"]) >= 32
    assert answer.headers["Cache-Control"] == "no-store"
    # The cookie alone reads what a checker reads, and the page can reload its session
    assert public.http.get("/v1/cases", headers={"Cookie": cookie}).status_code == 200
    assert body_of(public.http.get("/v1/sessions", headers={"Cookie": cookie}))["csrf_token"] == view["csrf_token"]
    # Nothing of the token is stored: only its hash
    stored = json.dumps(client("dynamodb").scan(TableName=get_settings().table_name("sessions"))["Items"])
    assert cookie.split("=", 1)[1] not in stored and view["csrf_token"] in stored


def test_a_change_without_the_csrf_token_is_refused(api: Api) -> None:
    public = api.as_key(None)
    cookie, view, _ = _sign_in(public, make_key("checker", partner_id="cekfakta"))
    claim = {"external_id": "csrf-1", "title": "Judul", "text": "Teks hoaks", "label": "HOAKS"}
    for headers in ({"Cookie": cookie}, {"Cookie": cookie, "X-CSRF-Token": "tebakan"}):
        refused = public.http.post("/v1/claims", headers=headers, body=claim)
        assert refused.status_code == 403 and json.loads(refused.body)["type"].endswith("/csrf-token")
    headers = {"Cookie": cookie, "X-CSRF-Token": view["csrf_token"]}
    assert public.http.post("/v1/claims", headers=headers, body=claim).status_code == 201


def test_keys_outside_the_console_and_bad_keys_are_refused_at_sign_in(api: Api) -> None:
    public = api.as_key(None)
    for roles in (("partner",), ("media",)):
        refused = public.http.post("/v1/sessions", body={"key": make_key(*roles, partner_id="kabar-app")})
        assert refused.status_code == 403 and "Set-Cookie" not in refused.headers
    assert public.http.post("/v1/sessions", body={"key": "saring_aaaaaaaaaaaaaaaa_" + "b" * 40}).status_code == 401
    assert body_of(public.http.post("/v1/sessions", body={}), 422)["errors"][0]["field"] == "key"
    # A session acts with its key's console roles only: an agency key that may also look things up
    cookie, view, _ = _sign_in(public, make_key("agency", "media", partner_id="bawaslu"))
    assert view["roles"] == ["agency"]
    assert public.http.post("/v1/lookup", headers={"Cookie": cookie}, body={"text": "x"}).status_code == 403


def test_signing_out_or_revoking_the_key_ends_the_session_and_an_old_one_expires(
    api: Api, mocker: MockerFixture
) -> None:
    public = api.as_key(None)
    admin = api.as_key(make_key("admin", partner_id="ops"))
    created = body_of(admin.http.post("/v1/keys", body={"partner_id": "cekfakta", "roles": ["checker"]}), 201)
    cookie, view, _ = _sign_in(public, created["key"])
    # Signing out needs the token too, then the cookie is cleared and dead
    assert public.http.delete("/v1/sessions", headers={"Cookie": cookie}).status_code == 403
    out = public.http.delete("/v1/sessions", headers={"Cookie": cookie, "X-CSRF-Token": view["csrf_token"]})
    assert out.status_code == 204 and "Max-Age=0" in out.headers["Set-Cookie"]
    assert public.http.get("/v1/cases", headers={"Cookie": cookie}).status_code == 401
    # Revoking the key ends its sessions
    cookie, view, _ = _sign_in(public, created["key"])
    admin.http.delete(f"/v1/keys/{created['id']}")
    from chalicelib.services.access import forget_cached_keys

    forget_cached_keys()  # another container would see it within SARING_KEY_CACHE_SECONDS
    assert public.http.get("/v1/cases", headers={"Cookie": cookie}).status_code == 401
    # A session past its time is over, whatever DynamoDB's TTL has not deleted yet
    cookie, view, _ = _sign_in(public, make_key("agency", partner_id="bawaslu"))
    later = datetime.now(UTC) + timedelta(minutes=get_settings().session_minutes + 1)
    from chalicelib.services import access

    mocker.patch.object(access, "datetime", wraps=datetime)
    access.datetime.now.return_value = later  # type: ignore[attr-defined]
    expired = public.http.get("/v1/stats/trending", headers={"Cookie": cookie})
    assert expired.status_code == 401 and "masuk lagi" in json.loads(expired.body)["detail"]


def test_a_key_call_has_no_session_and_a_forged_cookie_is_nothing(api: Api) -> None:
    checker = api.as_key(make_key("checker", partner_id="cekfakta"))
    assert checker.http.get("/v1/sessions").status_code == 404
    public = api.as_key(None)
    for cookie in ("saring_session=ses_" + "a" * 52, "saring_session=bukan", "saring_session", "=;;;"):
        answer = public.http.get("/v1/cases", headers={"Cookie": cookie})
        assert answer.status_code == 401, (cookie, answer.body)
