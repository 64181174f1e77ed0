"""A fact-checker on the running stack: the queue, a decision, every report and a later copy carrying it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.e2e.conftest import Stack, keyed_session, wait_for_status

NEW_HOAX = (
    "Diteruskan!! Petugas KPPS di Semarang disuruh mencoblos sisa surat suara untuk paslon tertentu "
    "setelah TPS tutup jam 1 siang. SEBARKAN sebelum dihapus!!"
)


def test_a_checker_decides_a_case_and_every_copy_carries_the_verdict(stacks: Callable[..., Stack]) -> None:
    # Given `make run`, and a partner that reports a hoax nobody has debunked yet, three times
    stack = stacks()
    partner = keyed_session(stack, "partner", partner_id="kabar-app")
    checker = keyed_session(stack, "checker", partner_id="cekfakta")
    report_ids = []
    for platform in ("whatsapp", "facebook", "tiktok"):
        answer = partner.post(
            f"{stack.url}/v1/reports", json={"text": NEW_HOAX, "platform": platform, "province": "33"}, timeout=10
        )
        assert answer.status_code == 202, answer.text
        report_ids.append(answer.json()["id"])
    for report_id in report_ids:
        assert wait_for_status(partner, f"{stack.url}/v1/reports/{report_id}", {"needs_review"})["status"] == (
            "needs_review"
        )

    # When a fact-checker lists the queue, takes the top case and decides it
    queue = checker.get(f"{stack.url}/v1/cases?status=open", timeout=10).json()
    top = queue["cases"][0]
    assert top["seen_count"] == 3 and top["sample_text"] == NEW_HOAX
    assert {c["name"] for c in top["priority"]["components"]} == {"spread", "election", "risk", "suggestion"}
    taken = checker.post(f"{stack.url}/v1/cases/{top['id']}/review", json={"version": top["version"]}, timeout=10)
    assert taken.status_code == 200, taken.text
    decided = checker.post(
        f"{stack.url}/v1/cases/{top['id']}/verdict",
        json={
            "version": taken.json()["version"],
            "label": "HOAKS",
            "summary": "KPU Kota Semarang membantah: sisa surat suara disegel dan dihitung di depan saksi.",
            "fact_check_url": "https://cekfakta.example/kpps-semarang",
            "title": "Petugas KPPS Semarang mencoblos sisa surat suara",
        },
        timeout=10,
    )
    assert decided.status_code == 202, decided.text

    # Then every report of the case carries the verdict, as the checker sees the case and the partner its reports
    case = _wait_for_case(checker, f"{stack.url}/v1/cases/{top['id']}")
    assert case["progress"] == {"version": 2, "reports_updated": 3, "done": True}
    listed = checker.get(f"{stack.url}/v1/cases/{top['id']}/reports", timeout=10).json()["reports"]
    assert sorted(r["id"] for r in listed) == sorted(report_ids)
    assert {(r["status"], r["verdict"]["label"]) for r in listed} == {("reviewed", "HOAKS")}
    for report_id in report_ids:
        assert partner.get(f"{stack.url}/v1/reports/{report_id}", timeout=10).json()["verdict"]["label"] == "HOAKS"

    # And a later copy of the same text carries it on its own
    later = partner.post(
        f"{stack.url}/v1/reports", json={"text": NEW_HOAX, "platform": "x", "province": "33"}, timeout=10
    ).json()["id"]
    report = wait_for_status(partner, f"{stack.url}/v1/reports/{later}", {"reviewed", "matched"})
    assert report["status"] == "reviewed"
    verdict = report["verdict"]
    assert isinstance(verdict, dict) and verdict["decided_by"] == "cekfakta"
    assert report["case_id"] == top["id"]


def _wait_for_case(session: Any, url: str, timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        case = dict(session.get(url, timeout=5).json())
        if (case.get("progress") or {}).get("done") or time.monotonic() > deadline:
            return case
        time.sleep(0.2)
