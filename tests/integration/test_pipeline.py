"""A report goes in over the API, the events run as on Lambda, the verdict comes out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pytest_mock import MockerFixture

from chalicelib.domain.audit import CLI
from chalicelib.domain.models import ClaimInput, Label
from chalicelib.services.claims import create_claim
from infra.local.runner import EventSourceRunner
from tests.integration.conftest import Api

HOAX = "Surat suara Pemilu sudah dicoblos duluan untuk paslon tertentu di gudang KPU Jakarta Utara."
SCAM_URL = "https://hadiah-kpu.example/klaim?id=7"


def _debunk() -> str:
    return create_claim(
        ClaimInput(
            external_id="demo-1",
            title="Surat suara tercoblos di gudang KPU",
            text=HOAX,
            label=Label.HOAKS,
            appearance_urls=[SCAM_URL],
        ),
        CLI,
    ).id


def test_copy_of_a_claim_is_matched_and_unknown_text_needs_review(api: Api, runner: EventSourceRunner) -> None:
    # Given a debunked claim
    claim_id = _debunk()
    # When a partner reports a shouted copy of it and an unrelated text
    matched = api.submit({"text": "  " + HOAX.upper() + " ", "platform": "whatsapp", "province": "31"})
    unknown = api.submit({"text": "Harga cabai naik lagi di pasar", "platform": "x", "province": "32"})
    runner.drain()
    # Then the copy carries the claim's verdict and the other waits for a human
    first, second = api.report(matched), api.report(unknown)
    assert first["status"] == "matched"
    assert first["verdict"]["label"] == "HOAKS"
    assert first["verdict"]["decided_by"] == "auto"
    assert first["verdict"]["claim"]["id"] == claim_id
    assert 0.8 <= first["verdict"]["score"] <= 1.0
    assert second["status"] == "needs_review"
    assert second["verdict"] is None


def test_a_link_with_tracking_parameters_matches_the_claims_link(api: Api, runner: EventSourceRunner) -> None:
    claim_id = _debunk()
    report_id = api.submit(
        {
            "url": "HTTPS://Hadiah-KPU.example:443/klaim?utm_source=wa&id=7&fbclid=x#top",
            "platform": "web",
            "province": "11",
        }
    )
    runner.drain()
    assert api.report(report_id)["verdict"]["claim"]["id"] == claim_id


def test_the_same_content_forms_one_case_and_is_counted(api: Api, runner: EventSourceRunner) -> None:
    # Given three reports, two of the same text in different forms
    first = api.submit({"text": "Pemilu diundur ke JUNI", "platform": "whatsapp", "province": "31"})
    second = api.submit({"text": "pemilu   diundur ke juni", "platform": "facebook", "province": "35"})
    other = api.submit({"text": "Pemilu diundur ke Juli", "platform": "whatsapp", "province": "31"})
    runner.drain()
    # Then the two share a case seen twice, and the other is alone
    a, b, c = api.report(first), api.report(second), api.report(other)
    assert a["case_id"] == b["case_id"] != c["case_id"]
    assert a["seen_count"] == b["seen_count"] == 2
    assert c["seen_count"] == 1


def test_an_edited_excerpt_is_matched_and_a_short_one_is_suggested(api: Api, runner: EventSourceRunner) -> None:
    # Given a debunked claim, indexed after the claims' stream ran
    claim_id = _debunk()
    runner.drain()
    # When partners report a chat-style excerpt and a four-word fragment
    excerpt = api.submit(
        {
            "text": "Diteruskan 😱 surat suara pemilu udh dicoblos duluan utk paslon tertentu di gudang KPU!!",
            "platform": "whatsapp",
            "province": "31",
        }
    )
    fragment = api.submit({"text": "surat suara dicoblos duluan", "platform": "x", "province": "31"})
    runner.drain()
    # Then the excerpt is decided automatically and the fragment waits with the claim suggested
    assert api.report(excerpt)["verdict"]["claim"]["id"] == claim_id
    short = api.report(fragment)
    assert short["status"] == "needs_review"
    assert [(s["claim"]["id"], s["level"]) for s in short["suggestions"]] == [(claim_id, "suggest")]


def test_lookup_ranks_claims_with_levels_and_a_hint(api: Api, runner: EventSourceRunner) -> None:
    claim_id = _debunk()
    runner.drain()
    answer = api.http.post(
        "/v1/lookup", headers={"Content-Type": "application/json"}, body=json.dumps({"text": HOAX.upper(), "limit": 3})
    )
    assert answer.status_code == 200
    body = json.loads(answer.body)
    assert body["verdict_hint"] == "HOAKS"
    assert body["matches"][0]["claim"]["id"] == claim_id
    assert body["matches"][0]["claim"]["external_id"] == "demo-1"
    assert body["matches"][0]["level"] == "match"
    by_link = json.loads(
        api.http.post(
            "/v1/lookup",
            headers={"Content-Type": "application/json"},
            body=json.dumps({"url": SCAM_URL + "&utm_source=x"}),
        ).body
    )
    assert (by_link["matches"][0]["claim"]["id"], by_link["matches"][0]["score"]) == (claim_id, 1.0)
    nothing = json.loads(
        api.http.post(
            "/v1/lookup",
            headers={"Content-Type": "application/json"},
            body=json.dumps({"text": "cuaca cerah hari ini"}),
        ).body
    )
    assert nothing == {"matches": [], "verdict_hint": None}


def test_lookup_refuses_an_empty_question(api: Api) -> None:
    answer = api.http.post("/v1/lookup", headers={"Content-Type": "application/json"}, body="{}")
    assert answer.status_code == 422
    assert json.loads(answer.body)["errors"][0]["field"] == "body"


def test_a_report_reads_received_before_its_check(api: Api) -> None:
    report_id = api.submit({"text": "Belum diperiksa", "platform": "other", "province": "51"})
    view = api.report(report_id)
    assert view["status"] == "received"
    assert view["case_id"] is None
    assert view["seen_count"] == 1
    assert view["verdict"] is None
    assert view["checked_at"] is None


def test_a_checked_report_says_when_its_check_recorded_the_outcome(api: Api, runner: EventSourceRunner) -> None:
    report_id = api.submit({"text": "Harga cabai naik lagi di pasar", "platform": "x", "province": "32"})
    runner.drain()
    view = api.report(report_id)
    checked = datetime.fromisoformat(view["checked_at"])
    assert view["status"] == "needs_review"
    assert datetime.fromisoformat(view["received_at"]) <= checked <= datetime.now(UTC)


def test_a_batch_reports_back_only_the_records_that_failed(aws: Any, mocker: MockerFixture) -> None:
    # Given a batch of three check requests whose middle one fails
    from chalicelib.events import checks

    def check(report_id: str) -> None:
        if report_id == "rpt_bad":
            raise ConnectionError("DynamoDB throttled this one")

    mocker.patch.object(checks, "run_check", side_effect=check)
    records = [
        {
            "messageId": f"m-{report_id}",
            "receiptHandle": f"r-{report_id}",
            "body": json.dumps({"report_id": report_id}),
            "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {},
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:ap-southeast-3:000000000000:saring-local-checks",
        }
        for report_id in ("rpt_good1", "rpt_bad", "rpt_good2")
    ]

    # When the handler runs
    answer = checks.on_check_messages({"Records": records}, None)

    # Then only the failed one goes back to the queue; the others count as done
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-rpt_bad"}]}
    assert checks.run_check.call_count == 3  # type: ignore[attr-defined]
