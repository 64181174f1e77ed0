"""The local stack as a partner uses it: over HTTP, with restarts and a busy port."""

from __future__ import annotations

import hashlib
import json
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

from tests.e2e.conftest import Stack, free_port, keyed_session, start_stack, wait_for_status

DEMO_HOAX = (
    "KPU resmi mengundurkan hari pemungutan suara ke bulan Juni karena logistik belum siap. "
    "Tidak perlu datang ke TPS tanggal 14 Februari."
)


def _submit(session: requests.Session, stack: Stack, body: dict[str, object]) -> str:
    answer = session.post(f"{stack.url}/v1/reports", json=body, timeout=10)
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


def _children(stack: Stack) -> dict[int, str]:
    """The stack's child processes, each by the module it runs."""
    pid = stack.process.pid
    children = {}
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        arguments = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        children[int(child)] = arguments[arguments.index(b"-m") + 1].decode()
    return children


def _all_gone(pids: list[int], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while any(Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def test_a_partner_submits_and_fetches_the_verdict(stacks: Callable[..., Stack]) -> None:
    # Given the stack as `make run` starts it
    stack = stacks()
    session = keyed_session(stack, "partner")
    assert requests.get(f"{stack.url}/v1/health", timeout=5).json()["status"] == "ok"
    # When a forwarded copy of a demo claim and an unknown text are reported
    copy = _submit(session, stack, {"text": "  " + DEMO_HOAX.upper(), "platform": "whatsapp", "province": "33"})
    unknown = _submit(session, stack, {"text": "Jalan di depan rumah berlubang", "platform": "x", "province": "31"})
    # Then, within seconds, the copy is matched with its verdict and the other needs review
    matched = wait_for_status(session, f"{stack.url}/v1/reports/{copy}", {"matched", "needs_review"})
    assert matched["status"] == "matched"
    assert matched["verdict"]["label"] == "HOAKS"  # type: ignore[index]
    review = wait_for_status(session, f"{stack.url}/v1/reports/{unknown}", {"matched", "needs_review"})
    assert review["status"] == "needs_review"
    # And a media outlet's lookup of a reworded excerpt finds the same demo claim
    lookup = (
        keyed_session(stack, "media", partner_id="kabar-media")
        .post(
            f"{stack.url}/v1/lookup",
            json={"text": "kpu udh mengundurkan hari pemungutan suara ke bulan juni krn logistik blm siap"},
            timeout=10,
        )
        .json()
    )
    assert lookup["matches"][0]["claim"]["id"] == matched["verdict"]["claim"]["id"]  # type: ignore[index]
    assert lookup["verdict_hint"] == "HOAKS"


def test_malformed_requests_get_problems_never_5xx(stacks: Callable[..., Stack]) -> None:
    stack = stacks("--no-demo", "--no-events")
    session = keyed_session(stack, "partner")
    cases = [
        ("GET", "/v1/nothing-here", {}, None, 404),
        ("DELETE", "/v1/reports", {}, None, 405),
        ("POST", "/v1/reports", {"Content-Type": "text/csv"}, "a,b", 415),
        ("POST", "/v1/reports", {"Content-Type": "application/json"}, "{oops", 400),
        ("POST", "/v1/reports", {"Content-Type": "application/json"}, json.dumps({"text": "x"}), 422),
        ("POST", "/v1/reports", {"Content-Type": "application/json"}, "x" * 70_000, 413),
        ("GET", "/v1/reports/rpt_%ZZ", {}, None, 404),
    ]
    for method, path, headers, body, status in cases:
        answer = session.request(method, stack.url + path, headers=headers, data=body, timeout=10)
        assert answer.status_code == status, (method, path, answer.text)
        assert answer.headers["Content-Type"] == "application/problem+json", (method, path)
    # A request line no HTTP parser accepts, and a method nobody knows
    for raw in (b"BREW /v1/health HTTP/1.1\r\nHost: x\r\n\r\n", b"\x16\x03\x01garbage\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", stack.port), timeout=5) as connection:
            connection.sendall(raw)
            status_line = connection.recv(200).split(b"\r\n", 1)[0]
        assert status_line.split()[1].startswith(b"4"), status_line


def test_reports_survive_a_restart(stacks: Callable[..., Stack], tmp_path: Path) -> None:
    # Given a checked report
    stack = stacks()
    session = keyed_session(stack, "partner")
    report_id = _submit(session, stack, {"text": DEMO_HOAX, "platform": "whatsapp", "province": "31"})
    before = wait_for_status(session, f"{stack.url}/v1/reports/{report_id}", {"matched"})
    # When the stack is stopped with Ctrl-C and started again on the same data
    assert stack.stop() == 0
    assert "snapshot saved" in stack.output()
    again = stacks(port=stack.port)
    # Then the report is there, as it was, for the same partner key
    assert "restored" in again.output()
    assert session.get(f"{again.url}/v1/reports/{report_id}", timeout=5).json() == before


def test_a_stop_refuses_new_reports_with_503_and_keeps_every_one_it_accepted(stacks: Callable[..., Stack]) -> None:
    # Given a partner submitting reports one after another on a kept-alive connection
    stack = stacks()
    session = keyed_session(stack, "partner")
    answers: list[tuple[int, str, requests.Response]] = []
    stop_sending = threading.Event()

    def keep_sending() -> None:
        for n in range(2_000):  # bounded: a few seconds of work
            if stop_sending.is_set():
                return
            body = {"text": f"Laporan nomor {n} saat berhenti", "platform": "whatsapp", "province": "31"}
            try:
                answer = session.post(f"{stack.url}/v1/reports", json=body, timeout=10)
            except requests.ConnectionError:
                return  # the stack has closed its port
            answers.append((n, answer.headers.get("Content-Type", ""), answer))

    sender = threading.Thread(target=keep_sending)
    sender.start()
    while len(answers) < 20:
        time.sleep(0.05)
    # (the emulator and the event sources each run in a process of the stack's own)
    children = _children(stack)
    assert sorted(children.values()) == ["infra.local.emulator_process", "infra.local.events_process"]
    # When Ctrl-C arrives while it keeps sending
    stack.process.send_signal(signal.SIGINT)
    assert stack.process.wait(timeout=60) == 0
    stop_sending.set()
    sender.join(timeout=30)
    assert _all_gone(list(children))  # the stack's processes stopped with it

    # Then every answer was a 202 or a 503 problem with Retry-After (a refusal, never a half answer)
    statuses = {answer.status_code for _, _, answer in answers}
    assert statuses <= {202, 503} and 503 in statuses, statuses
    for _, content_type, answer in answers:
        if answer.status_code == 503:
            assert content_type == "application/problem+json" and answer.headers["Retry-After"] == "5"
    accepted = [answer.json()["id"] for _, _, answer in answers if answer.status_code == 202]
    # And after a restart on the same data every accepted report is there
    again = stacks(port=stack.port)
    missing = [rid for rid in accepted if session.get(f"{again.url}/v1/reports/{rid}", timeout=10).status_code != 200]
    assert missing == [] and len(accepted) >= 20


def test_a_ctrl_c_while_the_stack_starts_stops_it_gracefully_once_it_is_up(tmp_path: Path) -> None:
    # Given a stack in the middle of its start: its first child process is running
    stack = start_stack(tmp_path / "data", "--no-demo", wait=False)
    try:
        deadline = time.monotonic() + 60
        while not Path(f"/proc/{stack.process.pid}/task/{stack.process.pid}/children").read_text().split():
            assert stack.process.poll() is None and time.monotonic() < deadline, stack.output()
            time.sleep(0.01)
        # When Ctrl-C arrives then
        stack.process.send_signal(signal.SIGINT)
        # Then it finishes starting and stops as after any Ctrl-C: snapshot saved, exit 0, no traceback
        assert stack.process.wait(timeout=120) == 0, stack.output()[-3000:]
    finally:
        if stack.process.poll() is None:
            stack.process.kill()
            stack.process.wait()
    assert "snapshot saved" in stack.output() and "Traceback" not in stack.output()


def test_a_sigkill_loses_nothing_that_was_answered(stacks: Callable[..., Stack]) -> None:
    # Given a stack killed moments after it accepted reports, a key, a claim and a webhook — long
    # before any periodic snapshot (the default is every 5 minutes)
    stack = stacks()
    partner = keyed_session(stack, "partner", partner_id="kabar-app")
    checker = keyed_session(stack, "checker", partner_id="cekfakta")
    accepted = [
        _submit(partner, stack, {"text": f"Laporan {n} sebelum mati listrik", "platform": "x", "province": "31"})
        for n in range(30)
    ]
    claim = {"external_id": "kill-1", "title": "Klaim sebelum mati listrik", "label": "HOAKS"}
    claim_id = checker.post(f"{stack.url}/v1/claims", json=claim, timeout=10).json()["id"]
    hook = partner.post(
        f"{stack.url}/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["report.checked"]}, timeout=10
    ).json()["id"]
    agency = keyed_session(stack, "agency", partner_id="bawaslu")
    today = _wib_today()
    built = agency.post(f"{stack.url}/v1/exports/daily/{today}", timeout=60).json()
    children = list(_children(stack))
    stack.process.kill()  # SIGKILL: no snapshot, no goodbye
    stack.process.wait(timeout=30)
    assert _all_gone(children)  # the emulator and the event sources leave when the stack is gone

    # When it starts again on the same data
    again = stacks(port=stack.port)

    # Then every report, the key that made them, the claim and the webhook are there
    assert "journaled writes" in again.output()
    for report_id in accepted:
        assert partner.get(f"{again.url}/v1/reports/{report_id}", timeout=10).status_code == 200
    assert checker.get(f"{again.url}/v1/claims/{claim_id}", timeout=10).status_code == 200
    assert partner.get(f"{again.url}/v1/webhooks/{hook}", timeout=10).status_code == 200
    # And so is the export built just before (S3 objects are journaled too), byte for byte
    export = agency.get(f"{again.url}/v1/exports/daily/{today}", timeout=10).json()
    assert [f["sha256"] for f in export["files"]] == [f["sha256"] for f in built["files"]]
    for file in export["files"]:
        body = requests.get(file["url"], timeout=10).content
        assert hashlib.sha256(body).hexdigest() == file["sha256"]
    # And reports whose check died with the process are checked now
    last = wait_for_status(partner, f"{again.url}/v1/reports/{accepted[-1]}", {"matched", "needs_review"})
    assert last["status"] == "needs_review"


def _wib_today() -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) + timedelta(hours=7)).date().isoformat()


