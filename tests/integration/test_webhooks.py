"""Webhooks end to end in-process: registered, signed, retried with backoff, parked, guarded.

The receiver is a real HTTP server on 127.0.0.1 (the local stage allows loopback for this).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_mock import MockerFixture

from chalicelib.adapters import webhook_queue
from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.domain.webhooks import verify_signature
from infra.local.resources import Resources
from infra.local.runner import EventSourceRunner
from tests.integration.conftest import Api, make_key
from tests.webhook_receiver import Receiver, webhook_receiver

HOAX = (
    "Beredar pesan bahwa pemilih wajib membawa fotokopi kartu keluarga ke TPS, "
    "tanpa itu surat suara tidak akan diberikan oleh petugas KPPS"
)
CLAIM = {"external_id": "wh-1", "title": "Pemilih wajib bawa fotokopi KK ke TPS", "text": HOAX, "label": "HOAKS"}
CONTACT = "pelapor@example.org"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


@pytest.fixture
def partner(api: Api, runner: EventSourceRunner) -> Api:
    """A partner, and a claim the matcher knows (created by a checker, indexed from the stream)."""
    checker = api.as_key(make_key("checker", partner_id="cekfakta"))
    assert checker.http.post("/v1/claims", body=CLAIM).status_code == 201
    runner.drain()
    return api.as_key(make_key("partner", partner_id="kabar-app"))


def _subscribe(partner: Api, url: str, events: list[str] | None = None) -> dict[str, Any]:
    answer = partner.http.post(
        "/v1/webhooks", body={"url": url, "events": events or ["report.checked", "report.verdict_changed"]}
    )
    assert answer.status_code == 201, answer.body
    return dict(json.loads(answer.body))


def _deliveries(partner: Api, webhook_id: str) -> list[dict[str, Any]]:
    answer = partner.http.get(f"/v1/webhooks/{webhook_id}/deliveries")
    assert answer.status_code == 200, answer.body
    return list(json.loads(answer.body)["deliveries"])


def test_a_checked_report_reaches_its_partner_signed(
    partner: Api, runner: EventSourceRunner, receiver: Receiver
) -> None:
    # Given a partner subscribed to both events
    hook = _subscribe(partner, receiver.url)
    assert hook["secret"].startswith("whsec_")
    # When it submits a copy of a known hoax (with a reporter's contact) and the pipeline runs
    report_id = partner.submit(
        {
            "text": HOAX.upper() + " SEBARKAN!!",
            "platform": "whatsapp",
            "province": "31",
            "reporter": {"contact": CONTACT},
        }
    )
    runner.drain()
    # Then two deliveries arrive, each signed with the secret, naming the event and the report
    arrived = receiver.wait_for(2)
    assert sorted(json.loads(r.body)["type"] for r in arrived) == ["report.checked", "report.verdict_changed"]
    for request in arrived:
        event = json.loads(request.body)
        assert verify_signature(hook["secret"], request.headers["Saring-Signature"], request.body, int(time.time()))
        assert request.headers["Saring-Event-Id"] == event["id"]
        assert request.headers["Content-Type"] == "application/json"
        assert event["report"]["id"] == report_id
        assert event["report"]["status"] == "matched"
        assert event["report"]["verdict"]["label"] == "HOAKS"
        assert CONTACT not in request.body.decode()  # never personal data in an event
    # And the partner sees both as delivered
    deliveries = _deliveries(partner, hook["id"])
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in deliveries] == [("delivered", 1, 200)] * 2


def test_only_subscribed_events_of_own_reports_are_sent(
    api: Api, partner: Api, runner: EventSourceRunner, receiver: Receiver
) -> None:
    # Given a partner subscribed to report.checked only, and another partner's report
    _subscribe(partner, receiver.url, ["report.checked"])
    other = api.as_key(make_key("partner", partner_id="lain-app"))
    other.submit({"text": HOAX, "platform": "x", "province": "32"})
    # When the partner's own report is checked
    own = partner.submit(
        {"text": "Jalan rusak di depan balai desa belum diperbaiki", "platform": "x", "province": "32"}
    )
    runner.drain()
    # Then exactly one delivery arrives: its own report, the subscribed event
    arrived = receiver.wait_for(1)
    time.sleep(0.3)
    assert len(receiver.received) == 1
    event = json.loads(arrived[0].body)
    assert (event["type"], event["report"]["id"], event["report"]["status"]) == (
        "report.checked",
        own,
        "needs_review",
    )


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(
    partner: Api, runner: EventSourceRunner, receiver: Receiver, mocker: MockerFixture
) -> None:
    # Given a receiver that fails twice, then answers
    receiver.statuses = [500, 503]
    hook = _subscribe(partner, receiver.url, ["report.checked"])
    backoffs = mocker.spy(webhook_queue, "retry_later")
    # When a report is checked
    partner.submit({"text": HOAX, "platform": "whatsapp", "province": "31"})
    runner.drain()
    # Then the same event came three times, the waits doubled, and it is delivered on the third try
    arrived = receiver.wait_for(3)
    assert len({r.headers["Saring-Event-Id"] for r in arrived}) == 1
    assert [call.args[1] for call in backoffs.call_args_list] == [30, 60]
    [delivery] = _deliveries(partner, hook["id"])
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == ("delivered", 3, 200)


def test_a_delivery_that_always_fails_is_parked_in_the_dead_letter_queue(
    partner: Api, runner: EventSourceRunner, receiver: Receiver, aws: Resources
) -> None:
    # Given a receiver that always fails
    receiver.statuses = [500] * 50
    hook = _subscribe(partner, receiver.url, ["report.checked"])
    # When a report is checked
    partner.submit({"text": HOAX, "platform": "whatsapp", "province": "31"})
    runner.drain()
    # Then after the last try it is parked, and the partner can see why
    [delivery] = _deliveries(partner, hook["id"])
    assert (delivery["status"], delivery["attempts"], delivery["last_error"]) == ("dead_lettered", 8, "HTTP 500")
    assert len(receiver.received) == 8
    parked = client("sqs").receive_message(QueueUrl=aws.webhook_dead_letter_queue_url, MaxNumberOfMessages=10)
    [message] = parked["Messages"]
    body = json.loads(message["Body"])
    assert (body["delivery_id"], body["failure"]) == (delivery["id"], "HTTP 500")
    assert client("sqs").receive_message(QueueUrl=aws.webhook_queue_url).get("Messages") is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.8/hook", "a private address"),
        ("http://192.168.1.1/hook", "a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://169.254.1.1/hook", "a link-local address"),
        ("http://[fd00:ec2::254]/hook", "a cloud metadata address"),
        ("ftp://example.org/hook", "http or https URL"),
    ],
)
def test_registering_an_internal_callback_is_refused(partner: Api, url: str, reason: str) -> None:
    answer = partner.http.post("/v1/webhooks", body={"url": url, "events": ["report.checked"]})
    assert answer.status_code == 422, answer.body
    problem = json.loads(answer.body)
    assert problem["errors"][0]["field"] == "url"
    assert reason in problem["errors"][0]["message"]


def test_a_name_that_later_resolves_inside_is_refused_at_delivery(
    partner: Api, runner: EventSourceRunner, receiver: Receiver, mocker: MockerFixture
) -> None:
    # Given a webhook whose host resolved to loopback (allowed locally) when it was registered
    real = socket.getaddrinfo
    resolve = mocker.patch("chalicelib.adapters.webhook_http.socket.getaddrinfo")
    resolve.side_effect = lambda host, *a, **k: real("127.0.0.1" if host == "hooks.partner.test" else host, *a, **k)
    hook = _subscribe(partner, receiver.url.replace("127.0.0.1", "hooks.partner.test"), ["report.checked"])
    # When the name now points at the metadata service (DNS rebinding) and a report is checked
    resolve.side_effect = lambda host, port, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))
    ]
    partner.submit({"text": HOAX, "platform": "whatsapp", "province": "31"})
    runner.drain()
    # Then nothing was sent anywhere, and the delivery says why
    assert receiver.received == []
    deliveries = _deliveries(partner, hook["id"])
    assert deliveries[0]["status"] == "dead_lettered"
    assert "cloud metadata" in deliveries[0]["last_error"]


def test_a_partner_sees_and_deletes_only_its_own_webhooks(api: Api, partner: Api, receiver: Receiver) -> None:
    hook = _subscribe(partner, receiver.url)
    stranger = api.as_key(make_key("partner", partner_id="lain-app"))
    assert stranger.http.get(f"/v1/webhooks/{hook['id']}").status_code == 404
    assert stranger.http.get(f"/v1/webhooks/{hook['id']}/deliveries").status_code == 404
    assert stranger.http.delete(f"/v1/webhooks/{hook['id']}").status_code == 404
    assert json.loads(stranger.http.get("/v1/webhooks").body)["webhooks"] == []
    listed = json.loads(partner.http.get("/v1/webhooks").body)["webhooks"]
    assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]
    assert partner.http.delete(f"/v1/webhooks/{hook['id']}").status_code == 204
    assert partner.http.get(f"/v1/webhooks/{hook['id']}").status_code == 404


def _port_of(receiver: Receiver) -> int:
    return int(receiver.url.rsplit(":", 1)[1].split("/")[0])


def _short_deadline(mocker: MockerFixture, seconds: float) -> None:
    from chalicelib.adapters import webhook_http

    settings = get_settings().model_copy(update={"webhook_timeout_seconds": seconds})
    mocker.patch.object(webhook_http, "get_settings", return_value=settings)


def test_a_receiver_answering_a_byte_at_a_time_is_cut_off_at_the_deadline(mocker: MockerFixture) -> None:
    # Given a receiver that trickles its answer (it would take about 9 s) and a 0.5 s deadline per try
    from chalicelib.adapters.webhook_http import post_json

    _short_deadline(mocker, 0.5)
    with webhook_receiver() as slow:
        slow.trickle_seconds = 0.2
        # When a delivery is sent to it
        started = time.monotonic()
        attempt = post_json(slow.url, b"{}", {"Content-Type": "application/json"})
        elapsed = time.monotonic() - started
    # Then the try ends at the deadline, as a failure that says so (generous bound: a busy machine)
    assert attempt.status_code is None and attempt.error == "no answer within 0.5 s"
    assert elapsed < 3


def test_the_connection_goes_to_the_address_that_was_checked(mocker: MockerFixture) -> None:
    # Given a name that resolves to an allowed receiver when checked, and elsewhere on every later
    # lookup (DNS rebinding: the second answer points inside)
    from chalicelib.adapters.webhook_http import post_json

    with webhook_receiver() as checked, webhook_receiver(host="127.0.0.2", port=_port_of(checked)) as inside:
        real = socket.getaddrinfo
        answers = iter(["127.0.0.1"])

        def rebinding(host: str, *args: Any, **kwargs: Any) -> Any:
            if host == "hooks.partner.test":
                return real(next(answers, "127.0.0.2"), *args, **kwargs)
            return real(host, *args, **kwargs)

        mocker.patch("socket.getaddrinfo", side_effect=rebinding)
        # The inside receiver listens on the same port on 127.0.0.2: a second lookup would reach it
        port = checked.url.rsplit(":", 1)[1].split("/")[0]
        assert inside.url.startswith("http://127.0.0.2:")
        # When a delivery is sent by name
        url = f"http://hooks.partner.test:{port}/hook"
        attempt = post_json(url, b"{}", {"Content-Type": "application/json"})
    # Then it reached the checked address, and the Host header still names the host
    assert attempt.ok, attempt
    assert len(checked.received) == 1 and inside.received == []
    assert checked.received[0].headers["Host"] == f"hooks.partner.test:{port}"


def test_one_slow_receiver_does_not_hold_up_the_others(
    partner: Api, runner: EventSourceRunner, mocker: MockerFixture
) -> None:
    # Given a partner with two working receivers and one that trickles, and a 1 s deadline per try
    _short_deadline(mocker, 1.0)
    with webhook_receiver() as fast, webhook_receiver() as other, webhook_receiver() as slow:
        slow.trickle_seconds = 0.5
        hooks = [_subscribe(partner, r.url, ["report.checked"]) for r in (fast, other, slow)]
        # When a report is checked and its three deliveries go out in one batch
        partner.submit({"text": HOAX, "platform": "whatsapp", "province": "31"})
        runner.drain()
        # Then both working receivers got theirs at the first try, and every try of the slow one
        # failed at its deadline
        assert len(fast.wait_for(1)) == 1 and len(other.wait_for(1)) == 1
    for hook in hooks[:2]:
        delivered = _deliveries(partner, hook["id"])[0]
        assert (delivered["status"], delivered["attempts"]) == ("delivered", 1)
    slow_delivery = _deliveries(partner, hooks[2]["id"])[0]
    assert slow_delivery["last_error"] == "no answer within 1 s"


def test_a_stream_batch_reads_a_partner_s_webhooks_once(
    partner: Api, runner: EventSourceRunner, receiver: Receiver, mocker: MockerFixture
) -> None:
    # Given a partner subscribed, and five of its reports submitted at once
    from chalicelib.store import stores

    _subscribe(partner, receiver.url, ["report.checked"])
    for number in range(5):
        partner.submit({"text": f"{HOAX} nomor {number}", "platform": "whatsapp", "province": "31"})
    lookups = mocker.spy(type(stores().webhooks), "of_partner")
    # When the pipeline checks them, the checked ones coming down the stream together
    runner.drain()
    # Then each report's event is delivered, its partner's webhooks read no more than once a batch
    assert len(receiver.wait_for(5)) == 5
    assert 1 <= lookups.call_count < 5
