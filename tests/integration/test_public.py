"""The public's door through the Lambda handler: check, challenge, complain, track, and the limits per address."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_mock import MockerFixture

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.domain.public import PUBLIC_PARTNER_ID, solve
from infra.local.runner import EventSourceRunner
from tests.integration.conftest import Api, body_of, make_key

HOAX = "KPU resmi mengundurkan hari pemungutan suara ke bulan Juni karena logistik belum siap."
CLAIM = {
    "external_id": "pub-1",
    "title": "Pemungutan suara diundur ke bulan Juni",
    "text": HOAX,
    "label": "HOAKS",
    "summary": "KPU tidak pernah mengundurkan hari pemungutan suara; jadwalnya tetap.",
    "url": "https://cekfakta.example/diundur",
    "publisher": "Cek Fakta Contoh",
    "date": "2024-02-08",
}
UNKNOWN = "Petugas TPS di Kendal meminta pemilih memotret surat suara sebagai bukti untuk mendapat hadiah pulsa."


@pytest.fixture
def public(api: Api, checker: Api, runner: EventSourceRunner) -> Api:
    """The page's view: no key; one demo claim published and indexed."""
    body_of(checker.http.post("/v1/claims", body=CLAIM), 201)
    runner.drain()
    return api.as_key(None)


@contextmanager
def from_address(api: Api, address: str) -> Iterator[Api]:
    """The same client, seen by the app as calling from ``address`` (as API Gateway would report it)."""
    from chalice.config import Config

    from infra.local.http import AddressedGateway

    http = api.client.http
    before = http._local_gateway
    http._local_gateway = AddressedGateway(api.client._app, Config.create(chalice_stage="local"), address)
    try:
        yield api
    finally:
        http._local_gateway = before


def complaint(public: Api, **fields: Any) -> dict[str, Any]:
    """A complaint body with a freshly solved challenge."""
    challenge = body_of(public.http.get("/v1/public/challenge"))
    nonce = solve(challenge["challenge"], challenge["difficulty"])
    return {"text": UNKNOWN, "platform": "whatsapp", "province": "33", **fields, **challenge_fields(challenge, nonce)}


def challenge_fields(challenge: dict[str, Any], nonce: str) -> dict[str, str]:
    return {"challenge": challenge["challenge"], "nonce": nonce}


def field_of(answer: Any, status: int = 422) -> str:
    problem = body_of(answer, status)
    assert answer.headers["Content-Type"] == "application/problem+json"
    return str(problem["errors"][0]["field"])


def test_a_citizen_checks_a_hoax_without_a_key_and_sees_only_the_published_fact_check(public: Api) -> None:
    answer = public.http.post("/v1/public/check", body={"text": "Info: " + HOAX + " Sebarkan!"})
    found = body_of(answer)
    assert found == {
        "matches": [
            {
                "claim": {k: CLAIM[k] for k in ("title", "label", "summary", "url", "date", "publisher")},
                "level": "match",
            }
        ]
    }
    # Counted against the caller's address, and said so
    assert int(answer.headers["RateLimit-Remaining"]) == get_settings().public_requests_per_minute - 1
    # Something nobody checked: no match at all (the page then offers a complaint)
    assert body_of(public.http.post("/v1/public/check", body={"text": UNKNOWN})) == {"matches": []}


def test_bad_public_requests_are_problems_naming_the_field(public: Api) -> None:
    assert field_of(public.http.post("/v1/public/check", body={"text": "x" * 5_001})) == "text"
    assert field_of(public.http.post("/v1/public/check", body={"url": "javascript:alert(1)"})) == "url"
    assert field_of(public.http.post("/v1/public/check", body={})) == "body"
    assert field_of(public.http.post("/v1/public/check", body={"images": ["upl_" + "a" * 26]})) == "images.0"
    assert field_of(public.http.post("/v1/public/reports", body={"text": UNKNOWN, "province": "33"})) == "challenge"
    body = complaint(public, province="99")
    assert field_of(public.http.post("/v1/public/reports", body=body)) == "province"
    assert field_of(public.http.post("/v1/public/reports", body=complaint(public, contact="0812-3456-7890"))) == (
        "consent"
    )
    assert body_of(public.http.get("/v1/public/reports/not-a-code"), 404)["type"].endswith("/not-found")


