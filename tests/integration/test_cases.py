"""Fact-checkers against moto: the queue, verdicts that reach every report, history, races, the audit trail."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_mock import MockerFixture

from chalicelib.adapters.aws import client
from chalicelib.domain.audit import Actor
from chalicelib.domain.models import CaseVerdictRequest, Label, ReportStatus, Verdict
from chalicelib.events.cases import on_verdict_messages
from chalicelib.services.cases import publish_verdict, spread_verdict
from chalicelib.services.errors import CaseChanged
from chalicelib.store import stores
from chalicelib.store.tables import ReportRecord
from infra.local.harness import counting_writes, write_big_case
from infra.local.resources import Resources
from infra.local.runner import EventSourceRunner, LambdaContext
from tests.integration.conftest import Api, body_of, make_key
from tests.webhook_receiver import webhook_receiver

ELECTION_HOAX = (
    "SEBARKAN!! Surat suara utk capres sdh dicoblos duluan di gudang KPU Jawa Tengah, "
    "petugas KPPS dibayar. Segera viralkan sebelum dihapus!"
)
RECIPE = "Resep rendang padang yang enak dan empuk, dimasak tiga jam dengan santan kental dan rempah."
FACT_CHECK = "https://cekfakta.example/surat-suara-tercoblos"
CHECKER = Actor("key_checkerkey00000", "Rina (Cek Fakta)", "cekfakta")


def _verdict(version: int, label: str = "HOAKS", **claim: str) -> dict[str, Any]:
    return {
        "version": version,
        "label": label,
        "summary": "Foto surat suara itu dari simulasi KPU 2019, bukan surat suara Pemilu yang sudah dicoblos.",
        "fact_check_url": FACT_CHECK,
        # The checker writes the new claim's hoax text (a console pre-fills it from the case).
        **(claim or {"title": "Surat suara sudah dicoblos di gudang KPU", "text": ELECTION_HOAX}),
    }


def _submit(partner: Api, text: str, platform: str = "whatsapp", province: str = "33") -> str:
    return partner.submit({"text": text, "platform": platform, "province": province})


def _open_case(partner: Api, runner: EventSourceRunner, copies: int = 3) -> tuple[str, list[str]]:
    """An election hoax reported ``copies`` times on several platforms, checked: one open case."""
    platforms = ["whatsapp", "facebook", "x"]
    report_ids = [_submit(partner, ELECTION_HOAX, platforms[n % 3], "33" if n % 2 else "31") for n in range(copies)]
    runner.drain()
    case_id = partner.report(report_ids[0])["case_id"]
    assert case_id is not None
    return case_id, report_ids


def test_the_queue_ranks_cases_and_explains_why(partner: Api, checker: Api, runner: EventSourceRunner) -> None:
    # Given an election hoax reported three times, and a recipe reported once
    case_id, _ = _open_case(partner, runner)
    _submit(partner, RECIPE)
    runner.drain()

    # When a fact-checker reads the queue of open cases
    page = body_of(checker.http.get("/v1/cases?status=open"))

    # Then both are there, the hoax first, each with the components of its priority
    assert page["cases"][0]["id"] == case_id
    assert len(page["cases"]) == 2
    top = page["cases"][0]
    components = {c["name"]: c for c in top["priority"]["components"]}
    assert components["spread"]["evidence"] == ["3 laporan dalam 24 jam (0.1/jam)"]
    assert "kpu" in components["election"]["evidence"]
    assert "forward: sebarkan" in components["risk"]["evidence"]
    assert top["priority"]["total"] > page["cases"][1]["priority"]["total"]
    assert (top["status"], top["version"], top["seen_count"]) == ("open", 0, 3)


def test_a_case_counts_its_reports_by_platform_and_province(
    partner: Api, checker: Api, runner: EventSourceRunner
) -> None:
    # Given a case of three reports
    case_id, report_ids = _open_case(partner, runner)

    # When its detail and its reports are read
    case = body_of(checker.http.get(f"/v1/cases/{case_id}"))
    first = body_of(checker.http.get(f"/v1/cases/{case_id}/reports?limit=2"))
    rest = body_of(checker.http.get(f"/v1/cases/{case_id}/reports?limit=2&cursor={first['next_cursor']}"))

    # Then the counts are kept per platform and province, and the reports page through
    assert case["platforms"] == {"facebook": 1, "whatsapp": 1, "x": 1}
    assert case["provinces"] == {"31": 2, "33": 1}
    assert case["first_seen"] <= case["last_seen"]
    assert case["verdict"] is None and case["history"] == []
    assert sorted(r["id"] for r in first["reports"] + rest["reports"]) == sorted(report_ids)
    assert rest["next_cursor"] is None
    assert all(r["status"] == "needs_review" for r in first["reports"])
    bad = checker.http.get(f"/v1/cases/{case_id}/reports?cursor=nonsense")
    assert body_of(bad, 422)["errors"][0]["field"] == "query.cursor"
    assert checker.http.get("/v1/cases/case_" + "0" * 26).status_code == 404


def test_a_matched_case_stays_out_of_the_queue(checker: Api, partner: Api, runner: EventSourceRunner) -> None:
    # Given a debunked claim and a copy of it that the engine matches on its own
    claim = {"external_id": "q-1", "title": "Resep rendang tiga jam", "text": RECIPE, "label": "HOAKS"}
    assert checker.http.post("/v1/claims", body=claim).status_code == 201
    runner.drain()
    report_id = _submit(partner, RECIPE)
    runner.drain()
    assert partner.report(report_id)["status"] == "matched"

    # Then the queue has nothing for a human
    assert body_of(checker.http.get("/v1/cases"))["cases"] == []


def test_a_verdict_reaches_every_report_its_partners_and_later_copies(
    partner: Api, checker: Api, runner: EventSourceRunner
) -> None:
    # Given an open case, taken for review, and a partner subscribed to verdict changes
    with webhook_receiver() as receiver:
        hook = partner.http.post("/v1/webhooks", body={"url": receiver.url, "events": ["report.verdict_changed"]})
        assert hook.status_code == 201
        case_id, report_ids = _open_case(partner, runner)
        taken = body_of(checker.http.post(f"/v1/cases/{case_id}/review", body={"version": 0}))
        assert (taken["status"], taken["reviewer"], taken["version"]) == ("in_review", "cekfakta", 1)

        # When the fact-checker decides it, creating a claim from the case
        decided = body_of(checker.http.post(f"/v1/cases/{case_id}/verdict", body=_verdict(1)), 202)
        runner.drain()

        # Then every report carries the verdict, named for the checker, and each partner is told once a report
        assert decided["status"] == "decided" and decided["version"] == 2
        for report_id in report_ids:
            report = partner.report(report_id)
            assert report["status"] == "reviewed"
            assert report["verdict"]["label"] == "HOAKS" and report["verdict"]["decided_by"] == "cekfakta"
            assert report["verdict"]["claim"]["url"] == FACT_CHECK
        events = [json.loads(r.body) for r in receiver.wait_for(len(report_ids))]
        assert sorted(e["report"]["id"] for e in events) == sorted(report_ids)
        assert {e["report"]["verdict"]["label"] for e in events} == {"HOAKS"}
    case = body_of(checker.http.get(f"/v1/cases/{case_id}"))
    assert case["progress"] == {"version": 2, "reports_updated": 3, "done": True}
    assert body_of(checker.http.get("/v1/cases?status=decided"))["cases"][0]["id"] == case_id

    # And a later copy takes the verdict on its own, and the new claim answers lookups
    later = _submit(partner, ELECTION_HOAX)
    runner.drain()
    assert partner.report(later)["status"] == "reviewed"
    assert partner.report(later)["verdict"]["decided_by"] == "cekfakta"
    found = body_of(partner.http.post("/v1/lookup", body={"text": ELECTION_HOAX}))
    assert found["matches"][0]["claim"]["url"] == FACT_CHECK
    edited = _submit(partner, "Diteruskan: " + ELECTION_HOAX.lower().replace("surat suara", "surat-suara") + " ‼️")
    runner.drain()
    assert partner.report(edited)["verdict"]["label"] == "HOAKS"


def test_a_changed_verdict_keeps_its_history(partner: Api, checker: Api, runner: EventSourceRunner) -> None:
    # Given a decided case
    case_id, report_ids = _open_case(partner, runner, copies=2)
    first = body_of(checker.http.post(f"/v1/cases/{case_id}/verdict", body=_verdict(0)), 202)
    runner.drain()

    # When the fact-checker changes the verdict, linking the claim the first verdict made
    claim_id = first["verdict"]["claim"]["id"]
    patch = checker.http.patch(f"/v1/claims/{claim_id}", body={"label": "MENYESATKAN"})
    assert patch.status_code == 200
    second = body_of(
        checker.http.post(f"/v1/cases/{case_id}/verdict", body=_verdict(1, "MENYESATKAN", claim_id=claim_id)), 202
    )
    runner.drain()

    # Then both verdicts are in the history, and the reports carry the second
    assert [(h["version"], h["label"]) for h in second["history"]] == [(1, "HOAKS"), (2, "MENYESATKAN")]
    assert {partner.report(r)["verdict"]["label"] for r in report_ids} == {"MENYESATKAN"}
    # And a link to a claim that disagrees with the label, or does not exist, is refused by field
    wrong = checker.http.post(f"/v1/cases/{case_id}/verdict", body=_verdict(2, "BENAR", claim_id=claim_id))
    assert body_of(wrong, 422)["errors"][0]["field"] == "label"
    missing = checker.http.post(f"/v1/cases/{case_id}/verdict", body=_verdict(2, claim_id="clm_" + "0" * 24))
    assert body_of(missing, 422)["errors"][0]["field"] == "claim_id"


def test_a_stale_version_is_refused(partner: Api, checker: Api, runner: EventSourceRunner) -> None:
    # Given a case another fact-checker decided after we read it at version 0
    case_id, _ = _open_case(partner, runner, copies=1)
    assert checker.http.post(f"/v1/cases/{case_id}/verdict", body=_verdict(0)).status_code == 202

    # When we send our verdict for version 0, or try to take it
    late = checker.http.post(f"/v1/cases/{case_id}/verdict", body=_verdict(0, "SATIRE"))
    take = checker.http.post(f"/v1/cases/{case_id}/review", body={"version": 1})

    # Then both are 409 saying what the case is now, and the first verdict stands
    assert "version 1 (decided)" in body_of(late, 409)["detail"]
    assert "version 1 (decided)" in body_of(take, 409)["detail"]
    assert [h["label"] for h in body_of(checker.http.get(f"/v1/cases/{case_id}"))["history"]] == ["HOAKS"]


def test_concurrent_verdicts_never_lose_an_update(
    partner: Api, runner: EventSourceRunner, mocker: MockerFixture
) -> None:
    # Given one case that two fact-checkers both read at version 0
    case_id, _ = _open_case(partner, runner, copies=1)
    read_by_second = stores().cases.get(case_id)
    real_get = stores().cases.get

    # When the first decides, and then the second, whose read came before the first's write
    publish_verdict(case_id, CaseVerdictRequest.model_validate(_verdict(0, "HOAKS")), CHECKER)
    stale_first = iter([read_by_second])
    mocker.patch.object(stores().cases, "get", side_effect=lambda wanted: next(stale_first, None) or real_get(wanted))
    with pytest.raises(CaseChanged) as refused:
        publish_verdict(case_id, CaseVerdictRequest.model_validate(_verdict(0, "SATIRE")), CHECKER)
    mocker.stopall()

    # Then DynamoDB's version condition refuses the second (the check before the write saw no change),
    # and the case keeps the first verdict alone, at version 1
    assert refused.value.current_version == 1
    case = stores().cases.get(case_id)
    assert case is not None and case.version == 1
    assert [entry.label.value for entry in case.history] == ["HOAKS"]
    assert case.verdict is not None and case.verdict.label is not None and case.verdict.label.value == "HOAKS"


def _labels(case_id: str) -> list[str | None]:
    return [
        json.loads(record.verdict_json)["label"] if record.verdict_json else None
        for record in ReportRecord.by_case.query(case_id)
    ]


@pytest.fixture
def big_case(aws: Resources) -> Iterator[str]:
    case_id = write_big_case(1_000, ELECTION_HOAX)
    yield case_id


def test_a_verdict_on_a_thousand_reports_resumes_where_it_stopped(big_case: str, mocker: MockerFixture) -> None:
    # Given a verdict on a case of 1,000 reports
    request = CaseVerdictRequest.model_validate(_verdict(0))
    mocker.patch("chalicelib.adapters.verdict_queue.enqueue_applications")  # this test drives the spreading
    publish_verdict(big_case, request, CHECKER)

    # When the first run has time for one page only, and the second crashes on its third page
    assert spread_verdict(big_case, has_time=lambda: False) is False
    assert _labels(big_case).count("HOAKS") == 100
    real = stores().reports.apply_verdict
    calls = iter(range(100))

    def crash_on_third(*args: Any) -> int:
        if next(calls) == 2:
            raise ConnectionError("Lambda ran out of time")
        return real(*args)

    mocker.patch.object(stores().reports, "apply_verdict", side_effect=crash_on_third)
    with pytest.raises(ConnectionError):
        spread_verdict(big_case, has_time=lambda: True)
    assert _labels(big_case).count("HOAKS") == 300
    mocker.stopall()

    # Then a third run resumes from the saved page: it writes only the reports still without the verdict
    with counting_writes() as writes:
        assert spread_verdict(big_case, has_time=lambda: True) is True
    assert _labels(big_case) == ["HOAKS"] * 1_000
    assert writes.count("UpdateItem") == 700 + 6 + 1  # 700 reports, progress after 6 of 7 pages, the finish
    case = stores().cases.get(big_case)
    assert case is not None and not case.applying and case.applied_count == 1_000
    assert {r.status for r in stores().reports.in_case(big_case, None, 100)[0]} == {ReportStatus.reviewed}


def test_the_verdict_job_hands_over_before_the_lambda_times_out(big_case: str, mocker: MockerFixture) -> None:
    # Given a verdict whose queue message the job receives with little time left
    mocker.patch("chalicelib.adapters.verdict_queue.enqueue_applications")
    publish_verdict(big_case, CaseVerdictRequest.model_validate(_verdict(0)), CHECKER)
    mocker.stopall()
    queue = client("sqs").get_queue_url(QueueName="saring-local-verdicts")["QueueUrl"]
    event = {"Records": [_sqs_record(big_case)]}

    # When it runs with 15 s left (below the 20 s hand-over margin)
    answer = on_verdict_messages(event, LambdaContext("spread_verdicts", timeout_seconds=15))

    # Then it did one page, saved its place, and queued the rest as a new message
    assert answer == {"batchItemFailures": []}
    assert _labels(big_case).count("HOAKS") == 100
    queued = client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    assert [json.loads(m["Body"]) for m in queued] == [{"case_id": big_case}]


def _sqs_record(case_id: str) -> dict[str, Any]:
    return {
        "messageId": "m-1",
        "receiptHandle": "r-1",
        "body": json.dumps({"case_id": case_id}),
        "attributes": {},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:saring-local-verdicts",
        "awsRegion": "ap-southeast-3",
    }


def test_a_verdict_whose_message_was_lost_is_spread_by_the_sweep(
    partner: Api, checker: Api, runner: EventSourceRunner, mocker: MockerFixture
) -> None:
    # Given a verdict stored while the queue refused its message
    case_id, report_ids = _open_case(partner, runner, copies=2)
    mocker.patch("chalicelib.adapters.verdict_queue.enqueue_applications", side_effect=[RuntimeError("SQS down"), None])
    assert checker.http.post(f"/v1/cases/{case_id}/verdict", body=_verdict(0)).status_code == 202
    mocker.stopall()
    runner.drain()
    assert {partner.report(r)["status"] for r in report_ids} == {"needs_review"}

    # When the sweep runs after the stale time
    later = datetime.now(UTC) + timedelta(minutes=10)
    from chalicelib.services.cases import sweep_unspread_verdicts

    assert sweep_unspread_verdicts(later) == 1
    runner.drain()

    # Then every report has the verdict
    assert {partner.report(r)["status"] for r in report_ids} == {"reviewed"}


def test_the_audit_trail_records_who_changed_what(
    api: Api, checker: Api, partner: Api, runner: EventSourceRunner
) -> None:
    # Given an admin who creates a key, a checker who edits a claim and decides a case
    admin = api.as_key(make_key("admin", partner_id="saring-ops"))
    created = body_of(admin.http.post("/v1/keys", body={"partner_id": "media-x", "roles": ["media"]}), 201)
    claim = {"external_id": "audit-1", "title": "Judul lama", "label": "HOAKS"}
    claim_id = body_of(checker.http.post("/v1/claims", body=claim), 201)["id"]
    assert checker.http.patch(f"/v1/claims/{claim_id}", body={"title": "Judul baru"}).status_code == 200
    case_id, _ = _open_case(partner, runner, copies=1)
    assert checker.http.post(f"/v1/cases/{case_id}/verdict", body=_verdict(0)).status_code == 202
    admin.http.delete(f"/v1/keys/{created['id']}")

    # When the admin reads today's trail and one claim's
    today = body_of(admin.http.get("/v1/audit?limit=100"))["entries"]
    claim_trail = body_of(admin.http.get(f"/v1/audit?target={claim_id}"))["entries"]

    # Then every change is there, newest first, with who, before and after (never the key itself)
    actions = [entry["action"] for entry in today]
    for action in ("key.created", "claim.created", "claim.updated", "verdict.published", "key.revoked"):
        assert action in actions
    assert actions.index("key.revoked") < actions.index("verdict.published")
    assert [e["action"] for e in claim_trail] == ["claim.updated", "claim.created"]
    assert claim_trail[0]["before"]["title"] == "Judul lama" and claim_trail[0]["after"]["title"] == "Judul baru"
    assert claim_trail[0]["actor_partner_id"] == "cekfakta"
    verdict = next(e for e in today if e["action"] == "verdict.published")
    assert verdict["before"]["verdict"] is None and verdict["after"]["verdict"]["label"] == "HOAKS"
    key_entry = next(e for e in today if e["action"] == "key.created" and e["target"] == created["id"])
    assert created["key"] not in json.dumps(today)
    assert key_entry["actor"].startswith("key_") and key_entry["after"]["partner_id"] == "media-x"
    # And paging goes on from the cursor, and only forward in time order
    first = body_of(admin.http.get("/v1/audit?limit=2"))
    rest = body_of(admin.http.get(f"/v1/audit?limit=100&cursor={first['next_cursor']}"))
    assert [e["id"] for e in first["entries"] + rest["entries"]] == [e["id"] for e in today]
    assert body_of(admin.http.get("/v1/audit?cursor=x"), 422)["errors"][0]["field"] == "query.cursor"


def test_the_audit_trail_cannot_be_rewritten(aws: Resources) -> None:
    # Given an entry in the trail
    from chalicelib.domain.audit import CLI, audit_entry
    from chalicelib.domain.models import AuditAction

    entry = audit_entry(CLI, AuditAction.key_created, "key_x", before=None, after={"a": 1}, at=datetime.now(UTC))
    stores().audit.add(entry)

    # Then the stores offer no way to change or remove one (nor a link of its chain), and adding the same id fails
    public = {name for name in dir(stores().audit) if not name.startswith("_")}
    assert public == {"add", "get", "of_day", "of_target", "whole_day"}
    chain = {name for name in dir(stores().audit_chain) if not name.startswith("_")}
    assert chain == {"add_link", "head", "is_linked", "links", "put_seal", "seal"}
    with pytest.raises(Exception, match="ConditionalCheckFailed"):
        stores().audit.add(entry.model_copy(update={"after": {"a": 2}}))
    assert [e.after for e in stores().audit.of_target("key_x", None, 10)] == [{"a": 1}]


def test_cases_of_an_unknown_status_or_id_are_refused(checker: Api) -> None:
    assert body_of(checker.http.get("/v1/cases?status=closed"), 422)["errors"][0]["field"] == "query.status"
    assert checker.http.post("/v1/cases/nonsense/verdict", body=_verdict(0)).status_code == 404


def test_a_report_never_takes_the_same_or_an_older_verdict_version_again(aws: Resources) -> None:
    # Given three reports that carry version 2 of a verdict
    case_id = write_big_case(3, ELECTION_HOAX, case_id="case_" + "v" * 26)
    ids = [report.id for report in stores().reports.in_case(case_id, None, 10)[0]]
    now = datetime.now(UTC)
    hoax = Verdict(label=Label.HOAKS, decided_by="Rina", reason="versi dua")
    assert stores().reports.apply_verdict(ids, hoax, 2, now) == 3

    # When version 2 is applied again (a resumed page) and version 1 arrives late
    again = stores().reports.apply_verdict(ids, hoax, 2, now)
    late = stores().reports.apply_verdict(ids, Verdict(label=Label.SATIRE, decided_by="Rina", reason="v1"), 1, now)

    # Then neither changes anything
    assert (again, late) == (0, 0)
    assert _labels(case_id) == ["HOAKS"] * 3


def test_a_replaced_verdict_stops_spreading_at_its_next_page(big_case: str, mocker: MockerFixture) -> None:
    # Given a verdict spreading over 1,000 reports, replaced by a newer one after its first page
    mocker.patch("chalicelib.adapters.verdict_queue.enqueue_applications")
    publish_verdict(big_case, CaseVerdictRequest.model_validate(_verdict(0, "HOAKS")), CHECKER)
    real = stores().reports.apply_verdict
    pages: list[int] = []

    def replaced_after_first_page(*args: Any) -> int:
        written = real(*args)
        if not pages:
            publish_verdict(big_case, CaseVerdictRequest.model_validate(_verdict(1, "SATIRE")), CHECKER)
        pages.append(written)
        return written

    mocker.patch.object(stores().reports, "apply_verdict", side_effect=replaced_after_first_page)

    # When the older verdict's job runs with all the time in the world
    assert spread_verdict(big_case, has_time=lambda: True) is True

    # Then it stopped after the page it was on: the rest is left for the newer verdict's job
    assert pages == [100]
    assert _labels(big_case).count("HOAKS") == 100 and _labels(big_case).count(None) == 900
