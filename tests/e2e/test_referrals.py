"""A referral on the local stack over HTTP: a demo case to Bawaslu, moved by Bawaslu's key, its package verified."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import requests

from tests.e2e.conftest import ROOT, Stack, keyed_session, wait_for_status


def test_a_case_is_referred_to_bawaslu_closed_by_bawaslu_and_its_evidence_verifies_offline(
    stacks: Callable[..., Stack], tmp_path: Path
) -> None:
    stack = stacks()
    partner = keyed_session(stack, "partner", partner_id="kabar-app")
    checker = keyed_session(stack, "checker", partner_id="cekfakta")
    bawaslu = keyed_session(stack, "agency", partner_id="bawaslu")
    # A hoax reported twice: its case is matched or waits; either way, a case to refer
    text = "Serangan fajar: caleg membagikan amplop berisi uang kepada pemilih di TPS 7 Desa Mekarsari, sebarkan!"
    ids = [
        partner.post(
            f"{stack.url}/v1/reports", json={"text": text, "platform": p, "province": "32"}, timeout=10
        ).json()["id"]
        for p in ("whatsapp", "facebook")
    ]
    report = wait_for_status(partner, f"{stack.url}/v1/reports/{ids[0]}", {"matched", "needs_review"})
    case_id = report["case_id"]
    # The fact-checker refers it to Bawaslu for money politics
    request = {"agency": "bawaslu", "category": "politik_uang", "note": "Dugaan politik uang; video dan dua laporan."}
    answer = checker.post(f"{stack.url}/v1/cases/{case_id}/referrals", json=request, timeout=10)
    assert answer.status_code == 201, answer.text
    referral = answer.json()
    # Bawaslu acknowledges, handles and closes it with its own key
    for change in (
        {"status": "acknowledged"},
        {"status": "in_process"},
        {"status": "closed", "outcome": "Diteruskan."},
    ):
        moved = bawaslu.post(f"{stack.url}/v1/referrals/{referral['id']}/status", json=change, timeout=10)
        assert moved.status_code == 200, moved.text
    assert checker.get(f"{stack.url}/v1/referrals/{referral['id']}", timeout=10).json()["status"] == "closed"
    # It downloads the package and checks it offline with the published key, as the README shows
    package = bawaslu.get(f"{stack.url}/v1/referrals/{referral['id']}/evidence", timeout=30).json()
    (tmp_path / "package.zip").write_bytes(requests.get(package["url"], timeout=30).content)
    (tmp_path / "key.pem").write_text(requests.get(f"{stack.url}/v1/evidence-key", timeout=10).json()["public_key_pem"])
    verify = ["make", "-s", "verify-evidence", f"FILE={tmp_path / 'package.zip'}", f"KEY={tmp_path / 'key.pem'}"]
    done = subprocess.run(verify, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and "valid:" in done.stdout, done.stdout + done.stderr
    # One changed byte in the ZIP fails it
    data = bytearray((tmp_path / "package.zip").read_bytes())
    data[100] ^= 0xFF
    (tmp_path / "package.zip").write_bytes(bytes(data))
    failed = subprocess.run(verify, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert failed.returncode != 0
    # And today's audit trail, referral included, is whole
    today = requests.get(f"{stack.url}/v1/audit/verify", params={"day": referral["created_at"][:10]}, timeout=10)
    assert today.status_code == 401  # an agency's or admin's key is needed
    check = bawaslu.get(f"{stack.url}/v1/audit/verify", params={"day": _wib_day()}, timeout=10).json()
    assert check["intact"] and check["entries"] >= 5, check


def _wib_day() -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(hours=7)).date().isoformat()
