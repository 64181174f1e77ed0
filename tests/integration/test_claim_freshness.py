"""Claims reach the index within seconds, as change sets beside the snapshot, and answer open cases."""

from __future__ import annotations

import json

import pytest
from pytest_mock import MockerFixture

from chalicelib.adapters import index_snapshots
from chalicelib.domain.matching.index import FORMAT
from chalicelib.services import claim_index
from chalicelib.store.claims import ClaimStore
from infra.local.runner import EventSourceRunner
from tests.integration.conftest import Api, body_of, make_key
from tests.webhook_receiver import webhook_receiver

BALLOT_BOX = (
    "Kotak suara dari kardus mudah dibobol, hasil pemilu pasti dicurangi di gudang kecamatan malam ini "
    "oleh petugas yang dibayar partai. Sebarkan!"
)
BRIDGE = "Jembatan Suramadu ditutup total mulai besok karena retak parah di tiang utama, semua kendaraan dialihkan"


def _claim(n: int, text: str, **extra: str) -> dict[str, str]:
    return {"external_id": f"fresh-{n}", "title": text[:60], "text": text, "label": "HOAKS", **extra}


def _create(checker: Api, body: dict[str, str]) -> str:
    return str(body_of(checker.http.post("/v1/claims", body=body), 201)["id"])


def _lookup(api: Api, text: str) -> list[dict[str, object]]:
    return list(body_of(api.http.post("/v1/lookup", body={"text": text}))["matches"])


def test_a_new_claim_is_a_change_set_beside_the_snapshot_not_a_rebuild(
    checker: Api, runner: EventSourceRunner, mocker: MockerFixture
) -> None:
    # Given an index built from one claim
    _create(checker, _claim(1, BRIDGE))
    runner.drain()
    before = index_snapshots.current_pointer()
    assert before is not None and before["changes"] == []
    # When another claim is written
    full_read = mocker.spy(ClaimStore, "all_for_index")
    claim_id = _create(checker, _claim(2, BALLOT_BOX))
    runner.drain()
    # Then it is published as a change set to the same snapshot, without reading every claim
    after = index_snapshots.current_pointer()
    assert after is not None and after["version"] == before["version"]
    assert len(after["changes"]) == 1 and after["changed_claims"] == 1
    assert full_read.call_count == 0
    assert list(json.loads(index_snapshots.fetch(after["changes"][0]))) == [claim_id]
    # And a container that held the snapshot finds it after its next pointer read
    assert _lookup(checker, BALLOT_BOX)[0]["claim"]["id"] == claim_id  # type: ignore[index]


def test_enough_changes_fold_into_a_new_snapshot(
    checker: Api, runner: EventSourceRunner, mocker: MockerFixture
) -> None:
    mocker.patch.object(claim_index, "COMPACT_AFTER_CHANGES", 2)
    _create(checker, _claim(1, BRIDGE))
    runner.drain()
    first = index_snapshots.current_pointer()
    for n, text in enumerate((BALLOT_BOX, BALLOT_BOX + " Jangan percaya KPU."), start=2):
        _create(checker, _claim(n, text))
        runner.drain()
    carried = index_snapshots.current_pointer()
    assert carried is not None and first is not None
    assert (carried["version"], carried["changed_claims"]) == (first["version"], 2)
    _create(checker, _claim(4, "Beras plastik dari luar negeri beredar di pasar tradisional, cek sebelum membeli"))
    runner.drain()
    compacted = index_snapshots.current_pointer()
    assert compacted is not None and compacted["version"] != first["version"]
    assert (compacted["claims"], compacted["changes"], compacted["changed_claims"]) == (4, [], 0)
    assert len(_lookup(checker, BRIDGE)) >= 1