def test_a_report_left_waiting_is_checked_after_a_restart(stacks: Callable[..., Stack]) -> None:
    # Given reports accepted while nothing consumed the events (as if the process died first)
    stack = stacks("--no-events")
    session = keyed_session(stack, "partner")
    waiting = _submit(session, stack, {"text": DEMO_HOAX, "platform": "whatsapp", "province": "31"})
    assert session.get(f"{stack.url}/v1/reports/{waiting}", timeout=5).json()["status"] == "received"
    stack.stop()
    # When the stack starts again with its events running
    again = stacks("--stale-after-seconds", "0", port=stack.port)
    # Then the sweep re-drives the report and it is checked
    body = wait_for_status(session, f"{again.url}/v1/reports/{waiting}", {"matched"})
    assert body["status"] == "matched"


def test_a_second_stack_on_a_busy_port_fails_clearly(stacks: Callable[..., Stack], tmp_path: Path) -> None:
    port = free_port()
    stacks("--no-demo", "--no-events", port=port)
    second = start_stack(tmp_path / "other", port=port, wait=False)
    assert second.process.wait(timeout=60) == 2
    assert f"port {port}" in second.output() and "busy" in second.output()


def _received_today(agency: requests.Session, stack: Stack) -> int:
    today = _wib_today()
    answer = agency.get(f"{stack.url}/v1/stats/daily", params={"from": today, "to": today}, timeout=10)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["days"][0]["total"])


