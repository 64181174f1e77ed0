"""Every AWS call each function makes in a day of work is one its role allows, and nothing is granted unused.

The scenario drives every route family and every event handler against moto; a recorder tags each
call with the function that made it (the API, or the handler the event runner invoked). The CDK
stack builds each role from the same table (``infra/aws/permissions.py``), which the infrastructure
tests check against the synthesised template.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_mock import MockerFixture

from chalicelib.config import get_settings
from chalicelib.domain.exports import wib_day_of
from infra.aws.permissions import CONSUMES, FUNCTIONS, NOT_IN_SCENARIO, allowed, grants
from infra.local.fact_check_fake import FakeFactCheckApi
from infra.local.runner import EventSourceRunner
from tests.aws_calls import Call, current_function, recording_aws_calls
from tests.integration.conftest import Api, make_key
from tests.webhook_receiver import webhook_receiver

HOAX = "Beredar pesan bahwa pemilih wajib membawa fotokopi kartu keluarga ke TPS, tanpa itu tidak boleh mencoblos"
NEW = "Petugas KPPS disuruh mencoblos sisa surat suara setelah TPS tutup jam satu siang, sebarkan!"
UNANSWERED = "Kotak suara dari kardus mudah dibobol, hasil pemilu pasti dicurangi di gudang kecamatan malam ini"
PUBLISHED = {
    "text": "Pemilih boleh mencoblos dua kali asal membawa KTP dan KK",
    "claimReview": [{"url": "https://cekfakta.example/dua-kali", "title": "Coblos dua kali", "textualRating": "Salah"}],
}


@pytest.fixture
def calls(
    api: Api,
    runner: EventSourceRunner,
    pictures: EventSourceRunner,
    fact_check_api: FakeFactCheckApi,
    mocker: MockerFixture,
) -> Iterator[set[Call]]:
    # The claim sync finds one new fact-check when its schedule fires
    fact_check_api.pages["query=pemilu"] = [{"claims": [PUBLISHED]}]
    for source in (runner, pictures):  # the app's event sources, and the picture function's
        _as_lambda_runs_it(source, mocker)
    with recording_aws_calls(get_settings().table_prefix) as recorded:
        _a_day_of_work(api, runner, pictures)
    yield recorded


EVENT_SOURCES = "event_sources"
SETUP = "setup"


def _as_lambda_runs_it(runner: EventSourceRunner, mocker: MockerFixture) -> None:
    """Tag each handler's calls with its function, and the polling with the event sources'."""
    invoke, poll = runner.invoke, runner.poll_once

    def invoke_as_its_function(name: str, event: dict[str, Any]) -> tuple[bool, Any]:
        # Each function runs in containers of its own: what another one looked up and cached (a
        # queue URL, the pepper) is not there, so its own calls are seen.
        _forget_process_caches()
        token = current_function.set(name)
        try:
            return invoke(name, event)
        finally:
            current_function.reset(token)
            _forget_process_caches()

    def poll_as_the_event_sources() -> int:
        # Lambda's event source mappings poll with the function's role; they are checked apart.
        token = current_function.set(EVENT_SOURCES)
        try:
            return poll()
        finally:
            current_function.reset(token)

    mocker.patch.object(runner, "invoke", side_effect=invoke_as_its_function)
    mocker.patch.object(runner, "poll_once", side_effect=poll_as_the_event_sources)


def _forget_process_caches() -> None:
    from chalicelib.adapters.aws import queue_url, secret_bytes
    from chalicelib.adapters.evidence import public_key
    from chalicelib.services.access import forget_cached_keys

    public_key.cache_clear()
    queue_url.cache_clear()
    secret_bytes.cache_clear()
    forget_cached_keys()


def _ok(answer: Any, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.body
    return dict(json.loads(answer.body)) if answer.body else {}


def _pictures(partner: Api, checker: Api, claim_id: str, runner: EventSourceRunner, pictures: Any) -> None:
    """A partner's screenshot, reported and looked up; a checker gives a claim a picture and reads the report."""
    from bench.picture_set import chat_bubble, encoded, noise
    from tests.integration.conftest import upload

    shot = encoded(chat_bubble(HOAX, 1))
    # A photo without words waits for a checker: the claim's new picture below is tried against it
    partner.submit({"images": [upload(partner, encoded(noise(7)))], "platform": "x", "province": "31"})
    pictures.drain()
    runner.drain()
    claim_picture = upload(checker, shot)
    pictures.drain()
    _ok(checker.http.post(f"/v1/claims/{claim_id}/images", body={"upload_id": claim_picture}), 201)
    runner.drain()
    report_id = partner.submit({"images": [upload(partner, shot)], "platform": "whatsapp", "province": "31"})
    pictures.drain()
    runner.drain()
    looked_up = upload(partner, shot)
    pictures.drain()
    _ok(partner.http.post("/v1/lookup", body={"images": [looked_up]}))
    _ok(checker.http.get(f"/v1/reports/{report_id}"))