def test_a_complaint_is_tracked_from_its_code_to_the_fact_checkers_verdict(
    public: Api, checker: Api, runner: EventSourceRunner
) -> None:
    # When a citizen complains about a message nobody has checked
    answer = public.http.post("/v1/public/reports", body=complaint(public))
    accepted = body_of(answer, 202)
    code = accepted["tracking_code"]
    assert answer.headers["Location"] == f"/v1/public/reports/{code}"
    runner.drain()
    # Then the code tells where it is (typed any way: lower case, no dashes)
    status = body_of(public.http.get(f"/v1/public/reports/{code.lower().replace('-', '')}"))
    assert status == {
        "tracking_code": code,
        "status": "needs_review",
        "received_at": accepted["received_at"],
        "verdict": None,
    }
    # And its case is in the review queue, counted as a public complaint and weighed so
    queue = body_of(checker.http.get("/v1/cases?status=open"))["cases"]
    case = next(c for c in queue if c["sample_text"] == UNKNOWN)
    assert case["public_complaints"] == 1
    spread = next(c for c in case["priority"]["components"] if c["name"] == "spread")
    assert "1 aduan publik (bobot 3x)" in spread["evidence"]
    # When a fact-checker decides the case
    taken = body_of(checker.http.post(f"/v1/cases/{case['id']}/review", body={"version": case["version"]}))
    verdict = {
        "version": taken["version"],
        "label": "HOAKS",
        "summary": "Memotret surat suara di bilik dilarang; tidak ada hadiah pulsa.",
        "fact_check_url": "https://cekfakta.example/kendal",
        "title": "Pemilih diminta memotret surat suara untuk hadiah",
    }
    body_of(checker.http.post(f"/v1/cases/{case['id']}/verdict", body=verdict), 202)
    runner.drain()
    # Then the complaint's code shows the verdict and the fact-check, nothing else
    status = body_of(public.http.get(f"/v1/public/reports/{code}"))
    assert status["status"] == "reviewed"
    assert status["verdict"] == {
        "label": "HOAKS",
        "reason": verdict["summary"],
        "claim": {
            "title": verdict["title"],
            "label": "HOAKS",
            "summary": verdict["summary"],
            "url": verdict["fact_check_url"],
            "date": status["verdict"]["claim"]["date"],
            "publisher": status["verdict"]["claim"]["publisher"],
        },
    }


def test_a_challenge_is_single_use_unforgeable_short_lived_and_must_be_solved(public: Api) -> None:
    body = complaint(public)
    assert body_of(public.http.post("/v1/public/reports", body=body), 202)
    # Used once already
    assert field_of(public.http.post("/v1/public/reports", body={**body, "text": UNKNOWN + " lagi"})) == "challenge"
    # A challenge Saring did not issue (its mac changed)
    fresh = complaint(public)
    forged = fresh["challenge"][:-1] + ("a" if fresh["challenge"][-1] != "a" else "b")
    forged_body = {**fresh, "challenge": forged, "nonce": solve(forged, 0)}
    assert field_of(public.http.post("/v1/public/reports", body=forged_body)) == "challenge"
    # A nonce that does not solve it
    challenge = body_of(public.http.get("/v1/public/challenge"))
    unsolved = next(str(n) for n in range(10_000) if not _solves(challenge, str(n)))
    wrong = {**complaint(public), **challenge_fields(challenge, unsolved)}
    assert field_of(public.http.post("/v1/public/reports", body=wrong)) == "nonce"
    # An old one
    from chalicelib.services import public as public_service

    issued = datetime.now(UTC) - timedelta(seconds=get_settings().challenge_seconds + 5)
    old = public_service.issue_challenge(now=issued)
    stale = {**complaint(public), **challenge_fields(old.model_dump(), solve(old.challenge, old.difficulty))}
    assert field_of(public.http.post("/v1/public/reports", body=stale)) == "challenge"


def _solves(challenge: dict[str, Any], nonce: str) -> bool:
    from chalicelib.domain.public import solves

    return solves(challenge["challenge"], nonce, challenge["difficulty"])


def test_the_same_complaint_twice_is_one_report_and_other_peoples_copies_join_its_case(
    public: Api, runner: EventSourceRunner
) -> None:
    first = body_of(public.http.post("/v1/public/reports", body=complaint(public)), 202)
    # The same content from the same address the same day: the same complaint, counted once
    again = body_of(public.http.post("/v1/public/reports", body=complaint(public, contact="a@b.id", consent=True)), 202)
    assert again["tracking_code"] == first["tracking_code"]
    # From two other people: two more complaints, one case
    codes = set()
    for address in ("203.0.113.7", "198.51.100.20"):
        with from_address(public, address):
            codes.add(body_of(public.http.post("/v1/public/reports", body=complaint(public)), 202)["tracking_code"])
    assert len(codes | {first["tracking_code"]}) == 3
    runner.drain()
    reports = client("dynamodb").scan(TableName=get_settings().table_name("reports"))["Items"]
    public_reports = [item for item in reports if item["partner_id"]["S"] == PUBLIC_PARTNER_ID]
    assert len(public_reports) == 3
    case_ids = {item["case_id"]["S"] for item in public_reports}
    assert len(case_ids) == 1
    case = client("dynamodb").get_item(TableName=get_settings().table_name("cases"), Key={"id": {"S": case_ids.pop()}})
    assert case["Item"]["seen_count"]["N"] == "3" and case["Item"]["public_count"]["N"] == "3"


