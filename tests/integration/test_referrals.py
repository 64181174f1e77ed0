"""Referrals through the Lambda handler: a referral's whole life, who sees what, and its evidence verified offline."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import requests
from moto.core.models import botocore_stubber

from chalicelib.domain.evidence import problems_of, public_key_verifier
from infra.local.runner import EventSourceRunner
from tests.integration.conftest import Api, body_of, make_key
from tests.webhook_receiver import webhook_receiver

ROOT = Path(__file__).resolve().parents[2]
HOAX = "Serangan fajar: caleg nomor 3 membagikan amplop berisi uang di TPS 12 Kelurahan Sukamaju, sebarkan!"


@pytest.fixture
def decided_case(api: Api, checker: Api, partner: Api, runner: EventSourceRunner) -> str:
    """A case of two reports (one with a contact), decided by a fact-checker."""
    partner.submit({"text": HOAX, "platform": "whatsapp", "province": "32", "reporter": {"contact": "0812-7777-1111"}})
    partner.submit({"text": HOAX, "platform": "facebook", "province": "32"})
    runner.drain()
    case = body_of(checker.http.get("/v1/cases"))["cases"][0]
    taken = body_of(checker.http.post(f"/v1/cases/{case['id']}/review", body={"version": case["version"]}))
    verdict = {
        "version": taken["version"],
        "label": "HOAKS",
        "summary": "Tidak ada pembagian amplop di TPS 12; video itu rekaman acara lain.",
        "fact_check_url": "https://cekfakta.example/amplop",
        "title": "Caleg membagikan amplop di TPS",
    }
    body_of(checker.http.post(f"/v1/cases/{case['id']}/verdict", body=verdict), 202)
    runner.drain()
    return str(case["id"])


def _agency(api: Api, partner_id: str) -> Api:
    return api.as_key(make_key("agency", partner_id=partner_id))


def _download(url: str) -> bytes:
    answer = botocore_stubber.process_prepared_request(requests.Request("GET", url).prepare())
    assert answer is not None and answer[0] == 200, answer
    return bytes(answer[2]) if isinstance(answer[2], bytes) else str(answer[2]).encode("latin-1")


def test_a_referral_lives_from_sent_to_closed_moved_only_by_its_agency(
    api: Api, checker: Api, decided_case: str, runner: EventSourceRunner
) -> None:
    bawaslu, polri = _agency(api, "bawaslu"), _agency(api, "polri")
    with webhook_receiver() as receiver:
        body_of(
            bawaslu.http.post("/v1/webhooks", body={"url": receiver.url, "events": ["referral.status_changed"]}), 201
        )
        # A fact-checker refers the case to Bawaslu
        request = {"agency": "bawaslu", "category": "politik_uang", "note": "Dugaan politik uang di TPS 12."}
        referral = body_of(checker.http.post(f"/v1/cases/{decided_case}/referrals", body=request), 201)
        assert referral["status"] == "sent" and referral["category_label"] == "Politik uang"
        path = f"/v1/referrals/{referral['id']}"
        # Only Bawaslu sees and moves it; the police get a 404 as for a referral that does not exist
        assert polri.http.get(path).status_code == 404
        assert polri.http.post(f"{path}/status", body={"status": "acknowledged"}).status_code == 404
        assert body_of(polri.http.get("/v1/referrals"))["referrals"] == []
        assert checker.http.post(f"{path}/status", body={"status": "acknowledged"}).status_code == 403
        # Skipping a step, or closing without an outcome, is refused naming the field
        skipped = bawaslu.http.post(f"{path}/status", body={"status": "in_process"})
        assert body_of(skipped, 422)["errors"][0]["field"] == "status"
        for status in ("acknowledged", "in_process"):
            assert body_of(bawaslu.http.post(f"{path}/status", body={"status": status}))["status"] == status
        unexplained = bawaslu.http.post(f"{path}/status", body={"status": "closed"})
        assert body_of(unexplained, 422)["errors"][0]["field"] == "outcome"
        closed = body_of(
            bawaslu.http.post(f"{path}/status", body={"status": "closed", "outcome": "Diteruskan ke Gakkumdu."})
        )
        assert [change["status"] for change in closed["history"]] == ["sent", "acknowledged", "in_process", "closed"]
        assert closed["outcome"] == "Diteruskan ke Gakkumdu."
        assert bawaslu.http.post(f"{path}/status", body={"status": "closed"}).status_code == 422
        # Each change reached the agency's webhook and the audit trail
        runner.drain()
        events = [json.loads(received.body) for received in receiver.wait_for(3)]
        assert [e["type"] for e in events] == ["referral.status_changed"] * 3 and "report" not in events[0]
        assert {e["referral"]["status"] for e in events} == {"acknowledged", "in_process", "closed"}  # any order
    admin = api.as_key(make_key("admin", partner_id="ops"))
    trail = body_of(admin.http.get(f"/v1/audit?target={referral['id']}"))["entries"]
    assert [e["action"] for e in reversed(trail)] == ["referral.created"] + ["referral.status_changed"] * 3
    # Statistics count referrals per agency and category; the lists filter by status
    assert body_of(checker.http.get("/v1/stats/referrals")) == {"agencies": {"bawaslu": {"politik_uang": 1}}}
    assert body_of(bawaslu.http.get("/v1/stats/referrals")) == {"agencies": {"bawaslu": {"politik_uang": 1}}}
    assert body_of(polri.http.get("/v1/stats/referrals")) == {"agencies": {}}
    assert [r["id"] for r in body_of(checker.http.get("/v1/referrals?status=closed"))["referrals"]] == [referral["id"]]
    assert body_of(bawaslu.http.get("/v1/referrals?status=sent"))["referrals"] == []


def test_a_referral_names_a_known_agency_and_one_of_its_categories(api: Api, checker: Api, decided_case: str) -> None:
    _agency(api, "bawaslu")
    path = f"/v1/cases/{decided_case}/referrals"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"agency": "kominfo", "category": "pelanggaran_lain", "note": "x"}, "agency"),  # no agency key: unknown
        ({"agency": "bawaslu", "category": "penipuan", "note": "x"}, "category"),  # the police's category
        ({"agency": "bawaslu", "category": "politik_uang", "note": ""}, "note"),
    ]
    for request, field in cases:
        assert body_of(checker.http.post(path, body=request), 422)["errors"][0]["field"] == field
    assert (
        checker.http.post(
            "/v1/cases/case_" + "0" * 26 + "/referrals", body=cases[1][0] | {"category": "politik_uang"}
        ).status_code
        == 404
    )
    # Another agency an admin gave a key is referred to with the general category
    _agency(api, "kominfo")
    assert checker.http.post(path, body=cases[0][0]).status_code == 201


def test_the_evidence_package_verifies_offline_and_any_change_is_seen(
    api: Api, checker: Api, decided_case: str, tmp_path: Path
) -> None:
    bawaslu = _agency(api, "bawaslu")
    request = {"agency": "bawaslu", "category": "politik_uang", "note": "Dugaan politik uang."}
    referral = body_of(checker.http.post(f"/v1/cases/{decided_case}/referrals", body=request), 201)
    package = body_of(bawaslu.http.get(f"/v1/referrals/{referral['id']}/evidence"))
    data = _download(package["url"])
    assert len(data) == package["bytes"]
    key = body_of(api.as_key(None).http.get("/v1/evidence-key"))
    assert key["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----") and key["key_id"] == package["key_id"]
    verify = public_key_verifier(key["public_key_pem"].encode())
    # Whole: every file the manifest lists, each as signed
    assert problems_of(data, verify) == []
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    assert {"referral.json", "case.json", "reports.jsonl", "verdict.json", "fact_check.json", "audit.jsonl"} <= names
    reports = [json.loads(line) for line in archive.read("reports.jsonl").splitlines()]
    assert len(reports) == 2 and {r["platform"] for r in reports} == {"whatsapp", "facebook"}
    assert b"0812-7777-1111" not in data and "0812" not in json.dumps(reports)  # never a reporter's contact
    assert json.loads(archive.read("verdict.json"))["label"] == "HOAKS"
    assert "verdict.published" in archive.read("audit.jsonl").decode()
    # The 20-line script agrees, with the key as anyone would save it
    (tmp_path / "key.pem").write_text(key["public_key_pem"])
    (tmp_path / "package.zip").write_bytes(data)
    script = [
        sys.executable,
        str(ROOT / "tools" / "verify_evidence.py"),
        str(tmp_path / "package.zip"),
        str(tmp_path / "key.pem"),
    ]
    assert subprocess.run(script, capture_output=True, text=True, check=False).returncode == 0
    # One byte changed in a file, one file removed, one added, the manifest edited: each is seen
    for name, changed in _tampered(data).items():
        assert problems_of(changed, verify), name
        (tmp_path / "tampered.zip").write_bytes(changed)
        script[2] = str(tmp_path / "tampered.zip")
        assert subprocess.run(script, capture_output=True, text=True, check=False).returncode != 0, name
    # Asked again, the same package (built once per change of the referral)
    again = body_of(bawaslu.http.get(f"/v1/referrals/{referral['id']}/evidence"))
    assert again["sha256"] == package["sha256"]
    assert _agency(api, "polri").http.get(f"/v1/referrals/{referral['id']}/evidence").status_code == 404


def _tampered(data: bytes) -> dict[str, bytes]:
    """The package with one thing changed each: a byte of a file, a file removed, a file added, the manifest."""
    source = zipfile.ZipFile(io.BytesIO(data))
    files = {name: source.read(name) for name in source.namelist()}

    def rezip(entries: dict[str, bytes]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, body in entries.items():
                archive.writestr(name, body)
        return out.getvalue()

    reports = files["reports.jsonl"]
    flipped = reports[:10] + bytes([reports[10] ^ 1]) + reports[11:]
    manifest = files["manifest.json"].replace(b'"bytes"', b'"bytes" ', 1)
    return {
        "a byte of reports.jsonl": rezip({**files, "reports.jsonl": flipped}),
        "audit.jsonl removed": rezip({k: v for k, v in files.items() if k != "audit.jsonl"}),
        "a file added": rezip({**files, "catatan.txt": b"tambahan"}),
        "the manifest edited": rezip({**files, "manifest.json": manifest}),
    }