def _a_day_of_work(api: Api, runner: EventSourceRunner, pictures: Any) -> None:
    admin = api.as_key(make_key("admin", partner_id="saring-ops"))
    keys: dict[str, Api] = {}
    for role, partner_id in (("partner", "kabar-app"), ("checker", "cekfakta"), ("agency", "bawaslu")):
        created = _ok(admin.http.post("/v1/keys", body={"partner_id": partner_id, "roles": [role]}), 201)
        keys[role] = api.as_key(created["key"])
    partner, checker, agency = keys["partner"], keys["checker"], keys["agency"]
    claim = {"external_id": "lp-1", "title": "Pemilih wajib bawa fotokopi KK", "text": HOAX, "label": "HOAKS"}
    claim_id = _ok(checker.http.post("/v1/claims", body=claim), 201)["id"]
    runner.drain()
    with webhook_receiver() as receiver:
        hook = _ok(partner.http.post("/v1/webhooks", body={"url": receiver.url, "events": ["report.checked"]}), 201)
        copy = {"text": HOAX.upper(), "platform": "whatsapp", "province": "31", "reporter": {"contact": "a@b.id"}}
        report_id = partner.submit(copy, **{"Idempotency-Key": "lp-1"})
        for _ in range(2):
            partner.submit({"text": NEW, "platform": "x", "province": "33"})
        runner.drain()
        receiver.wait_for(3)
    _ok(partner.http.get(f"/v1/reports/{report_id}"))
    _ok(partner.http.post("/v1/lookup", body={"text": HOAX}))
    _ok(partner.http.get(f"/v1/webhooks/{hook['id']}/deliveries"))
    _ok(checker.http.get("/v1/claims?q=fotokopi&cursor="))
    _ok(checker.http.patch(f"/v1/claims/{claim_id}", body={"topic": "pemilu"}))
    _ok(checker.http.get(f"/v1/claims/{claim_id}"))
    case = _ok(checker.http.get("/v1/cases"))["cases"][0]
    _ok(checker.http.get(f"/v1/cases/{case['id']}/reports"))
    taken = _ok(checker.http.post(f"/v1/cases/{case['id']}/review", body={"version": case["version"]}))
    verdict = {
        "version": taken["version"],
        "label": "HOAKS",
        "summary": "KPU membantah: sisa surat suara disegel dan dihitung di depan saksi.",
        "fact_check_url": "https://cekfakta.example/kpps",
        "title": "Petugas KPPS mencoblos sisa surat suara",
    }
    _ok(checker.http.post(f"/v1/cases/{case['id']}/verdict", body=verdict), 202)
    runner.drain()
    _a_referral(api, checker, agency, case["id"], runner)
    today = datetime.now(UTC).date().isoformat()
    _ok(agency.http.post(f"/v1/exports/daily/{today}", body={}))
    _ok(agency.http.get(f"/v1/exports/daily/{today}"))
    _ok(agency.http.get(f"/v1/stats/daily?from={today}&to={today}"))
    _ok(agency.http.get("/v1/stats/trending"))
    _ok(agency.http.get(f"/v1/reports/{report_id}"))
    _ok(admin.http.get("/v1/audit"))
    _ok(admin.http.get(f"/v1/audit?target={claim_id}"))
    _ok(admin.http.get("/v1/keys"))
    spare = _ok(admin.http.post("/v1/keys", body={"partner_id": "x-y", "roles": ["media"]}), 201)
    _ok(admin.http.delete(f"/v1/keys/{spare['id']}"))
    assert partner.http.delete(f"/v1/webhooks/{hook['id']}").status_code == 204
    _pictures(partner, checker, claim_id, runner, pictures)
    _a_console_session(api, keys["agency"].key or "")
    runner.drain()  # the audit entries of the day are linked into its chain
    check = _ok(admin.http.get(f"/v1/audit/verify?day={wib_day_of(datetime.now(UTC)).isoformat()}"))
    assert check["intact"], check
    partner.submit({"text": UNANSWERED, "platform": "facebook", "province": "35"})
    runner.drain()  # an open case: no claim answers it yet
    answer = {"external_id": "lp-2", "title": "Kotak suara kardus mudah dibobol", "text": UNANSWERED, "label": "HOAKS"}
    _ok(checker.http.post("/v1/claims", body=answer), 201)
    runner.drain()  # the new claim decides the open case, and the verdict spreads
    partner.submit({"text": NEW, "platform": "x", "province": "33"})  # a copy of content decided before
    runner.drain()
    _the_public(api, runner, pictures)
    _a_report_left_waiting()
    runner.fire_schedules()
    runner.drain()