def test_changes_nobody_consumed_before_a_sigkill_are_counted_after_it(stacks: Callable[..., Stack]) -> None:
    # Given reports accepted while nothing consumed the reports stream, then a SIGKILL
    stack = stacks("--no-demo", "--no-events")
    partner = keyed_session(stack, "partner", partner_id="kabar-app")
    agency = keyed_session(stack, "agency", partner_id="bawaslu")
    accepted = [
        _submit(partner, stack, {"text": f"Laporan {n} yang belum dihitung", "platform": "x", "province": "31"})
        for n in range(12)
    ]
    assert _received_today(agency, stack) == 0
    stack.process.kill()
    stack.process.wait(timeout=30)

    # When the stack starts again with its event sources
    again = stacks("--no-demo", port=stack.port)

    # Then the stream hands those changes over: every report is counted, once, and checked
    deadline = time.monotonic() + 60
    while _received_today(agency, again) < len(accepted) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _received_today(agency, again) == len(accepted)
    wait_for_status(partner, f"{again.url}/v1/reports/{accepted[-1]}", {"needs_review"})

    # And after a graceful stop and another start, nothing is handed over twice
    again.stop()
    third = stacks("--no-demo", port=stack.port)
    time.sleep(3)  # the event sources have run a few rounds
    assert _received_today(agency, third) == len(accepted)
