"""Pictures on the local stack over real HTTP: the two calls the README shows, the worker, a SIGKILL."""

from __future__ import annotations

import json
from collections.abc import Callable

import requests

from bench.picture_set import encoded, news_screenshot, transformed
from tests.e2e.conftest import Stack, keyed_session, wait_for_status

DEMO_TITLE = "Surat suara sudah tercoblos untuk satu paslon di gudang KPU"  # demo-001
DEMO_TEXT = (
    "Beredar video surat suara pilpres sudah dicoblos untuk paslon nomor urut 2 di gudang logistik KPU "
    "Jakarta Utara. Sebarkan sebelum dihapus!"
)


def _upload(session: requests.Session, stack: Stack, data: bytes, content_type: str) -> str:
    """POST /v1/uploads, then the form POST to the URL it gives: the README's two curl calls."""
    ticket = session.post(f"{stack.url}/v1/uploads", json={"content_type": content_type, "size": len(data)}, timeout=10)
    assert ticket.status_code == 201, ticket.text
    body = ticket.json()
    assert body["url"].startswith("http://127.0.0.1:")  # the emulator's S3, on loopback
    sent = requests.post(body["url"], data=body["fields"], files={"file": ("screenshot", data)}, timeout=30)
    assert sent.status_code in (200, 201, 204), sent.text
    return str(body["upload_id"])


def test_a_partner_uploads_a_screenshot_of_a_demo_hoax_and_it_comes_back_matched(
    stacks: Callable[..., Stack],
) -> None:
    # Given the stack as `make run` starts it, with its demo claims
    stack = stacks()
    partner = keyed_session(stack, "partner", partner_id="kabar-app")
    # When a partner uploads a phone screenshot (status bar, JPEG) of a demo hoax and reports it alone
    screenshot = transformed(news_screenshot(DEMO_TITLE, DEMO_TEXT, seed=21), "status bar", 22)
    upload_id = _upload(partner, stack, encoded(screenshot, "JPEG", quality=80), "image/jpeg")
    answer = partner.post(
        f"{stack.url}/v1/reports", json={"images": [upload_id], "platform": "whatsapp", "province": "31"}, timeout=10
    )
    assert answer.status_code == 202, answer.text
    # Then it comes back matched to demo-001, with what was read in the picture
    report = wait_for_status(partner, f"{stack.url}/v1/reports/{answer.json()['id']}", {"matched", "needs_review"}, 60)
    assert report["status"] == "matched", json.dumps(report)[:800]
    assert report["verdict"]["claim"]["external_id"] == "demo-001"  # type: ignore[index]
    pictures = report["images"]
    assert isinstance(pictures, list) and len(pictures) == 1
    picture = pictures[0]
    assert picture["status"] == "processed" and "gudang" in picture["text_excerpt"].lower()
    # And another partner cannot use that upload id
    other = keyed_session(stack, "partner", partner_id="other-app")
    refused = other.post(
        f"{stack.url}/v1/reports", json={"images": [upload_id], "platform": "x", "province": "31"}, timeout=10
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "images.0"


def test_an_upload_survives_a_sigkill_before_the_worker_took_it(stacks: Callable[..., Stack]) -> None:
    # Given a stack whose events are off, so the upload waits, then killed: no snapshot, no goodbye
    stack = stacks("--no-events")
    partner = keyed_session(stack, "partner", partner_id="kabar-app")
    upload_id = _upload(partner, stack, encoded(news_screenshot(DEMO_TITLE, DEMO_TEXT, seed=31)), "image/png")
    stack.process.kill()
    stack.process.wait(timeout=30)
    # When it starts again on the same data, with its events
    again = stacks(port=stack.port)
    answer = partner.post(
        f"{again.url}/v1/reports", json={"images": [upload_id], "platform": "whatsapp", "province": "31"}, timeout=10
    )
    # Then the upload is still there, is analysed, and the report is matched
    assert answer.status_code == 202, answer.text
    report = wait_for_status(partner, f"{again.url}/v1/reports/{answer.json()['id']}", {"matched", "needs_review"}, 60)
    assert report["status"] == "matched", json.dumps(report)[:800]