def _a_referral(api: Api, checker: Api, bawaslu: Api, case_id: str, runner: EventSourceRunner) -> None:
    """The decided case referred to Bawaslu, which subscribes, moves it and takes its evidence package."""
    with webhook_receiver() as receiver:
        body = {"url": receiver.url, "events": ["referral.status_changed"]}
        _ok(bawaslu.http.post("/v1/webhooks", body=body), 201)
        request = {"agency": "bawaslu", "category": "politik_uang", "note": "Dugaan politik uang."}
        referral = _ok(checker.http.post(f"/v1/cases/{case_id}/referrals", body=request), 201)
        _ok(bawaslu.http.post(f"/v1/referrals/{referral['id']}/status", body={"status": "acknowledged"}))
        runner.drain()
        receiver.wait_for(1)
    _ok(bawaslu.http.get("/v1/referrals"))
    _ok(checker.http.get("/v1/referrals?status=acknowledged"))
    _ok(checker.http.get(f"/v1/referrals/{referral['id']}"))
    _ok(bawaslu.http.get("/v1/stats/referrals"))
    _ok(bawaslu.http.get(f"/v1/referrals/{referral['id']}/evidence"))
    _ok(bawaslu.http.get(f"/v1/referrals/{referral['id']}/evidence"))  # the second time: built already
    _ok(api.as_key(None).http.get("/v1/evidence-key"))


def _a_console_session(api: Api, agency_key: str) -> None:
    """An agency signs in to the console, reads with the cookie, and signs out."""
    public = api.as_key(None)
    answer = public.http.post("/v1/sessions", body={"key": agency_key})
    view = _ok(answer, 201)
    cookie = answer.headers["Set-Cookie"].split(";", 1)[0]
    _ok(public.http.get("/v1/stats/trending", headers={"Cookie": cookie}))
    _ok(public.http.get("/v1/sessions", headers={"Cookie": cookie}))
    _ok(public.http.delete("/v1/sessions", headers={"Cookie": cookie, "X-CSRF-Token": view["csrf_token"]}), 204)


