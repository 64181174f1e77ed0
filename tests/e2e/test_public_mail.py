"""Complaints by e-mail on the local stack: sent with smtplib to its SMTP listener, answered, tracked."""

from __future__ import annotations

import email
import smtplib
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest
import requests

from bench.picture_set import encoded, news_screenshot, transformed
from tests.e2e.conftest import Stack

DEMO_TEXT = (  # demo-003, as forwarded
    "Info dari panitia: kalau mencoblos dua gambar paslon sekaligus, suara tetap dihitung sah untuk keduanya."
)


def _answers(outbox: Path, count: int, timeout: float = 15) -> list[email.message.Message]:
    deadline = time.monotonic() + timeout
    while len(files := sorted(outbox.glob("*.eml"))) < count:
        assert time.monotonic() < deadline, f"{len(files)} answers in the outbox, not {count}"
        time.sleep(0.1)
    return [email.message_from_bytes(path.read_bytes()) for path in files]


def test_a_complaint_by_email_with_a_screenshot_is_answered_with_its_code_and_matched(
    stacks: Callable[..., Stack], tmp_path: Path
) -> None:
    stack = stacks()
    # When a citizen forwards a hoax with its screenshot, by e-mail, to the stack's SMTP listener
    message = EmailMessage()
    message["From"] = "Warga <warga@contoh.id>"
    message["To"] = "aduan@saring.localhost"
    message["Subject"] = "Fwd: benarkah?"
    message.set_content("Provinsi: Jawa Timur\n\n" + DEMO_TEXT)
    shot = transformed(news_screenshot("Coblos dua gambar tetap sah", DEMO_TEXT, seed=8), "status bar", 9)
    message.add_attachment(encoded(shot, "JPEG", quality=85), maintype="image", subtype="jpeg", filename="s.jpg")
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=30) as smtp:
        refused = smtp.send_message(message)
    assert refused == {}
    # Then the sender is answered with a tracking code and a link to the page
    [answer] = _answers(tmp_path / "data" / "outbox", 1)
    assert answer["To"] == "warga@contoh.id" and answer["Subject"].startswith("Aduan diterima: SRG-")
    code = answer["Subject"].split(": ", 1)[1]
    assert f"{stack.url}/?kode={code}" in answer.get_payload()
    # And the complaint, checked with its picture, answers the code with the demo fact-check
    deadline = time.monotonic() + 60
    while (status := requests.get(f"{stack.url}/v1/public/reports/{code}", timeout=10).json())["verdict"] is None:
        assert time.monotonic() < deadline, status
        time.sleep(1)  # a polite poll: the public's limits count per address
    assert status["status"] == "matched"
    assert status["verdict"]["claim"]["title"] == "Coblos dua gambar sekaligus membuat suara tetap sah"


def test_a_huge_message_is_refused_by_smtp_and_an_empty_one_is_answered_why(
    stacks: Callable[..., Stack], tmp_path: Path
) -> None:
    stack = stacks()
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=30) as smtp:
        # Over the size limit: 552 before the message is even read to its end
        with pytest.raises(smtplib.SMTPException) as refused:
            smtp.sendmail("a@contoh.id", ["aduan@saring.localhost"], b"Subject: besar\r\n\r\n" + b"x" * (26 * 2**20))
        assert "552" in str(refused.value) or isinstance(refused.value, smtplib.SMTPServerDisconnected)
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=30) as smtp:
        # Empty: taken by SMTP, refused as a complaint, and the sender told why
        smtp.sendmail("b@contoh.id", ["aduan@saring.localhost"], b"From: b@contoh.id\r\nSubject: \r\n\r\n\r\n")
        # Malformed MIME: no crash, the listener keeps answering
        smtp.sendmail(
            "c@contoh.id",
            ["aduan@saring.localhost"],
            b"From: c@contoh.id\r\nContent-Type: multipart/mixed; boundary=\r\n\r\n--\r\n\x00\xff--",
        )
    answers = _answers(tmp_path / "data" / "outbox", 2)
    empty = next(a for a in answers if a["To"] == "b@contoh.id")
    assert empty["Subject"] == "Aduan belum dapat diterima" and "kosong" in empty.get_payload()
    assert requests.get(f"{stack.url}/v1/health", timeout=10).status_code == 200
    assert "Traceback" not in stack.output()
