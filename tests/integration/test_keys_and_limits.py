"""Admins manage keys; keys are limited per minute and per WIB day, at one DynamoDB write a request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from infra.local.harness import counting_writes
from infra.local.resources import Resources
from tests.integration.conftest import Api, make_key

REPORT = {"text": "Pesan berantai", "platform": "whatsapp", "province": "31"}


def test_a_key_is_shown_once_and_stored_only_as_a_keyed_hash(api: Api) -> None:
    # Given an admin
    admin = api.as_key(make_key("admin", partner_id="ops"))
    # When it creates a key
    answer = admin.http.post(
        "/v1/keys",
        body={
            "partner_id": "kabar-app",
            "roles": ["partner", "media"],
            "name": "Kabar",
            "limits": {"requests_per_minute": 5},
        },
    )
    created = json.loads(answer.body)
    # Then the answer has the key, once, and nothing stored or listed contains it
    assert answer.status_code == 201 and answer.headers["Cache-Control"] == "no-store"
    assert created["key"].startswith("saring_") and created["limits"] == {
        "requests_per_minute": 5,
        "submissions_per_day": 10_000,
    }
    item = client("dynamodb").get_item(TableName=get_settings().table_name("keys"), Key={"id": {"S": created["id"]}})
    assert created["key"] not in json.dumps(item)
    listed = json.loads(admin.http.get("/v1/keys").body)["keys"]
    assert created["id"] in {key["id"] for key in listed}
    assert all("key" not in key and "key_hash" not in key for key in listed)
    # And the key works for what its roles allow
    assert api.as_key(created["key"]).http.post("/v1/lookup", body={"text": "halo"}).status_code == 200


def test_bad_key_requests_name_the_field(api: Api) -> None:
    admin = api.as_key(make_key("admin", partner_id="ops"))
    for body, field in [
        ({"partner_id": "Kabar App!", "roles": ["partner"]}, "partner_id"),
        ({"partner_id": "kabar", "roles": []}, "roles"),
        ({"partner_id": "kabar", "roles": ["owner"]}, "roles.0"),
        ({"partner_id": "kabar", "roles": ["media", "media"]}, "roles"),
        ({"partner_id": "kabar", "roles": ["media"], "expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
        (
            {"partner_id": "kabar", "roles": ["media"], "limits": {"requests_per_minute": 0}},
            "limits.requests_per_minute",
        ),
        ({"partner_id": "kabar", "roles": ["media"], "expires_at": "2030-01-01T00:00:00"}, "expires_at"),
    ]:
        answer = admin.http.post("/v1/keys", body=body)
        assert answer.status_code == 422, body
        assert field in {error["field"] for error in json.loads(answer.body)["errors"]}, (body, answer.body)
    assert admin.http.get("/v1/keys?cursor=nonsense").status_code == 422
    missing = admin.http.delete("/v1/keys/key_" + "a" * 16)
    assert missing.status_code == 404
    assert "RateLimit-Remaining" in missing.headers  # a refused call was counted, and says so


def test_the_rate_limit_answers_429_with_retry_after(api: Api) -> None:
    # Given a key allowed 3 requests a minute
    limited = api.as_key(make_key("media", requests_per_minute=3))
    # When it sends 4
    answers = [limited.http.get("/v1/claims") for _ in range(4)]
    # Then 3 pass, counting down, and the 4th is refused with when to come back
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    refused = answers[3]
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["RateLimit-Limit"] == "3" and refused.headers["RateLimit-Policy"] == "3;w=60"
    assert json.loads(refused.body)["type"].endswith("/too-many-requests")
    # And another key is not affected
    assert api.as_key(make_key("media")).http.get("/v1/claims").status_code == 200


def test_the_daily_quota_counts_submissions_only(api: Api) -> None:
    # Given a partner allowed 2 reports a day
    partner = api.as_key(make_key("partner", submissions_per_day=2))
    # When it submits 3 and looks something up
    statuses = [partner.post_report(REPORT).status_code for _ in range(3)]
    lookup = partner.http.post("/v1/lookup", body={"text": "halo"})
    # Then the third report is refused until 00:00 WIB; lookups still work
    assert statuses == [202, 202, 429]
    refused = partner.post_report(REPORT)
    assert "00:00 WIB" in json.loads(refused.body)["detail"]
    assert int(refused.headers["Retry-After"]) <= 86_400
    assert lookup.status_code == 200


@pytest.fixture
def dynamodb_writes() -> Iterator[list[str]]:
    with counting_writes() as writes:
        yield writes


def test_access_checks_add_one_write_per_request(api: Api, dynamodb_writes: list[str]) -> None:
    # Given a key that has already made a request this minute (its key and counter exist)
    reader = api.as_key(make_key("media"))
    assert reader.http.get("/v1/claims/clm_" + "0" * 24).status_code == 404
    dynamodb_writes.clear()
    # When it reads a claim (a route that itself writes nothing) ten times
    for _ in range(10):
        reader.http.get("/v1/claims/clm_" + "0" * 24)
    # Then the limiter wrote exactly once a request
    assert dynamodb_writes == ["UpdateItem"] * 10


def test_a_new_minute_after_a_minute_of_one_request_is_counted(aws: Resources) -> None:
    # Regression: the answer left out `requests` when a new minute set it to the 1 it already was,
    # and the request failed with a 500 (seen as a flaky test at a minute boundary).
    from chalicelib.domain.access import UsageWindow
    from chalicelib.store import stores

    usage = stores().usage
    first = UsageWindow.at(datetime(2026, 11, 28, 9, 0, 30, tzinfo=UTC))
    later = UsageWindow.at(datetime(2026, 11, 28, 9, 1, 5, tzinfo=UTC))
    assert usage.consume("key_a", first, 10, 100, submission=False).remaining == 9
    fresh = type(usage)()  # another container: it does not know the minute, so it starts a new one

    verdict = fresh.consume("key_a", later, 10, 100, submission=False)

    assert verdict.allowed and verdict.remaining == 9
