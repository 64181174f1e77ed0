"""A report goes in over the API, the events run as on Lambda, the verdict comes out."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.config import get_settings
from chalicelib.domain.models import ClaimInput, Label
from chalicelib.services.claims import save_claim
from infra.local.runner import EventSourceRunner

HOAX = "Surat suara Pemilu sudah dicoblos duluan untuk paslon tertentu di gudang KPU Jakarta Utara."


@pytest.fixture
def client(app: Any) -> Any:
    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def runner(app: Any) -> EventSourceRunner:
    return EventSourceRunner(app, get_settings(), failed_visibility_seconds=0)


def _post(client: Any, body: dict[str, Any], **headers: str) -> Any:
    return client.http.post(
        "/v1/reports",
        headers={"Content-Type": "application/json", **headers},
        body=json.dumps(body),
    )


def test_copy_of_a_claim_is_matched_and_unknown_text_needs_review(
    client: Any, runner: EventSourceRunner
) -> None:
    # Given a debunked claim
    claim_id = save_claim(
        ClaimInput(
            external_id="demo-1", title="Surat suara tercoblos di gudang KPU", text=HOAX, label=Label.HOAKS
        )
    )
    # When a partner reports a shouted copy of it and an unrelated text
    matched = _post(client, {"text": "  " + HOAX.upper() + " ", "platform": "whatsapp", "province": "31"})
    unknown = _post(client, {"text": "Harga cabai naik lagi di pasar", "platform": "x", "province": "32"})
    assert matched.status_code == 202 and unknown.status_code == 202
    runner.drain()
    # Then the copy carries the claim's verdict and the other waits for a human
    first = json.loads(client.http.get(f"/v1/reports/{json.loads(matched.body)['id']}").body)
    second = json.loads(client.http.get(f"/v1/reports/{json.loads(unknown.body)['id']}").body)
    assert first["status"] == "matched"
    assert first["verdict"]["label"] == "HOAKS"
    assert first["verdict"]["decided_by"] == "auto"
    assert first["verdict"]["claim"]["id"] == claim_id
    assert second["status"] == "needs_review"
    assert second["verdict"] is None
