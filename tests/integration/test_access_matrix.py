"""Every route × every role, and every way a key can be wrong: one place decides, and decides right."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app import app as chalice_app
from chalicelib.domain.audit import CLI
from chalicelib.domain.models import KeyRequest
from chalicelib.services.access import create_key, revoke_key
from tests.integration.conftest import Api, make_key

ALL = {"partner", "media", "agency", "checker", "admin"}
CLAIM = {"external_id": "matrix-1", "title": "Judul", "text": "Teks hoaks", "label": "HOAKS"}

# Written out here, not read from the app's policy, so a change to the policy must change this too.
EXPECTED: dict[tuple[str, str], set[str] | None] = {
    ("GET", "/v1/health"): None,
    ("GET", "/v1/openapi.json"): None,
    ("POST", "/v1/uploads"): {"partner", "media", "checker", "admin"},
    ("POST", "/v1/reports"): {"partner"},
    ("GET", "/v1/reports/{report_id}"): {"partner", "agency", "checker", "admin"},
    ("POST", "/v1/lookup"): ALL,
    ("GET", "/v1/claims"): ALL,
    ("GET", "/v1/claims/{claim_id}"): ALL,
    ("POST", "/v1/claims"): {"checker", "admin"},
    ("PATCH", "/v1/claims/{claim_id}"): {"checker", "admin"},
    ("POST", "/v1/claims/{claim_id}/images"): {"checker", "admin"},
    ("POST", "/v1/keys"): {"admin"},
    ("GET", "/v1/keys"): {"admin"},
    ("DELETE", "/v1/keys/{key_id}"): {"admin"},
    ("POST", "/v1/webhooks"): {"partner", "agency", "checker"},
    ("GET", "/v1/webhooks"): {"partner", "agency", "checker"},
    ("GET", "/v1/webhooks/{webhook_id}"): {"partner", "agency", "checker"},
    ("DELETE", "/v1/webhooks/{webhook_id}"): {"partner", "agency", "checker"},
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"): {"partner", "agency", "checker"},
    ("GET", "/v1/exports/daily/{date}"): {"agency", "admin"},
    ("POST", "/v1/exports/daily/{date}"): {"agency", "admin"},
    ("GET", "/v1/stats/daily"): {"agency", "admin"},
    ("GET", "/v1/stats/trending"): {"agency", "admin"},
    ("GET", "/v1/cases"): {"checker", "agency", "admin"},
    ("GET", "/v1/cases/{case_id}"): {"checker", "agency", "admin"},
    ("GET", "/v1/cases/{case_id}/reports"): {"checker", "agency", "admin"},
    ("POST", "/v1/cases/{case_id}/review"): {"checker"},
    ("POST", "/v1/cases/{case_id}/verdict"): {"checker"},
    ("GET", "/v1/audit"): {"admin"},
    ("POST", "/v1/public/check"): None,
    ("POST", "/v1/public/uploads"): None,
    ("GET", "/v1/public/challenge"): None,
    ("POST", "/v1/public/reports"): None,
    ("GET", "/v1/public/reports/{tracking_code}"): None,
    ("POST", "/v1/cases/{case_id}/referrals"): {"checker", "admin"},
    ("GET", "/v1/referrals"): {"checker", "agency", "admin"},
    ("GET", "/v1/referrals/{referral_id}"): {"checker", "agency", "admin"},
    ("POST", "/v1/referrals/{referral_id}/status"): {"agency"},
    ("GET", "/v1/stats/referrals"): {"checker", "agency", "admin"},
    ("GET", "/v1/referrals/{referral_id}/evidence"): {"checker", "agency", "admin"},
    ("GET", "/v1/evidence-key"): None,
    ("GET", "/v1/audit/verify"): {"agency", "admin"},
    ("POST", "/v1/sessions"): None,
    ("GET", "/v1/sessions"): {"checker", "agency", "admin"},
    ("DELETE", "/v1/sessions"): {"checker", "agency", "admin"},
}

# A concrete request for each route: well-formed, so whatever is refused is refused for access.
REQUESTS: dict[tuple[str, str], tuple[str, Any]] = {
    ("GET", "/v1/health"): ("/v1/health", None),
    ("GET", "/v1/openapi.json"): ("/v1/openapi.json", None),
    ("POST", "/v1/uploads"): ("/v1/uploads", {"content_type": "image/png", "size": 1000}),
    ("POST", "/v1/reports"): ("/v1/reports", {"text": "Pesan", "platform": "whatsapp", "province": "31"}),
    ("GET", "/v1/reports/{report_id}"): ("/v1/reports/rpt_" + "a" * 26, None),
    ("POST", "/v1/lookup"): ("/v1/lookup", {"text": "Pesan berantai"}),
    ("GET", "/v1/claims"): ("/v1/claims", None),
    ("GET", "/v1/claims/{claim_id}"): ("/v1/claims/clm_" + "0" * 24, None),
    ("POST", "/v1/claims"): ("/v1/claims", CLAIM),
    ("PATCH", "/v1/claims/{claim_id}"): ("/v1/claims/clm_" + "0" * 24, {"title": "Judul lain"}),
    ("POST", "/v1/claims/{claim_id}/images"): (
        "/v1/claims/clm_" + "0" * 24 + "/images",
        {"upload_id": "upl_" + "a" * 26},
    ),
    ("POST", "/v1/keys"): ("/v1/keys", {"partner_id": "new-partner", "roles": ["media"]}),
    ("GET", "/v1/keys"): ("/v1/keys", None),
    ("DELETE", "/v1/keys/{key_id}"): ("/v1/keys/key_" + "a" * 16, None),
    ("POST", "/v1/webhooks"): ("/v1/webhooks", {"url": "http://127.0.0.1:9/hook", "events": ["report.checked"]}),
    ("GET", "/v1/webhooks"): ("/v1/webhooks", None),
    ("GET", "/v1/webhooks/{webhook_id}"): ("/v1/webhooks/whk_" + "a" * 24, None),
    ("DELETE", "/v1/webhooks/{webhook_id}"): ("/v1/webhooks/whk_" + "a" * 24, None),
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"): ("/v1/webhooks/whk_" + "a" * 24 + "/deliveries", None),
    ("GET", "/v1/exports/daily/{date}"): ("/v1/exports/daily/2024-02-14", None),
    ("POST", "/v1/exports/daily/{date}"): ("/v1/exports/daily/2024-02-14", {}),
    ("GET", "/v1/stats/daily"): ("/v1/stats/daily?from=2024-02-14&to=2024-02-15", None),
    ("GET", "/v1/stats/trending"): ("/v1/stats/trending", None),
    ("GET", "/v1/cases"): ("/v1/cases", None),
    ("GET", "/v1/cases/{case_id}"): ("/v1/cases/case_" + "0" * 26, None),
    ("GET", "/v1/cases/{case_id}/reports"): ("/v1/cases/case_" + "0" * 26 + "/reports", None),
    ("POST", "/v1/cases/{case_id}/review"): ("/v1/cases/case_" + "0" * 26 + "/review", {"version": 0}),
    ("POST", "/v1/cases/{case_id}/verdict"): (
        "/v1/cases/case_" + "0" * 26 + "/verdict",
        {
            "version": 0,
            "label": "HOAKS",
            "summary": "Foto lama yang diberi keterangan baru.",
            "fact_check_url": "https://cekfakta.example/artikel/1",
            "title": "Foto lama diklaim kejadian baru",
        },
    ),
    ("GET", "/v1/audit"): ("/v1/audit", None),
    ("POST", "/v1/public/check"): ("/v1/public/check", {"text": "Pesan berantai"}),
    ("POST", "/v1/public/uploads"): ("/v1/public/uploads", {"content_type": "image/png", "size": 1000}),
    ("GET", "/v1/public/challenge"): ("/v1/public/challenge", None),
    ("POST", "/v1/public/reports"): (
        "/v1/public/reports",
        {"text": "Pesan", "province": "31", "challenge": "1796000000.16." + "a" * 16 + "." + "a" * 16, "nonce": "1"},
    ),
    ("GET", "/v1/public/reports/{tracking_code}"): ("/v1/public/reports/SRG-AAAA-AAAA-AAAA-AAAA", None),
    ("POST", "/v1/cases/{case_id}/referrals"): (
        "/v1/cases/case_" + "0" * 26 + "/referrals",
        {"agency": "bawaslu", "category": "politik_uang", "note": "Catatan"},
    ),
    ("GET", "/v1/referrals"): ("/v1/referrals", None),
    ("GET", "/v1/referrals/{referral_id}"): ("/v1/referrals/ref_" + "a" * 24, None),
    ("POST", "/v1/referrals/{referral_id}/status"): (
        "/v1/referrals/ref_" + "a" * 24 + "/status",
        {"status": "acknowledged"},
    ),
    ("GET", "/v1/stats/referrals"): ("/v1/stats/referrals", None),
    ("GET", "/v1/referrals/{referral_id}/evidence"): ("/v1/referrals/ref_" + "a" * 24 + "/evidence", None),
    ("GET", "/v1/evidence-key"): ("/v1/evidence-key", None),
    ("GET", "/v1/audit/verify"): ("/v1/audit/verify?day=2024-02-14", None),
    # Signing in is public; the key it signs in with is in the body (a checker's, made for each call)
    ("POST", "/v1/sessions"): ("/v1/sessions", lambda: {"key": make_key("checker", partner_id="matrix-console")}),
    ("GET", "/v1/sessions"): ("/v1/sessions", None),
    ("DELETE", "/v1/sessions"): ("/v1/sessions", None),
}


def _call(api: Api, route: tuple[str, str]) -> Any:
    path, body = REQUESTS[route]
    body = body() if callable(body) else body
    method = route[0]
    if body is None:
        return api.http._call(method, path)
    return api.http._call(method, path, body=body)


def test_the_matrix_covers_every_route_the_app_has() -> None:
    routes = {(method, path) for path, methods in chalice_app.routes.items() for method in methods}
    assert routes == set(EXPECTED) == set(REQUESTS)


def test_every_route_for_every_role(api: Api) -> None:
    # Given one key per role (each of them alone)
    keys = {role: make_key(role, partner_id=f"only-{role}") for role in sorted(ALL)}
    failures = []
    for route, allowed in EXPECTED.items():
        for role, key in keys.items():
            # When that key calls the route
            answer = _call(api.as_key(key), route)
            # Then it is refused with 403 exactly when the role is not allowed, and never a 401 or 5xx
            refused = answer.status_code == 403
            should_refuse = allowed is not None and role not in allowed
            if refused != should_refuse or answer.status_code in (401,) or answer.status_code >= 500:
                failures.append((route, role, answer.status_code, answer.body[:200]))
            if refused:
                assert json.loads(answer.body)["type"].endswith("/forbidden")
    assert failures == []


def _expired_key() -> str:
    # The API refuses an expiry in the past; a key that has lived past its expiry is made directly.
    request = KeyRequest(partner_id="all-roles", roles=list(ALL)).model_copy(
        update={"expires_at": datetime.now(UTC) - timedelta(days=1)}
    )
    return create_key(request, CLI).key


def _revoked_key() -> str:
    created = create_key(KeyRequest(partner_id="all-roles", roles=list(ALL)), CLI)
    revoke_key(created.id, CLI)
    return created.key


@pytest.mark.parametrize(
    ("case", "make", "detail"),
    [
        ("missing", lambda: None, "This endpoint needs an API key in the X-Api-Key header (or a console session)."),
        ("malformed", lambda: "Bearer 123", "This API key is not valid."),
        ("unknown", lambda: "saring_aaaaaaaaaaaaaaaa_" + "b" * 40, "This API key is not valid."),
        ("tampered", lambda: make_key(*ALL, partner_id="all-roles")[:-1] + "Z", "This API key is not valid."),
        ("expired", _expired_key, "This API key has expired."),
        ("revoked", _revoked_key, "This API key was revoked."),
    ],
)
def test_every_route_refuses_a_bad_key_with_401(api: Api, case: str, make: Any, detail: str) -> None:
    key = make()
    for route, allowed in EXPECTED.items():
        answer = _call(api.as_key(key), route)
        if allowed is None:
            # Public routes need no key at all: a key, good or bad, changes nothing
            assert answer.status_code not in (401, 403) and answer.status_code < 500, (case, route, answer.body)
            continue
        assert answer.status_code == 401, (case, route, answer.body)
        problem = json.loads(answer.body)
        assert problem["detail"] == detail
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert answer.headers["WWW-Authenticate"] == 'ApiKey header="X-Api-Key"'


def test_a_revoked_key_stops_working_at_once_through_the_api(api: Api) -> None:
    # Given an admin and a partner key that works
    admin = api.as_key(make_key("admin", partner_id="ops"))
    created = json.loads(admin.http.post("/v1/keys", body={"partner_id": "kabar-app", "roles": ["partner"]}).body)
    partner = api.as_key(created["key"])
    assert partner.http.get("/v1/webhooks").status_code == 200
    # When the admin revokes it
    revoked = admin.http.delete(f"/v1/keys/{created['id']}")
    # Then the next call with it is a 401
    assert revoked.status_code == 200 and json.loads(revoked.body)["revoked_at"]
    assert partner.http.get("/v1/webhooks").status_code == 401
