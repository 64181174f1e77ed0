"""Complaints by e-mail through the function SES invokes: stored message → complaint → answer by SES."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from pytest_mock import MockerFixture

from chalicelib.adapters.aws import client
from chalicelib.adapters.mail import incoming_mail, put_incoming_mail
from chalicelib.config import get_settings
from chalicelib.domain.public import PUBLIC_PARTNER_ID
from chalicelib.events.mail import on_mail
from infra.local.resources import Resources
from infra.local.runner import EventSourceRunner
from infra.local.smtp import ses_event
from tests.integration.conftest import Api, body_of

TEXT = "Pesan berantai: TPS di Kendal pindah ke balai desa karena banjir, pemilih diminta datang jam 6 pagi."


@pytest.fixture
def ses(aws: Resources, mocker: MockerFixture) -> list[Any]:
    """Answers go out through (emulated) SES from a verified identity; the messages it sent."""
    settings = get_settings().model_copy(update={"mail_outbox": "", "public_page_url": "https://cek.saring.example/"})
    for module in ("chalicelib.adapters.mail", "chalicelib.services.mail"):
        mocker.patch(f"{module}.get_settings", return_value=settings)
    client("sesv2").create_email_identity(EmailIdentity=settings.mail_from)
    sent: list[Any] = ses_backends[DEFAULT_ACCOUNT_ID][settings.region].sent_messages
    sent.clear()
    return sent


def _mail(message_id: str, sender: str = "warga@contoh.id", body: str = TEXT) -> None:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "aduan@saring.example"
    message["Subject"] = "Fwd: cek"
    message.set_content(body)
    put_incoming_mail(message_id, bytes(message))


def _event(message_id: str, **verdicts: str) -> dict[str, Any]:
    event = ses_event(message_id)
    event["Records"][0]["ses"]["receipt"] = {name: {"status": status} for name, status in verdicts.items()}
    return event


def test_a_complaint_by_email_is_filed_answered_by_ses_and_forgotten(
    api: Api, ses: list[Any], runner: EventSourceRunner, mocker: MockerFixture
) -> None:
    mocker.patch("chalicelib.events.mail.get_settings", return_value=get_settings().model_copy(update={"stage": "dev"}))
    _mail("m-1")
    # When SES hands the stored message to the function, its sender authenticated by DKIM
    assert on_mail(_event("m-1", spfVerdict="GRAY", dkimVerdict="PASS"), None) == {"taken": 1, "dropped": 0}
    # Then the sender is answered through SES with the tracking code and the page's link
    [answer] = ses
    assert answer.destinations["ToAddresses"] == ["warga@contoh.id"]
    code = answer.subject.split(": ", 1)[1]
    assert f"https://cek.saring.example/?kode={code}" in answer.body
    # And the complaint is a public report, tracked by the code; the stored message is gone
    runner.drain()
    status = body_of(api.as_key(None).http.get(f"/v1/public/reports/{code}"))
    assert status["status"] in ("needs_review", "matched")
    assert incoming_mail("m-1") is None
    reports = client("dynamodb").scan(TableName=get_settings().table_name("reports"))["Items"]
    assert [item["partner_id"]["S"] for item in reports] == [PUBLIC_PARTNER_ID]
    assert "warga@contoh.id" not in str(reports)  # the sender's address is not kept


def test_an_unauthenticated_sender_is_not_answered_and_a_virus_is_dropped_unread(
    aws: Resources, ses: list[Any], mocker: MockerFixture
) -> None:
    mocker.patch("chalicelib.events.mail.get_settings", return_value=get_settings().model_copy(update={"stage": "dev"}))
    _mail("m-2", sender="palsu@korban.example")
    # SPF and DKIM failed: the From may be forged, so filed but not answered (no backscatter)
    assert on_mail(_event("m-2", spfVerdict="FAIL", dkimVerdict="FAIL"), None) == {"taken": 1, "dropped": 0}
    assert ses == []
    _mail("m-3")
    assert on_mail(_event("m-3", virusVerdict="FAIL", dkimVerdict="PASS"), None) == {"taken": 0, "dropped": 1}
    assert incoming_mail("m-3") is None and ses == []
    # A redelivery of a message already taken does nothing
    assert on_mail(_event("m-2", dkimVerdict="PASS"), None) == {"taken": 0, "dropped": 1}


def test_a_flood_from_one_sender_is_held_by_its_daily_complaints(
    aws: Resources, ses: list[Any], mocker: MockerFixture
) -> None:
    settings = get_settings().model_copy(update={"public_complaints_per_day": 3})
    mocker.patch("chalicelib.services.access.get_settings", return_value=settings)
    outcomes = []
    for n in range(6):
        _mail(f"f-{n}", body=f"{TEXT} ({n})")
        outcomes.append(on_mail(ses_event(f"f-{n}"), None)["taken"])
    assert outcomes == [1, 1, 1, 0, 0, 0]
    assert len(ses) == 3  # the refused ones are not answered: no mail back to a flood
