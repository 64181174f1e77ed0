"""Webhook rules: the address guard, signatures, which changes are events, backoff."""

from datetime import UTC, datetime

import pytest

from chalicelib.domain.addresses import forbidden_reason, url_problem
from chalicelib.domain.models import WebhookEventType
from chalicelib.domain.webhooks import (
    backoff_seconds,
    delivery_id,
    event_id,
    events_of_change,
    signature,
    verify_signature,
)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.1.10", "a private address"),
        ("fd12:3456::1", "a private address"),
        ("127.0.0.1", "a loopback address"),
        ("127.9.9.9", "a loopback address"),
        ("::1", "a loopback address"),
        ("169.254.10.10", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("fe80::1%eth0", "a link-local address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("100.100.100.200", "a cloud metadata address"),
        ("::ffff:10.0.0.1", "a private address"),  # IPv4-mapped IPv6 is the IPv4 address
        ("::ffff:169.254.169.254", "a cloud metadata address"),
        ("0.0.0.0", "a private address"),  # noqa: S104 - an address refused, not bound
        ("100.64.0.1", "not a public address"),  # carrier-grade NAT
        ("224.0.0.1", "not a public address"),
        ("255.255.255.255", "a private address"),
    ],
)
def test_every_internal_address_class_is_refused(address: str, reason: str) -> None:
    assert forbidden_reason(address) == reason


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "103.10.20.30"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert forbidden_reason(address) is None


def test_loopback_is_allowed_only_when_asked_and_nothing_else_is() -> None:
    assert forbidden_reason("127.0.0.1", allow_loopback=True) is None
    assert forbidden_reason("::1", allow_loopback=True) is None
    assert forbidden_reason("10.0.0.1", allow_loopback=True) == "a private address"
    assert forbidden_reason("169.254.169.254", allow_loopback=True) == "a cloud metadata address"


@pytest.mark.parametrize(
    ("url", "local", "problem"),
    [
        ("http://example.org/hook", False, "must use https"),
        ("ftp://example.org/hook", True, "must use https"),
        ("https://user:pw@example.org/hook", False, "must not carry credentials"),
        ("https://example.org/hook", False, None),
        ("https://example.org:443/hook", False, None),
        ("https://example.org:6379/hook", False, "must use the https port 443"),
        ("https://example.org:8443/hook", False, "must use the https port 443"),
        ("http://127.0.0.1:8080/hook", True, None),
    ],
)
def test_callback_urls(url: str, local: bool, problem: str | None) -> None:
    assert url_problem(url, local=local) == problem


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("2002:7f00:1::1", "a 6to4 address"),  # 127.0.0.1 through a 6to4 relay
        ("2002:a9fe:a9fe::1", "a 6to4 address"),  # 169.254.169.254
        ("fec0::1", "a site-local address"),
        ("fed0:1:2::3", "a site-local address"),
        ("2606:4700::1111", None),  # a public IPv6 address stays allowed
    ],
)
def test_tunnelled_and_site_local_ipv6_are_refused(address: str, reason: str | None) -> None:
    assert forbidden_reason(address, allow_loopback=True) == reason


def test_a_signature_verifies_only_the_same_body_secret_and_a_fresh_time() -> None:
    body = b'{"id":"evt_1"}'
    header = signature("whsec_x", 1_800_000_000, body)
    assert header.startswith("t=1800000000,v1=")
    assert verify_signature("whsec_x", header, body, now=1_800_000_010)
    assert not verify_signature("whsec_x", header, body + b" ", now=1_800_000_010)
    assert not verify_signature("whsec_y", header, body, now=1_800_000_010)
    assert not verify_signature("whsec_x", header, body, now=1_800_000_000 + 301)  # a replay
    assert not verify_signature("whsec_x", "v1=abc", body, now=1_800_000_000)


def test_a_finished_check_is_an_event_and_a_new_verdict_another() -> None:
    checked = WebhookEventType.report_checked
    changed = WebhookEventType.report_verdict_changed
    assert events_of_change("checking", "matched", None, '{"label":"HOAKS"}') == [checked, changed]
    assert events_of_change("checking", "needs_review", None, None) == [checked]
    assert events_of_change("received", "checking", None, None) == []
    assert events_of_change("needs_review", "reviewed", None, '{"label":"BENAR"}') == [changed]
    assert events_of_change("matched", "matched", '{"label":"HOAKS"}', '{"label":"HOAKS"}') == []


def test_event_and_delivery_ids_repeat_for_the_same_change_only() -> None:
    first = event_id("rpt_a", WebhookEventType.report_checked, "seq-1")
    assert first == event_id("rpt_a", WebhookEventType.report_checked, "seq-1")
    assert first != event_id("rpt_a", WebhookEventType.report_checked, "seq-2")
    moment = datetime(2026, 11, 28, tzinfo=UTC)
    later = datetime(2026, 11, 29, tzinfo=UTC)
    assert delivery_id(moment, first, "whk_a") == delivery_id(moment, first, "whk_a")
    assert delivery_id(moment, first, "whk_a") < delivery_id(later, first, "whk_a")  # newest sorts last


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [backoff_seconds(n, 30) for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1920, 3600]