def _the_public(api: Api, runner: EventSourceRunner, pictures: Any) -> None:
    """A citizen checks and complains on the page (through CloudFront), another by e-mail with a screenshot."""
    from email.message import EmailMessage

    from bench.picture_set import chat_bubble, encoded
    from chalicelib.adapters.aws import client
    from chalicelib.adapters.mail import put_incoming_mail
    from chalicelib.domain.public import solve
    from chalicelib.events.mail import on_mail
    from infra.local.smtp import ses_event

    public = api.as_key(None)
    token = current_function.set(SETUP)
    try:
        edge = client("secretsmanager").get_secret_value(SecretId=get_settings().edge_secret)["SecretString"]
    finally:
        current_function.reset(token)
    cloudfront = {"X-Saring-Edge": edge, "CloudFront-Viewer-Address": "203.0.113.5:50123"}
    _ok(public.http.post("/v1/public/check", headers=cloudfront, body={"text": HOAX}))
    _ok(public.http.post("/v1/public/uploads", headers=cloudfront, body={"content_type": "image/png", "size": 99}), 201)
    challenge = _ok(public.http.get("/v1/public/challenge", headers=cloudfront))
    complaint = {
        "text": "Aduan: " + UNANSWERED,
        "province": "35",
        "challenge": challenge["challenge"],
        "nonce": solve(challenge["challenge"], challenge["difficulty"]),
        "contact": "0812-0000-1111",
        "consent": True,
    }
    code = _ok(public.http.post("/v1/public/reports", headers=cloudfront, body=complaint), 202)["tracking_code"]
    runner.drain()
    _ok(public.http.get(f"/v1/public/reports/{code}", headers=cloudfront))
    message = EmailMessage()
    message["From"] = "warga@contoh.id"
    message["Subject"] = "Fwd: hoaks"
    message.set_content(NEW)
    message.add_attachment(encoded(chat_bubble(NEW, 3)), maintype="image", subtype="png")
    token = current_function.set(SETUP)  # what SES does: verify the sender identity, store the message
    try:
        client("sesv2").create_email_identity(EmailIdentity=get_settings().mail_from)
        put_incoming_mail("lp-mail", bytes(message))
    finally:
        current_function.reset(token)
    token = current_function.set("receive_mail")
    try:
        _forget_process_caches()
        assert on_mail(ses_event("lp-mail"), None)["taken"] == 1
        assert on_mail(ses_event("lp-mail"), None)["taken"] == 0  # SES delivers again: already taken
    finally:
        current_function.reset(token)
        _forget_process_caches()
    pictures.drain()
    runner.drain()


def _a_report_left_waiting() -> None:
    """A report whose check message was lost an hour ago: the sweep's work."""
    from chalicelib.store.tables import ReportRecord

    token = current_function.set(SETUP)
    long_ago = datetime(2026, 11, 1, tzinfo=UTC)
    try:
        ReportRecord(
            "rpt_" + "w" * 26,
            partner_id="kabar-app",
            status="received",
            received_at=long_ago,
            updated_at=long_ago,
            platform="web",
            province="31",
            text="Pesan yang pemeriksaannya hilang",
            request_hash="h",
            pending_shard="0",
        ).save()
    finally:
        current_function.reset(token)


def test_every_call_is_allowed_to_the_function_that_made_it(calls: set[Call]) -> None:
    # Then each function's calls are within its grants, and every function took part
    made = [call for call in calls if call.function not in (EVENT_SOURCES, SETUP)]
    refused = sorted(call for call in made if not allowed(call.function, call.action, call.resource))
    assert refused == []
    assert {call.function for call in made} == set(FUNCTIONS)


def test_nothing_is_granted_that_the_day_did_not_use(calls: set[Call]) -> None:
    used = {(call.function, call.action, call.resource) for call in calls}
    unused = [grant for grant in grants() if grant not in used and grant not in NOT_IN_SCENARIO]
    assert unused == []
    assert not set(NOT_IN_SCENARIO) - set(grants())  # every exception is a grant


def test_the_event_sources_only_consume_their_own_queues_and_streams(calls: set[Call]) -> None:
    polled = {call for call in calls if call.function == EVENT_SOURCES}
    queues = {resource for resource in CONSUMES.values() if resource.startswith("queue:")}
    for call in polled:
        if call.action.startswith("sqs:"):
            assert call.action in ("sqs:ReceiveMessage", "sqs:DeleteMessageBatch", "sqs:DeleteMessage")
            assert call.resource in queues
        else:
            assert call.action.startswith("dynamodbstreams:")
