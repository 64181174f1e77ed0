"""The security review's reproductions (issue "Trust"), each now answered safely.

Each test drives the ordinary workflow that was found to mislabel, leak or be turned into a weapon.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_mock import MockerFixture

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.services import access as access_service
from chalicelib.store.tables import ContactRecord
from infra.local.runner import EventSourceRunner
from tests.integration.conftest import Api, body_of, make_key

HOAX_CITING_KPU = (
    "SEBARKAN!! Jadwal pencoblosan resmi diundur seminggu karena surat suara belum dicetak, "
    "lihat sendiri di situs KPU, jangan datang ke TPS tanggal 14"
)
KPU_PAGE = "https://www.kpu.go.id/berita/baca/12345/jadwal-resmi"
FACT_CHECK = "https://cekfakta.example/jadwal-tidak-diundur"
CONTACT = "+62 812-3456-7890"


def _decide_case_citing_the_kpu_page(partner: Api, checker: Api, runner: EventSourceRunner, **claim: Any) -> None:
    partner.submit({"text": HOAX_CITING_KPU, "url": KPU_PAGE, "platform": "whatsapp", "province": "31"})
    runner.drain()
    case = body_of(checker.http.get("/v1/cases?status=open"))["cases"][0]
    verdict = {
        "version": case["version"],
        "label": "HOAKS",
        "summary": "KPU tidak mengubah jadwal pemungutan suara; pesan ini palsu.",
        "fact_check_url": FACT_CHECK,
        "title": "Jadwal pencoblosan diundur seminggu",
        **claim,
    }
    body_of(checker.http.post(f"/v1/cases/{case['id']}/verdict", body=verdict), 202)
    runner.drain()


def test_a_verdict_on_a_hoax_citing_an_official_page_never_labels_that_page(
    partner: Api, checker: Api, runner: EventSourceRunner
) -> None:
    # Given a hoax that cites KPU's real schedule page, rightly decided HOAKS by a checker
    _decide_case_citing_the_kpu_page(partner, checker, runner, text=HOAX_CITING_KPU)

    # When anyone shares or looks up that official page alone (with a tracking parameter too)
    lookup = body_of(partner.http.post("/v1/lookup", body={"url": KPU_PAGE + "?utm_source=wa"}))
    report_id = partner.submit({"url": KPU_PAGE, "platform": "web", "province": "31"})
    runner.drain()

    # Then it is not a confident match: no verdict, no hint
    assert all(match["level"] != "match" for match in lookup["matches"])
    assert lookup["verdict_hint"] is None
    report = partner.report(report_id)
    assert report["status"] == "needs_review" and report["verdict"] is None
    # And the claim lists no appearance the checker did not name
    claims = body_of(partner.http.get("/v1/claims?q=jadwal"))["claims"]
    assert claims and all(claim["appearance_urls"] == [] for claim in claims)


def test_a_link_the_checker_names_on_an_official_site_still_only_suggests(
    partner: Api, checker: Api, runner: EventSourceRunner
) -> None:
    # Given a checker who (wrongly) names the official page as where the hoax appeared
    _decide_case_citing_the_kpu_page(partner, checker, runner, appearance_urls=[KPU_PAGE])

    # When the page is looked up alone
    lookup = body_of(partner.http.post("/v1/lookup", body={"url": KPU_PAGE}))

    # Then it is at most a suggestion, and says why
    assert lookup["matches"] and lookup["matches"][0]["level"] == "suggest"
    assert lookup["verdict_hint"] is None


def test_a_new_claim_never_carries_the_reporters_words_silently(
    partner: Api, checker: Api, runner: EventSourceRunner
) -> None:
    # Given a report whose text holds a private person's phone number, decided with a title only
    _decide_case_citing_the_kpu_page(partner, checker, runner)

    # When anyone reads the new claim
    claims = body_of(partner.http.get("/v1/claims"))["claims"]

    # Then the report's text is not in it
    assert len(claims) == 1
    assert claims[0]["text"] is None and HOAX_CITING_KPU not in json.dumps(claims)


def test_formulas_in_reports_reach_the_csv_as_text_and_the_json_lines_raw(api: Api, runner: EventSourceRunner) -> None:
    # Given reports whose text starts like a spreadsheet formula, and a checker key named like one
    payloads = ['=HYPERLINK("https://evil.example","klik")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "=1+1"]
    for text in payloads:
        api.submit({"text": text, "platform": "whatsapp", "province": "31"})
    runner.drain()
    agency = api.as_key(make_key("agency", partner_id="bawaslu"))
    today = datetime.now(UTC) + timedelta(hours=7)

    # When the day's export is built
    built = body_of(agency.http.post(f"/v1/exports/daily/{today.date()}", body={}))

    # Then no CSV cell starts a formula, while the JSON Lines keeps the text as reported
    from tests.integration.test_exports_and_stats import _object

    day = datetime.fromisoformat(built["date"]).date()
    rows = list(csv.DictReader(io.StringIO(_object(day, "reports.csv").decode("utf-8-sig"))))
    excerpts = sorted(row["text_excerpt"] for row in rows)
    assert excerpts == sorted("'" + text for text in payloads)
    for row in rows:
        assert all(not cell.lstrip(" ").startswith(("=", "+", "-", "@")) for cell in row.values())
    import gzip

    lines = gzip.decompress(_object(day, "reports.jsonl.gz")).decode().splitlines()
    assert sorted(json.loads(line)["text_excerpt"] for line in lines) == sorted(payloads)


def _items(table: str) -> list[dict[str, Any]]:
    return list(client("dynamodb").scan(TableName=get_settings().table_name(table))["Items"])


def test_no_stored_hash_gives_a_reporters_contact_away(api: Api) -> None:
    # Given a keyed report with a phone number
    body = {"text": "Pesan berantai", "platform": "whatsapp", "province": "31", "reporter": {"contact": CONTACT}}
    answer = api.post_report(body, **{"Idempotency-Key": "tipline-pdp"})
    assert answer.status_code == 202

    # When an attacker holding the tables tries phone numbers against every stored hash, the way
    # the review did (plain SHA-256 of the body, and an MD5 of it)
    stored = json.dumps(_items("reports"))
    from chalicelib.domain.models import ReportSubmission

    submission = ReportSubmission.model_validate(body)
    plain = [
        hashlib.sha256(submission.model_dump_json().encode()).hexdigest(),
        hashlib.md5(json.dumps(submission.model_dump(mode="json"), sort_keys=True).encode()).hexdigest(),  # noqa: S324
        hashlib.md5(json.dumps(submission.model_dump(mode="json")).encode()).hexdigest(),  # noqa: S324
    ]

    # Then no plain hash of the body is stored anywhere: only a keyed fingerprint
    assert all(digest not in stored for digest in plain)
    assert CONTACT not in stored
    assert _items("reports")[0]["request_hash"]["S"].startswith("v1:")


def test_a_privileged_key_on_a_partners_id_is_refused_and_opens_no_contact(api: Api) -> None:
    # Given an agency key made under an id before any partner key had it, then the partner's own key
    # and a report of the partner's carrying a contact, and an admin
    early_agency = api.as_key(make_key("agency", partner_id="kabar-app"))
    partner = api.as_key(make_key("partner", partner_id="kabar-app"))
    report_id = partner.submit(
        {"text": "Pesan berantai", "platform": "whatsapp", "province": "31", "reporter": {"contact": CONTACT}}
    )
    admin = api.as_key(make_key("admin", partner_id="ops"))

    # When the admin makes an agency key under the partner's id, or another partner key for it
    refused = admin.http.post("/v1/keys", body={"partner_id": "kabar-app", "roles": ["agency"]})
    rotated = admin.http.post("/v1/keys", body={"partner_id": "kabar-app", "roles": ["partner", "media"]})

    # Then the first is refused, naming the field, while the partner's new key is fine
    assert body_of(refused, 422)["errors"][0]["field"] == "partner_id"
    assert rotated.status_code == 201
    # And only the partner's key opens the contact: the agency key sharing the id does not
    assert partner.report(report_id)["reporter"] == {"contact": CONTACT}
    assert early_agency.report(report_id)["reporter"] is None


def test_an_expired_contact_is_gone_before_dynamodbs_ttl_runs(api: Api) -> None:
    # Given a report whose contact's retention ended an hour ago (TTL has not removed it yet)
    report_id = api.submit(
        {"text": "Pesan berantai", "platform": "whatsapp", "province": "31", "reporter": {"contact": CONTACT}}
    )
    record = ContactRecord.get(report_id)
    record.update(actions=[ContactRecord.expires_at.set(datetime.now(UTC) - timedelta(hours=1))])

    # When its partner reads the report
    report = api.report(report_id)

    # Then the contact is not served
    assert report["reporter"] is None


def test_json_ld_is_safe_to_paste_into_a_page_and_links_cannot_carry_markup(api: Api) -> None:
    # Given a claim whose title tries to close the script element it will be embedded in
    claim = {
        "external_id": "xss-1",
        "title": "Judul </script><script>alert(1)</script> & lainnya",
        "label": "HOAKS",
        "url": "https://cek.example/artikel",
    }
    created = body_of(api.http.post("/v1/claims", body=claim), 201)

    # When it is read as JSON-LD
    answer = api.http.get(f"/v1/claims/{created['id']}?format=jsonld")
    text = answer.body.decode() if isinstance(answer.body, bytes) else str(answer.body)

    # Then no <, > or & appears raw, and the JSON still reads back to the same title
    assert answer.status_code == 200
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["claimReviewed"].startswith("Judul </script>")
    # And a link carrying markup or control characters is refused, naming the field
    for bad in ('https://x.example/"><script>', "https://x.example/a\nb", "https://x.example/<b>"):
        refused = api.http.post("/v1/claims", body={**claim, "external_id": "xss-2", "url": bad})
        assert body_of(refused, 422)["errors"][0]["field"] == "url"


def test_random_key_ids_cost_no_memory(api: Api, mocker: MockerFixture) -> None:
    # Given the key cache
    access_service.forget_cached_keys()

    # When 300 random, well-formed keys are tried
    for n in range(300):
        key = "saring_" + base64.b32encode(n.to_bytes(10, "big")).decode().lower() + "_" + "c" * 40
        assert api.as_key(key).http.get("/v1/webhooks").status_code == 401

    # Then none of them is remembered; a real key is, and the cache never exceeds its size
    assert len(access_service._recent_keys) == 0
    assert api.http.get("/v1/webhooks").status_code == 200
    assert len(access_service._recent_keys) == 1
    mocker.patch.object(access_service, "KEY_CACHE_SIZE", 2)
    for n in range(3):
        assert api.as_key(make_key("partner", partner_id=f"app-{n}")).http.get("/v1/webhooks").status_code == 200
    assert len(access_service._recent_keys) == 2


@pytest.mark.parametrize(
    "path",
    [
        "/v1/claims?cursor=" + base64.urlsafe_b64encode(b'{"o": 100000000000000000000}').decode().rstrip("="),
        "/v1/cases?cursor=" + base64.urlsafe_b64encode(b'{"o": 100000000000000000000}').decode().rstrip("="),
        "/v1/cases?cursor=" + base64.urlsafe_b64encode(b'{"o": true}').decode().rstrip("="),
    ],
)
def test_crafted_cursors_are_422_not_500(api: Api, path: str) -> None:
    admin = api.as_key(make_key("admin", "checker", partner_id="ops"))
    answer = admin.http.get(path)
    assert body_of(answer, 422)["errors"][0]["field"] == "query.cursor"


def test_statistics_to_the_last_day_there_is_are_not_a_500(api: Api) -> None:
    agency = api.as_key(make_key("agency", partner_id="bawaslu"))
    answer = body_of(agency.http.get("/v1/stats/daily?from=9999-12-31&to=9999-12-31"))
    assert answer["days"] == [{"date": "9999-12-31", "total": 0, "counts": {}}]


def test_a_partner_cannot_multiply_its_deliveries(api: Api) -> None:
    # Given a partner with as many webhooks as allowed
    from chalicelib.services.webhooks import MAX_WEBHOOKS_PER_PARTNER

    partner = api.as_key(make_key("partner", partner_id="kabar-app"))
    body = {"url": "http://127.0.0.1:9/hook", "events": ["report.checked"]}
    for _ in range(MAX_WEBHOOKS_PER_PARTNER):
        assert partner.http.post("/v1/webhooks", body=body).status_code == 201

    # When it registers one more
    answer = partner.http.post("/v1/webhooks", body=body)

    # Then it is refused, and says what to do
    assert body_of(answer, 409)["type"].endswith("/webhook-limit-reached")
    assert len(body_of(partner.http.get("/v1/webhooks"))["webhooks"]) == MAX_WEBHOOKS_PER_PARTNER
