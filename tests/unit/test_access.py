"""Access rules: key format and hashing, the route policy, the limiter's windows and headers."""

from datetime import UTC, datetime

import pytest

from chalicelib.api.problems import rate_limit_headers
from chalicelib.api.routes import ROUTE_POLICY, may_call, methods_of
from chalicelib.domain.access import (
    Role,
    UsageVerdict,
    UsageWindow,
    key_hash,
    key_id_of,
    key_matches,
    new_api_key,
)

PEPPER = b"pepper-for-tests"


def test_a_new_key_names_its_own_id_and_only_its_hash_verifies_it() -> None:
    key_id, key = new_api_key()
    assert key_id_of(key) == key_id
    stored = key_hash(PEPPER, key)
    assert key not in stored and len(stored) == 64
    assert key_matches(PEPPER, key, stored)
    assert not key_matches(PEPPER, key[:-1] + ("a" if key[-1] != "a" else "b"), stored)
    assert not key_matches(b"another pepper", key, stored)  # a leaked table without the pepper proves nothing


def test_two_new_keys_differ() -> None:
    assert len({new_api_key()[1] for _ in range(50)}) == 50


@pytest.mark.parametrize(
    "text",
    ["", "saring_", "Bearer abc", "saring_UPPERCASEID12345_" + "a" * 30, "saring_abcdefghijklmnop_short", "x" * 300],
)
def test_anything_but_a_well_formed_key_has_no_id(text: str) -> None:
    assert key_id_of(text) is None


def test_roles_open_exactly_the_routes_the_policy_names() -> None:
    assert may_call(frozenset({Role.partner}), "POST", "/v1/reports")
    assert not may_call(frozenset({Role.media}), "POST", "/v1/reports")
    assert may_call(frozenset({Role.media, Role.partner}), "POST", "/v1/reports")  # any role suffices
    assert not may_call(frozenset(Role), "POST", "/v1/not-a-route")  # unknown: refused to everyone
    assert may_call(frozenset(), "GET", "/v1/health")  # public


def test_every_policy_entry_is_public_or_names_roles() -> None:
    for (method, route), roles in ROUTE_POLICY.items():
        assert method in {"GET", "POST", "PATCH", "DELETE"}
        assert route.startswith("/v1/")
        assert roles is None or roles, (method, route)
    assert methods_of("/v1/keys") == ["GET", "POST"]


@pytest.mark.parametrize(
    ("moment", "day", "to_midnight"),
    [
        (datetime(2026, 11, 28, 16, 59, 59, tzinfo=UTC), "2026-11-28", 1),  # 23:59:59 WIB
        (datetime(2026, 11, 28, 17, 0, 0, tzinfo=UTC), "2026-11-29", 86_400),  # 00:00:00 WIB
        (datetime(2026, 11, 28, 5, 0, 0, tzinfo=UTC), "2026-11-28", 12 * 3600),  # 12:00 WIB
    ],
)
def test_usage_days_are_wib_days(moment: datetime, day: str, to_midnight: int) -> None:
    window = UsageWindow.at(moment)
    assert window.day == day
    assert window.seconds_to_next_day == to_midnight


def test_usage_minutes_are_epoch_minutes() -> None:
    window = UsageWindow.at(datetime(2026, 11, 28, 10, 30, 45, tzinfo=UTC))
    assert window.minute == int(datetime(2026, 11, 28, 10, 30, tzinfo=UTC).timestamp()) // 60
    assert window.seconds_to_next_minute == 15


def test_limit_headers_say_what_is_left_and_when_to_retry() -> None:
    allowed = rate_limit_headers(UsageVerdict(True, 600, 599, 42))
    assert allowed == {
        "RateLimit-Limit": "600",
        "RateLimit-Remaining": "599",
        "RateLimit-Reset": "42",
        "RateLimit-Policy": "600;w=60",
    }
    refused = rate_limit_headers(UsageVerdict(False, 600, 0, 42, "quota", 3600))
    assert refused["Retry-After"] == "3600"
    assert refused["RateLimit-Remaining"] == "0"