def test_a_complainants_contact_is_sealed_and_never_shown(public: Api) -> None:
    contact = "0812-9999-1234"
    body = complaint(public, contact=contact, consent=True)
    accepted = body_of(public.http.post("/v1/public/reports", body=body), 202)
    status = public.http.get(f"/v1/public/reports/{accepted['tracking_code']}")
    assert body_of(status)["tracking_code"] == accepted["tracking_code"] and contact not in str(status.body)
    sealed = client("dynamodb").scan(TableName=get_settings().table_name("contacts"))["Items"]
    assert len(sealed) == 1 and contact not in json.dumps(sealed) and "expires_at" in sealed[0]


def test_limits_hold_per_address_and_a_refusal_is_a_problem(public: Api, mocker: MockerFixture) -> None:
    settings = get_settings().model_copy(update={"public_requests_per_minute": 5, "public_complaints_per_day": 2})
    mocker.patch("chalicelib.services.access.get_settings", return_value=settings)
    answers = [public.http.post("/v1/public/check", body={"text": UNKNOWN}).status_code for _ in range(8)]
    assert answers == [200] * 5 + [429] * 3
    refused = public.http.get("/v1/public/challenge")
    problem = body_of(refused, 429)
    assert refused.headers["Content-Type"] == "application/problem+json" and int(refused.headers["Retry-After"]) >= 1
    assert "alamat ini" in problem["detail"]
    # Another address is not held back by the first
    with from_address(public, "192.0.2.44"):
        for n in range(2):
            body = complaint(public, text=f"{UNKNOWN} {n}")
            assert public.http.post("/v1/public/reports", body=body).status_code == 202
        # Its complaints a day are spent: the third is refused (the challenge is asked first, and counted)
        third = public.http.post("/v1/public/reports", body={**body, "text": UNKNOWN + " 3"})
        assert third.status_code == 429 and "besok" in body_of(third, 429)["detail"]
    # No address is stored: the counters are under a keyed hash
    usage = json.dumps(client("dynamodb").scan(TableName=get_settings().table_name("usage"))["Items"])
    assert "192.0.2.44" not in usage and "127.0.0.1" not in usage and "addr_" in usage


def test_everyones_limit_holds_the_door_when_many_addresses_flood_it(public: Api, mocker: MockerFixture) -> None:
    settings = get_settings().model_copy(update={"public_total_per_minute": 3})
    mocker.patch("chalicelib.services.access.get_settings", return_value=settings)
    statuses = []
    for n in range(5):
        with from_address(public, f"198.51.100.{n + 1}"):
            statuses.append(public.http.get("/v1/public/challenge").status_code)
    assert statuses == [200, 200, 200, 429, 429]


def test_no_key_may_carry_the_publics_partner_id(api: Api) -> None:
    admin = api.as_key(make_key("admin", partner_id="ops"))
    refused = admin.http.post("/v1/keys", body={"partner_id": PUBLIC_PARTNER_ID, "roles": ["partner"]})
    assert field_of(refused) == "partner_id"


def test_a_public_upload_lands_under_the_public_channel(public: Api) -> None:
    ticket = body_of(public.http.post("/v1/public/uploads", body={"content_type": "image/png", "size": 1000}), 201)
    assert ticket["fields"]["key"] == f"incoming/{PUBLIC_PARTNER_ID}/{ticket['upload_id']}"
    assert field_of(public.http.post("/v1/public/uploads", body={"content_type": "image/svg+xml", "size": 10})) == (
        "content_type"
    )


def test_the_viewer_address_counts_only_when_cloudfront_proves_it_forwarded_the_call(
    public: Api, mocker: MockerFixture
) -> None:
    from chalicelib.adapters.aws import secret_bytes

    settings = get_settings().model_copy(update={"public_requests_per_minute": 2})
    mocker.patch("chalicelib.services.access.get_settings", return_value=settings)
    proof = secret_bytes(get_settings().edge_secret).decode()

    def challenge(viewer: str, edge: str) -> int:
        headers = {"CloudFront-Viewer-Address": viewer, "X-Saring-Edge": edge}
        return int(public.http.get("/v1/public/challenge", headers=headers).status_code)

    # Through CloudFront (the secret header): each viewer has its own limit, though the source is one edge
    assert [challenge("203.0.113.9:51000", proof) for _ in range(3)] == [200, 200, 429]
    assert challenge("[2001:db8::7]:443", proof) == 200
    # A forged viewer header without the secret: the source address counts, whatever address is claimed
    assert [challenge(f"198.51.100.{n}:1", "tebakan") for n in range(3)] == [200, 200, 429]