def test_a_snapshot_of_another_format_is_not_read_and_the_next_change_rebuilds_it(
    checker: Api, runner: EventSourceRunner
) -> None:
    _create(checker, _claim(1, BRIDGE))
    runner.drain()
    pointer = index_snapshots.current_pointer()
    assert pointer is not None
    index_snapshots.point({**pointer, "format": 4, "version": "older"})
    claim_index.forget_loaded_index()
    assert _lookup(checker, BRIDGE) == []  # served empty, with a warning, rather than misread
    _create(checker, _claim(2, BALLOT_BOX))
    runner.drain()
    rebuilt = index_snapshots.current_pointer()
    assert rebuilt is not None and rebuilt["format"] == FORMAT and rebuilt["claims"] == 2


def _open_case(partner: Api, runner: EventSourceRunner, text: str, copies: int = 2) -> tuple[str, list[str]]:
    report_ids = [partner.submit({"text": text, "platform": "whatsapp", "province": "35"}) for _ in range(copies)]
    runner.drain()
    first = partner.report(report_ids[0])
    assert first["status"] == "needs_review"
    return str(first["case_id"]), report_ids


def test_a_new_claim_decides_the_open_case_it_answers_and_the_verdict_reaches_every_report(
    partner: Api, checker: Api, admin: Api, runner: EventSourceRunner
) -> None:
    # Given an open case nobody has a claim for, and a partner subscribed to verdicts
    _create(checker, _claim(1, BRIDGE))
    runner.drain()
    with webhook_receiver() as receiver:
        hook = partner.http.post("/v1/webhooks", body={"url": receiver.url, "events": ["report.verdict_changed"]})
        assert hook.status_code == 201
        case_id, report_ids = _open_case(partner, runner, BALLOT_BOX)
        # When a fact-checker publishes the claim that debunks it
        claim_id = _create(checker, _claim(2, BALLOT_BOX, url="https://cekfakta.example/kotak-suara"))
        runner.drain()
        # Then the case is decided by the engine with that claim, and every report gets the verdict
        case = body_of(checker.http.get(f"/v1/cases/{case_id}"))
        assert case["status"] == "decided"
        assert case["verdict"]["decided_by"] == "auto" and case["verdict"]["claim"]["id"] == claim_id
        assert case["history"][-1]["fact_check_url"] == "https://cekfakta.example/kotak-suara"
        for report_id in report_ids:
            report = partner.report(report_id)
            assert (report["status"], report["verdict"]["label"]) == ("reviewed", "HOAKS")
        events = [json.loads(r.body) for r in receiver.wait_for(len(report_ids))]
        assert sorted(e["report"]["id"] for e in events) == sorted(report_ids)
    # And the audit trail says the engine decided it
    trail = body_of(admin.http.get(f"/v1/audit?target={case_id}"))["entries"]
    assert [(e["action"], e["actor"]) for e in trail] == [("verdict.published", "auto")]


def test_a_new_claim_that_only_resembles_an_open_case_joins_its_suggestions(
    partner: Api, checker: Api, runner: EventSourceRunner
) -> None:
    _create(checker, _claim(1, BRIDGE))
    runner.drain()
    case_id, _ = _open_case(partner, runner, BALLOT_BOX)
    # A claim about the same ballot boxes, told differently: a suggestion, not a decision
    related = "Kotak suara kardus di gudang kecamatan dibobol maling, surat suara hilang semua"
    claim_id = _create(checker, _claim(2, related))
    runner.drain()
    case = body_of(checker.http.get(f"/v1/cases/{case_id}"))
    assert case["status"] == "open"
    assert [s["claim"]["id"] for s in case["suggestions"]][:1] == [claim_id]


def test_a_case_a_fact_checker_has_taken_is_left_to_them(partner: Api, checker: Api, runner: EventSourceRunner) -> None:
    _create(checker, _claim(1, BRIDGE))
    runner.drain()
    case_id, _ = _open_case(partner, runner, BALLOT_BOX)
    body_of(checker.http.post(f"/v1/cases/{case_id}/review", body={"version": 0}))
    _create(checker, _claim(2, BALLOT_BOX))
    runner.drain()
    case = body_of(checker.http.get(f"/v1/cases/{case_id}"))
    assert (case["status"], case["verdict"]) == ("in_review", None)


@pytest.fixture
def admin(api: Api) -> Api:
    return api.as_key(make_key("admin", partner_id="saring-ops"))
