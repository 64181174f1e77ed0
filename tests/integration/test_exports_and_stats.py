"""Daily exports and statistics against moto: WIB days, re-runs, personal data, the API, counters."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.domain.exports import BOM
from chalicelib.services.exports import build_daily_export
from chalicelib.services.report_changes import ReportChanges
from chalicelib.store import stores
from chalicelib.store.reports import NewReport
from infra.local.harness import counting_writes
from infra.local.resources import Resources
from infra.local.runner import EventSourceRunner
from tests.integration.conftest import Api, make_key

DAY = date(2026, 11, 20)
CONTACT = "+62 811-0000-4321"


def _store(report_id: str, received_at: datetime, text: str = "Pesan berantai") -> None:
    stores().reports.create(
        NewReport(
            id=report_id,
            partner_id="kabar-app",
            received_at=received_at,
            platform="whatsapp",
            province="35",
            text=text,
            url=None,
            observed_at=None,
            external_id=None,
            request_hash="h",
        ),
        None,
    )


def _object(day: date, name: str) -> bytes:
    key = f"exports/daily/{day.isoformat()}/{name}"
    return bytes(client("s3").get_object(Bucket=get_settings().bucket_name, Key=key)["Body"].read())


def _csv_ids(day: date) -> list[str]:
    raw = _object(day, "reports.csv")
    assert raw.startswith(BOM)
    return [row["id"] for row in csv.DictReader(io.StringIO(raw[len(BOM) :].decode(), newline=""))]


def test_the_export_holds_exactly_the_wib_day(aws: Resources) -> None:
    # Given reports on both sides of both WIB midnights of the day
    _store("rpt_" + "a" * 26, datetime(2026, 11, 19, 16, 59, 59, 999_000, tzinfo=UTC))  # 23:59:59.999 WIB the 19th
    _store("rpt_" + "b" * 26, datetime(2026, 11, 19, 17, 0, 0, tzinfo=UTC))  # 00:00:00 WIB the 20th
    _store("rpt_" + "c" * 26, datetime(2026, 11, 20, 16, 59, 59, tzinfo=UTC))  # 23:59:59 WIB the 20th
    _store("rpt_" + "d" * 26, datetime(2026, 11, 20, 17, 0, 0, tzinfo=UTC))  # 00:00:00 WIB the 21st
    # When the 20th and the 19th are exported
    built = build_daily_export(DAY, now=datetime(2026, 11, 20, 17, 15, tzinfo=UTC))
    build_daily_export(date(2026, 11, 19), now=datetime(2026, 11, 20, 17, 15, tzinfo=UTC))
    # Then each holds its own reports, in time order, and the manifest says so
    assert _csv_ids(DAY) == ["rpt_" + "b" * 26, "rpt_" + "c" * 26]
    assert _csv_ids(date(2026, 11, 19)) == ["rpt_" + "a" * 26]
    assert built.rows == 2 and built.complete
    manifest = json.loads(_object(DAY, "manifest.json"))
    for file in manifest["files"]:
        assert hashlib.sha256(_object(DAY, file["name"])).hexdigest() == file["sha256"]
        assert len(_object(DAY, file["name"])) == file["bytes"]
    packed = gzip.decompress(_object(DAY, "reports.jsonl.gz")).decode().splitlines()
    assert [json.loads(line)["received_at_wib"] for line in packed] == [
        "2026-11-20T00:00:00.000+07:00",
        "2026-11-20T23:59:59.000+07:00",
    ]


def test_an_empty_day_and_an_identical_re_run(aws: Resources) -> None:
    empty = build_daily_export(date(2026, 11, 1), now=datetime(2026, 11, 2, tzinfo=UTC))
    assert empty.rows == 0 and _csv_ids(date(2026, 11, 1)) == []
    for n in range(30):
        _store(f"rpt_{n:026d}", datetime(2026, 11, 20, 1, n, tzinfo=UTC), text=f"Pesan {n}")
    first = build_daily_export(DAY, now=datetime(2026, 11, 21, tzinfo=UTC))
    again = build_daily_export(DAY, now=datetime(2026, 11, 22, tzinfo=UTC))
    assert [(f.name, f.sha256, f.rows) for f in first.files] == [(f.name, f.sha256, f.rows) for f in again.files]
    assert first.rows == 30


def test_no_personal_data_reaches_an_export(api: Api, runner: EventSourceRunner) -> None:
    api.submit({"text": "Pesan berantai", "platform": "whatsapp", "province": "31", "reporter": {"contact": CONTACT}})
    runner.drain()
    today = datetime.now(UTC)
    agency = api.as_key(make_key("agency", partner_id="bawaslu"))
    built = json.loads(agency.http.post(f"/v1/exports/daily/{today.astimezone(_wib()).date()}", body={}).body)
    assert built["rows"] == 1 and not built["complete"]
    for file in built["files"]:
        content = _object(date.fromisoformat(built["date"]), file["name"])
        text = gzip.decompress(content).decode() if file["name"].endswith(".gz") else content.decode("utf-8-sig")
        assert CONTACT not in text and "0000-4321" not in text
        assert "Pesan berantai" in text


def _wib() -> Any:
    from chalicelib.domain.access import WIB

    return WIB


def test_the_export_api_says_when_a_day_is_ready_and_links_to_the_files(api: Api) -> None:
    agency = api.as_key(make_key("agency", partner_id="bawaslu"))
    yesterday = (datetime.now(UTC).astimezone(_wib()) - timedelta(days=1)).date()
    missing = agency.http.get(f"/v1/exports/daily/{yesterday}")
    assert missing.status_code == 404
    assert "POST here to build it" in json.loads(missing.body)["detail"]
    future = agency.http.get("/v1/exports/daily/2999-01-01")
    assert future.status_code == 404 and "00:15 WIB" in json.loads(future.body)["detail"]
    bad = agency.http.get("/v1/exports/daily/20-11-2026")
    assert bad.status_code == 422 and json.loads(bad.body)["errors"][0]["field"] == "path.date"
    assert agency.http.post(f"/v1/exports/daily/{yesterday}", body={}).status_code == 200
    found = json.loads(agency.http.get(f"/v1/exports/daily/{yesterday}").body)
    assert [f["name"] for f in found["files"]] == ["reports.csv", "reports.jsonl.gz"]
    assert all("X-Amz-Signature" in f["url"] or "Signature" in f["url"] for f in found["files"])
    assert found["code_version"] and found["urls_expire_at"] > found["generated_at"]


def test_daily_statistics_follow_the_pipeline(api: Api, runner: EventSourceRunner) -> None:
    # Given a claim, two copies of it from two platforms, and an unrelated report
    text = (
        "Beredar kabar bahwa surat suara yang dicoblos dua kali tetap dianggap sah oleh KPPS "
        "asalkan pemilih membawa KTP elektronik ke TPS pada hari pemungutan"
    )
    claim = {"external_id": "stat-1", "title": "Coblos dua kali tetap sah", "text": text, "label": "HOAKS"}
    assert api.http.post("/v1/claims", body=claim).status_code == 201
    runner.drain()
    api.submit({"text": text, "platform": "whatsapp", "province": "31"})
    api.submit({"text": "  " + text.upper(), "platform": "x", "province": "31"})  # the same content: one case
    api.submit({"text": "Jalan berlubang di depan balai desa", "platform": "x", "province": "32"})
    runner.drain()
    # When an agency asks for today's figures
    agency = api.as_key(make_key("agency", partner_id="bawaslu"))
    today = datetime.now(UTC).astimezone(_wib()).date().isoformat()
    by = {
        group: json.loads(agency.http.get(f"/v1/stats/daily?from={today}&to={today}&group_by={group}").body)
        for group in ("platform", "province", "label")
    }
    # Then the counters match what happened
    assert by["platform"]["days"][0]["total"] == 3
    assert by["platform"]["days"][0]["counts"] == {"whatsapp": 1, "x": 2}
    assert by["province"]["days"][0]["counts"] == {"31": 2, "32": 1}
    assert by["label"]["days"][0]["counts"] == {"HOAKS": 2}
    # And the copies' case trends
    trend = json.loads(agency.http.get("/v1/stats/trending?limit=5").body)
    assert trend["cases"][0]["reports_last_24h"] == 2 and trend["cases"][0]["growth"] == 2
    assert "surat suara" in trend["cases"][0]["sample_text"]


def _new_report_image(number: int) -> dict[str, Any]:
    return {
        "id": {"S": f"rpt_{number:026d}".replace("0", "a")},
        "partner_id": {"S": "p"},
        "status": {"S": "received"},
        "received_at": {"S": "2026-11-20T01:00:00.000000+0000"},
        "updated_at": {"S": "2026-11-20T01:00:00.000000+0000"},
        "platform": {"S": "tiktok"},
        "province": {"S": "51"},
        "request_hash": {"S": "h"},
        "has_contact": {"BOOL": False},
        "check_attempts": {"N": "0"},
    }


def test_a_repeated_stream_change_counts_nothing_twice(aws: Resources) -> None:
    image = _new_report_image(0)
    for _ in range(3):  # a stream batch retried twice
        batch = ReportChanges()
        batch.add(None, image, "seq-0001")
        batch.count()
    assert stores().stats.partition("2026-11-20") == {"total": 1, "platform#tiktok": 1, "province#51": 1}


def test_a_stream_batch_is_counted_in_one_write_and_a_retried_one_counts_only_what_is_new(aws: Resources) -> None:
    # Given a batch of 20 new reports counted
    batch = ReportChanges()
    for number in range(20):
        batch.add(None, _new_report_image(number), f"seq-{number:04d}")
    with counting_writes() as writes:
        batch.count()
    assert writes == ["TransactWriteItems"]
    # When the batch comes again from its 11th change on, with 5 changes more
    retried = ReportChanges()
    for number in range(10, 25):
        retried.add(None, _new_report_image(number), f"seq-{number:04d}")
    retried.count()
    # Then every report is counted once
    assert stores().stats.partition("2026-11-20") == {"total": 25, "platform#tiktok": 25, "province#51": 25}


def test_statistics_ranges_are_checked(api: Api) -> None:
    agency = api.as_key(make_key("agency", partner_id="bawaslu"))
    for query, field in [
        ("from=2026-11-20&to=2026-11-01", "query"),
        ("from=2026-01-01&to=2026-12-31", "query"),
        ("from=2026-11-20&to=2026-11-21&group_by=colour", "query.group_by"),
        ("to=2026-11-21", "query.from"),
    ]:
        answer = agency.http.get(f"/v1/stats/daily?{query}")
        assert answer.status_code == 422, query
        assert json.loads(answer.body)["errors"][0]["field"] == field, (query, answer.body)


def test_only_today_and_yesterday_are_built_on_request_and_not_twice_in_a_row(api: Api) -> None:
    # Given an agency
    agency = api.as_key(make_key("agency", partner_id="bawaslu"))
    today = datetime.now(UTC).astimezone(_wib()).date()
    # When it asks for a build of a day before yesterday, and of the first day there ever was
    older = agency.http.post(f"/v1/exports/daily/{today - timedelta(days=2)}", body={})
    ancient = agency.http.get("/v1/exports/daily/0001-01-01")
    # Then the first names the date as the problem, and the second is a plain 404 (not a 500)
    assert older.status_code == 422 and json.loads(older.body)["errors"][0]["field"] == "path.date"
    assert ancient.status_code == 404 and "2020-01-01" in json.loads(ancient.body)["detail"]
    # And today builds once; a second build right after is refused with when to try again
    assert agency.http.post(f"/v1/exports/daily/{today}", body={}).status_code == 200
    again = agency.http.post(f"/v1/exports/daily/{today}", body={})
    assert again.status_code == 429
    assert 1 <= int(again.headers["Retry-After"]) <= 300
    assert json.loads(again.body)["type"].endswith("/export-cooling-down")
