"""Partner and agency access on the running stack: webhooks and exports over real HTTP, and a bounded fuzz run."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import requests

from chalicelib.domain.webhooks import verify_signature
from tests.e2e.conftest import ADMIN_KEY, Stack, keyed_session, wait_for_status
from tests.webhook_receiver import webhook_receiver

DEMO_HOAX = (
    "KPU resmi mengundurkan hari pemungutan suara ke bulan Juni karena logistik belum siap. "
    "Tidak perlu datang ke TPS tanggal 14 Februari."
)


def test_a_partner_receives_a_signed_webhook_when_its_report_is_checked(stacks: Callable[..., Stack]) -> None:
    # Given `make run`, and a partner whose key an admin made, subscribed to its reports' checks
    stack = stacks()
    partner = keyed_session(stack, "partner", partner_id="kabar-app")
    with webhook_receiver() as receiver:
        created = partner.post(
            f"{stack.url}/v1/webhooks", json={"url": receiver.url, "events": ["report.checked"]}, timeout=10
        )
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        # When it reports a forwarded copy of a demo hoax
        answer = partner.post(
            f"{stack.url}/v1/reports", json={"text": DEMO_HOAX, "platform": "whatsapp", "province": "31"}, timeout=10
        )
        report_id = answer.json()["id"]
        # Then, within seconds, its receiver gets one signed event saying the report matched
        [delivery] = receiver.wait_for(1)
    assert verify_signature(secret, delivery.headers["Saring-Signature"], delivery.body, int(time.time()))
    event = json.loads(delivery.body)
    assert (event["type"], event["report"]["id"], event["report"]["status"]) == ("report.checked", report_id, "matched")
    report = wait_for_status(partner, f"{stack.url}/v1/reports/{report_id}", {"matched"})
    assert report["status"] == "matched"
    listed = partner.get(f"{stack.url}/v1/webhooks/{created.json()['id']}/deliveries", timeout=10).json()
    assert [d["status"] for d in listed["deliveries"]] == ["delivered"]


def test_the_admin_key_is_printed_and_the_api_refuses_calls_without_one(stacks: Callable[..., Stack]) -> None:
    stack = stacks("--no-demo", "--no-events")
    assert ADMIN_KEY in stack.output()
    refused = requests.get(f"{stack.url}/v1/claims", timeout=5)
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert requests.get(f"{stack.url}/v1/keys", headers={"X-Api-Key": ADMIN_KEY}, timeout=5).status_code == 200


def test_fuzzing_the_openapi_document_finds_no_server_error(stacks: Callable[..., Stack], tmp_path: Path) -> None:
    # Given the stack, and a key with every role and room to spare
    stack = stacks("--no-demo")
    created = requests.post(
        f"{stack.url}/v1/keys",
        json={
            "partner_id": "fuzzer",
            "roles": ["partner", "media", "agency", "checker", "admin"],
            "limits": {"requests_per_minute": 100_000, "submissions_per_day": 1_000_000},
        },
        headers={"X-Api-Key": ADMIN_KEY},
        timeout=10,
    )
    key = created.json()["key"]
    # When schemathesis generates requests from the app's own OpenAPI document (bounded: examples
    # per operation, a fixed seed, a timeout; revoking keys is left out, it would revoke its own)
    run = subprocess.run(
        [
            str(Path(sys.executable).with_name("st")),
            "run",
            f"{stack.url}/v1/openapi.json",
            "--header",
            f"X-Api-Key: {key}",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,"
            "response_headers_conformance,unsupported_method,ignored_auth",
            "--max-examples",
            "12",
            "--seed",
            "20261128",
            # One worker: Python 3.11.7's ast.parse is not thread-safe (CPython gh-106905, "AST constructor
            # recursion depth mismatch"), and hypothesis parses its strategies' lambdas in each worker thread.
            "--workers",
            "1",
            "--request-timeout",
            "10",
            "--exclude-operation-id",
            "revokeKey",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
        check=False,
    )
    # Then every check passed: no 5xx, every status, type and body as documented
    assert run.returncode == 0, run.stdout[-5000:] + run.stderr[-2000:]
    assert "passed" in run.stdout


def test_an_agency_downloads_todays_export_and_checks_it_against_the_manifest(stacks: Callable[..., Stack]) -> None:
    # Given `make run`, a partner's report, and an agency key
    stack = stacks()
    partner = keyed_session(stack, "partner", partner_id="kabar-app")
    answer = partner.post(
        f"{stack.url}/v1/reports", json={"text": DEMO_HOAX, "platform": "whatsapp", "province": "31"}, timeout=10
    )
    report_id = answer.json()["id"]
    wait_for_status(partner, f"{stack.url}/v1/reports/{report_id}", {"matched"})
    agency = keyed_session(stack, "agency", partner_id="bawaslu")
    today = datetime.now(UTC).astimezone(timezone(timedelta(hours=7))).date().isoformat()
    # When it builds today's export on demand and downloads both files through the presigned links
    built = agency.post(f"{stack.url}/v1/exports/daily/{today}", timeout=30)
    assert built.status_code == 200, built.text
    export = agency.get(f"{stack.url}/v1/exports/daily/{today}", timeout=10).json()
    manifest = requests.get(export["manifest_url"], timeout=10).json()
    downloads = {item["name"]: requests.get(item["url"], timeout=10).content for item in export["files"]}
    # Then every file matches the manifest, and the report is in it
    assert {item["name"] for item in manifest["files"]} == set(downloads)
    for item in manifest["files"]:
        assert hashlib.sha256(downloads[item["name"]]).hexdigest() == item["sha256"]
        assert len(downloads[item["name"]]) == item["bytes"]
    assert report_id in downloads["reports.csv"].decode("utf-8-sig")
    assert manifest["rows"] == 1 and manifest["complete"] is False
