"""make soak: a busy election day on the local stack, with crashes — does it keep everything it accepted?

Four partner clients submit reports (each retried with its Idempotency-Key on a connection error
or a 503, as a careful partner does) while the stack is killed with SIGKILL several times and
stopped with Ctrl-C once, each time restarted on the same data directory. Then it waits for every
report to be checked, and counts what was lost, what is stuck, and what is counted twice.

Everything runs on 127.0.0.1, bounded in count and time, and stops by itself. It prints a table
and exits 1 when a report answered 202 is gone, a report is still waiting, a case counts more
reports than it has, the statistics count other than the reports there are, a partner key
stopped working, or the stack's log holds a traceback.

    python -m bench.soak                        # 10,000 reports, 5 SIGKILLs, 1 Ctrl-C (make soak)
    python -m bench.soak --reports 1000 --kills 2   # the short run make bench does
    python -m bench.soak --held 100000          # memory, restart and write cost with that many reports held

``--held`` grows a stopped stack's snapshot to that many reports (copies of a real one, each with
two statistics markers, as a busy day leaves them), restarts on it, and
compares a sample of submissions with the same sample on the empty stack.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from infra.local.harness import free_port

ROOT = Path(__file__).resolve().parents[1]
ADMIN_KEY = "saring_soakadminkey2345_" + "soak0admin0key0for0the0bench"
CASES = 400  # distinct texts: reports of one text are one case
SETTLE_SECONDS = 60.0  # every report must be checked this long after the last submission
DRAIN_SECONDS = 600.0  # how long the soak waits for the rest, to count the cases exactly
RESTART_TIMEOUT = 180.0


@dataclass
class Stack:
    """The local stack in a subprocess, restarted on the same port and data."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None
    log_parts: list[Path] = field(default_factory=list)
    peak_rss_mb: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        """Start and wait until it answers; returns the seconds it took."""
        started = time.monotonic()
        log = self.data_dir.parent / f"stack-{len(self.log_parts)}.log"
        self.log_parts.append(log)
        environment = {k: v for k, v in os.environ.items() if not k.startswith("SARING_")}
        environment.update({"PYTHONUNBUFFERED": "1", "SARING_DEMO_KEY": ADMIN_KEY})
        command = [sys.executable, "-m", "infra.local", "--port", str(self.port), "--data-dir", str(self.data_dir)]
        command += ["--smtp-port", "0"]  # any free one: a `make run` may hold 2525
        with log.open("w") as out:
            self.process = subprocess.Popen(  # a session of its own: killed as a whole, like a terminal's job
                command,
                cwd=ROOT,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
        while time.monotonic() - started < RESTART_TIMEOUT:
            if self.process.poll() is not None:
                raise RuntimeError(f"the stack exited while starting; see {log}")
            try:
                if requests.get(f"{self.url}/v1/health", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the stack did not start within {RESTART_TIMEOUT:.0f} s; see {log}")

    def sample_memory(self) -> float:
        """The stack's resident memory in MB now (its process and the emulator's, summed); keeps the peak."""
        if self.process is None or self.process.poll() is not None:
            return 0.0
        total_kb = 0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            total_kb += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        self.peak_rss_mb = max(self.peak_rss_mb, total_kb / 1024)
        return total_kb / 1024

    def kill(self) -> None:
        """SIGKILL to every process of the stack at once (the API's and the emulator's)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self, timeout: float = 120) -> None:
        """Ctrl-C, as a terminal sends it: to every process of the stack."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(timeout=timeout)

    def tracebacks(self) -> int:
        return sum(part.read_text(errors="replace").count("Traceback") for part in self.log_parts if part.exists())

    def show_tracebacks(self) -> None:
        """When the logs hold a traceback: print the first, and keep the logs."""
        if self.tracebacks():
            print("The stack's first traceback:\n" + self.first_traceback(), file=sys.stderr, flush=True)
            print(f"The stack's logs are kept in {self.keep_logs()}", file=sys.stderr, flush=True)

    def keep_logs(self, into: Path = ROOT / "build" / "soak-logs") -> Path:
        """Copy the stack's logs out of the data folder, which goes when the soak ends; returns where."""
        kept = into / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept.mkdir(parents=True, exist_ok=True)
        for part in self.log_parts:
            if part.exists():
                shutil.copy2(part, kept / part.name)
        return kept

    def first_traceback(self) -> str:
        """The first traceback in the logs, to its exception's line (the data directory is gone
        once the soak ends). One logged as JSON is one line with its newlines escaped."""
        for part in self.log_parts:
            text = part.read_text(errors="replace") if part.exists() else ""
            if "Traceback" in text:
                lines = text[text.index("Traceback") :].replace("\\n", "\n").splitlines()
                end = next((n for n, line in enumerate(lines[1:], 1) if not line.startswith(" ")), len(lines) - 1)
                return "\n".join(lines[: end + 1])
        return ""


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@dataclass
class Tally:
    accepted: dict[int, str] = field(default_factory=dict)  # report number → id answered 202
    retries: int = 0
    seconds: list[float] = field(default_factory=list)  # how long each 202 took
    lock: threading.Lock = field(default_factory=threading.Lock)


def _key(stack: Stack, roles: list[str], partner_id: str) -> str:
    answer = requests.post(
        f"{stack.url}/v1/keys",
        # Allowances above what the soak sends: a submission cut off by a SIGKILL still counts
        json={
            "partner_id": partner_id,
            "roles": roles,
            "limits": {"requests_per_minute": 100_000, "submissions_per_day": 1_000_000},
        },
        headers={"X-Api-Key": ADMIN_KEY},
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["key"])


def _submit_all(stack: Stack, key: str, numbers: list[int], tally: Tally, deadline: float) -> None:
    """One client: each report until it is answered 202, retried with its Idempotency-Key."""
    session = requests.Session()
    session.headers.update({"X-Api-Key": key, "Content-Type": "application/json"})
    for number in numbers:
        body = {
            "text": f"Pesan berantai soak nomor {number % CASES}: TPS dipindah",
            "platform": "whatsapp",
            "province": "31",
        }
        while time.monotonic() < deadline:
            sent = time.monotonic()
            try:
                answer = session.post(
                    f"{stack.url}/v1/reports", json=body, headers={"Idempotency-Key": f"soak-{number}"}, timeout=30
                )
            except requests.RequestException:
                answer = None
            if answer is not None and answer.status_code == 202:
                with tally.lock:
                    tally.accepted[number] = str(answer.json()["id"])
                    tally.seconds.append(time.monotonic() - sent)
                break
            with tally.lock:
                tally.retries += 1
            time.sleep(0.2 if answer is None else min(5.0, float(answer.headers.get("Retry-After", "0.2"))))


def run(reports: int, clients: int, *, kills: int, graceful: int, data_dir: Path, max_minutes: float) -> dict[str, Any]:
    stack = Stack(data_dir / "data")
    deadline = time.monotonic() + max_minutes * 60
    restarts: list[float] = [stack.start()]
    partner_key = _key(stack, ["partner"], "soak-app")
    checker_key = _key(stack, ["checker"], "soak-checker")
    agency_key = _key(stack, ["agency"], "soak-agency")
    tally = Tally()
    numbers = list(range(reports))
    threads = [
        threading.Thread(target=_submit_all, args=(stack, partner_key, numbers[n::clients], tally, deadline))
        for n in range(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    # Interruptions spread over the run: SIGKILLs, and one Ctrl-C in the middle of them
    interruptions = ["kill"] * kills
    for n in range(graceful):
        interruptions.insert(len(interruptions) // 2 + n, "stop")
    keys_lost = 0
    for position, kind in enumerate(interruptions, start=1):
        while len(tally.accepted) < reports * position // (len(interruptions) + 1) and time.monotonic() < deadline:
            stack.sample_memory()
            time.sleep(0.2)
        stack.kill() if kind == "kill" else stack.stop()
        restarts.append(stack.start())
        still = requests.get(f"{stack.url}/v1/webhooks", headers={"X-Api-Key": partner_key}, timeout=30)
        keys_lost += still.status_code != 200
    while any(thread.is_alive() for thread in threads):
        stack.sample_memory()
        time.sleep(0.5)
    submitted_in = time.monotonic() - started
    last_submission = datetime.now(UTC)
    lost, checked_at, by_case = _settle(stack, partner_key, tally)
    moments = [checked_at.get(report_id) for report_id in tally.accepted.values()]
    waiting = sum(1 for at in moments if at is None or (at - last_submission).total_seconds() > SETTLE_SECONDS)
    checked_in = max(((at - last_submission).total_seconds() for at in moments if at), default=0.0)
    over_counted = _over_counted(stack, checker_key, by_case)
    stats_off = _statistics_off(stack, agency_key, len(tally.accepted) - lost)
    stack.sample_memory()
    stack.stop()
    stack.show_tracebacks()
    return {
        "reports answered 202": len(tally.accepted),
        "answered 202, then gone (GET 404)": lost,
        f"still waiting {SETTLE_SECONDS:.0f} s after the last submission": waiting,
        "cases counting more reports than they have": over_counted,
        "reports the statistics miscount (received today)": stats_off,
        "partner keys lost": keys_lost,
        "tracebacks in the stack's log": stack.tracebacks(),
        "client retries (connection errors, 503s)": tally.retries,
        "throughput, reports/s accepted (restarts included)": round(len(tally.accepted) / submitted_in, 1),
        "submission p50 / p95, ms": "{:.0f} / {:.0f}".format(*_percentiles(tally.seconds, 0.5, 0.95)),
        "seconds until every report was checked": round(checked_in, 1),
        "restart seconds (slowest)": round(max(restarts[1:] or [0]), 1),
        "stack RSS, MB (peak)": round(stack.peak_rss_mb),
    }


def _percentiles(seconds: list[float], *fractions: float) -> list[float]:
    """The given percentiles, in milliseconds (0 when there is nothing)."""
    ordered = sorted(seconds) or [0.0]
    return [1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] for fraction in fractions]


def _settle(stack: Stack, key: str, tally: Tally) -> tuple[int, dict[str, datetime], dict[str, int]]:
    """Poll every accepted report until it is checked (or DRAIN_SECONDS pass).

    Returns (gone, when each report was checked, reports per case). A round of polls over 10,000
    reports takes about a minute, so the moment is the report's own ``checked_at``, not the poll's.
    (It had been read from the stack's log, where a SIGKILL between a check's write and its log line
    left a poll's moment, a minute or more late, in its place.)
    """
    session = requests.Session()
    session.headers["X-Api-Key"] = key
    pending = dict(tally.accepted)
    lost = 0
    seen_checked: dict[str, datetime] = {}
    case_of: dict[int, str] = {}
    started = time.monotonic()

    def poll(report_id: str) -> dict[str, Any] | None:
        """The report, None when it is gone; a refused read (429, 503) reads as still waiting."""
        answer = session.get(f"{stack.url}/v1/reports/{report_id}", timeout=30)
        if answer.status_code == 404:
            return None
        return dict(answer.json()) if answer.status_code == 200 else {"status": "received"}

    with ThreadPoolExecutor(max_workers=8) as pool:
        while pending and time.monotonic() - started < DRAIN_SECONDS:
            numbers = list(pending)
            for number, body in zip(numbers, pool.map(poll, [pending[n] for n in numbers]), strict=True):
                if body is None:
                    lost += 1
                    del pending[number]
                    continue
                if body.get("case_id"):
                    case_of[number] = body["case_id"]
                if body["status"] not in ("received", "checking"):
                    # The report's own moment; a poll's (later) only for a report stored without one
                    moment = body.get("checked_at")
                    seen_checked[pending.pop(number)] = datetime.fromisoformat(moment) if moment else datetime.now(UTC)
            stack.sample_memory()
            if pending:
                time.sleep(1.0)
    by_case: dict[str, int] = {}
    for case_id in case_of.values():
        by_case[case_id] = by_case.get(case_id, 0) + 1
    return lost, seen_checked, by_case


def _over_counted(stack: Stack, key: str, by_case: dict[str, int]) -> int:
    over = 0
    for case_id, reports in by_case.items():
        case = requests.get(f"{stack.url}/v1/cases/{case_id}", headers={"X-Api-Key": key}, timeout=30).json()
        over += int(case["seen_count"]) > reports
    return over


def _statistics_off(stack: Stack, key: str, reports: int) -> int:
    """How far the statistics' count of reports received is from the reports there are.

    Counted over yesterday and today (WIB), so a soak across midnight counts every report once.
    Statistics follow the stream, so this waits (up to a minute) for them to catch up.
    """
    today = (datetime.now(UTC) + timedelta(hours=7)).date()
    span = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}
    deadline = time.monotonic() + 60
    while True:
        days = requests.get(f"{stack.url}/v1/stats/daily", params=span, headers={"X-Api-Key": key}, timeout=30)
        counted = sum(int(day["total"]) for day in days.json()["days"])
        if counted == reports or time.monotonic() > deadline:
            return abs(counted - reports)
        time.sleep(1.0)


BASE32 = "abcdefghijklmnopqrstuvwxyz234567"  # the alphabet of report ids
SAMPLE = 300  # submissions timed on the empty stack and again with the reports held
HELD_STOP_SECONDS = 900.0  # a Ctrl-C snapshots everything held first


def _sample(stack: Stack, key: str, label: str) -> dict[str, float]:
    """SAMPLE submissions one after another: their latency, and how long until all were checked."""
    session = requests.Session()
    session.headers.update({"X-Api-Key": key, "Content-Type": "application/json"})
    latencies, ids = [], []
    for number in range(SAMPLE):
        body = {"text": f"Pesan berantai {label} nomor {number}: TPS dipindah", "platform": "x", "province": "31"}
        started = time.perf_counter()
        answer = session.post(f"{stack.url}/v1/reports", json=body, headers={"Idempotency-Key": f"{label}-{number}"})
        latencies.append(time.perf_counter() - started)
        answer.raise_for_status()
        ids.append(str(answer.json()["id"]))
    submitted = time.monotonic()
    while ids and time.monotonic() - submitted < DRAIN_SECONDS:
        ids = [
            i for i in ids if session.get(f"{stack.url}/v1/reports/{i}").json()["status"] in ("received", "checking")
        ]
        time.sleep(0.5 if ids else 0)
    p50, p95 = _percentiles(latencies, 0.5, 0.95)
    return {
        "p50": p50,
        "p95": p95,
        "checked": time.monotonic() - submitted if not ids else float("inf"),
    }


def _grow_snapshot(snapshot: Path, reports: int) -> None:
    """Add ``reports`` copies of a real report to a saved snapshot, each with what a report leaves
    beside it: two statistics markers."""
    tables = snapshot / "tables"
    lines = {name: (tables / f"{name}.jsonl").read_text().splitlines() for name in ("reports", "stats")}
    report = json.loads(next(line for line in lines["reports"] if '"case_id"' in line))
    marker = json.loads(next(line for line in lines["stats"] if '"applied#' in line))
    with (
        (tables / "reports.jsonl").open("a") as report_out,
        (tables / "stats.jsonl").open("a") as marker_out,
    ):
        for number in range(reports):
            text = f"Pesan lama nomor {number}: {report['text']['S']}"
            report_id = "rpt_held" + "".join(BASE32[(number >> (5 * place)) & 31] for place in range(22))
            report_out.write(json.dumps({**report, "id": {"S": report_id}, "text": {"S": text}}) + "\n")
            for change in ("a", "b"):
                marker_out.write(json.dumps({**marker, "partition": {"S": f"applied#held{number}{change}"}}) + "\n")
    manifest = json.loads((snapshot / "manifest.json").read_text())
    for name, per_report in (("reports", 1), ("stats", 2)):
        manifest["tables"][name] += reports * per_report
    (snapshot / "manifest.json").write_text(json.dumps(manifest, indent=2))


def held(reports: int, data_dir: Path) -> dict[str, Any]:
    """Memory, restart time and write cost with ``reports`` held, beside the same on the empty stack."""
    stack = Stack(data_dir / "data")
    stack.start()
    empty_rss = stack.sample_memory()
    key = _key(stack, ["partner"], "held-app")
    empty = _sample(stack, key, "empty")
    stack.stop()
    _grow_snapshot(stack.data_dir / "snapshot", reports)
    restart = stack.start()
    full_rss = stack.sample_memory()
    full = _sample(stack, key, "full")
    stack.sample_memory()
    stopped = time.monotonic()
    stack.stop(timeout=HELD_STOP_SECONDS)
    stack.show_tracebacks()
    return {
        "reports held": (0, reports),
        "stack RSS after start, MB": (round(empty_rss), round(full_rss)),
        "stack RSS peak, MB": ("", round(stack.peak_rss_mb)),
        "restart seconds": ("", round(restart, 1)),
        "Ctrl-C stop seconds (snapshot included)": ("", round(time.monotonic() - stopped, 1)),
        f"submission p50 ms ({SAMPLE}, one client)": (round(empty["p50"], 1), round(full["p50"], 1)),
        "submission p95 ms": (round(empty["p95"], 1), round(full["p95"], 1)),
        f"seconds until the {SAMPLE} were checked": (round(empty["checked"], 1), round(full["checked"], 1)),
        "stack log tracebacks": ("", stack.tracebacks()),
    }


def print_table(result: dict[str, Any], target: dict[str, str]) -> None:
    print(f"  {'measure':<58} {'result':>10}   target")
    for name, value in result.items():
        print(f"  {name:<58} {value!s:>10}   {target.get(name, '')}")


TARGETS = {
    "answered 202, then gone (GET 404)": "0",
    "reports the statistics miscount (received today)": "0",
    f"still waiting {SETTLE_SECONDS:.0f} s after the last submission": "0",
    "cases counting more reports than they have": "0",
    "partner keys lost": "0",
    "tracebacks in the stack's log": "0",
    "throughput, reports/s accepted (restarts included)": "≥ 50",
    "restart seconds (slowest)": "≤ 30 at 100,000 reports",
    "stack RSS, MB (peak)": "≤ 1,536 at 100,000 reports",
}
MUST_BE_ZERO = [name for name, target in TARGETS.items() if target == "0"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--graceful", type=int, default=1)
    parser.add_argument("--max-minutes", type=float, default=45.0, help="stops submitting after this")
    parser.add_argument("--held", type=int, default=0, help="instead: memory, restart, cost with this many held")
    args = parser.parse_args(argv)
    if args.held:
        return _main_held(args.held)
    with tempfile.TemporaryDirectory(prefix="saring-soak-") as folder:
        print(
            f"Soak: {args.reports:,} reports from {args.clients} clients, {args.kills} SIGKILLs and "
            f"{args.graceful} Ctrl-C, restarts on the same data (127.0.0.1 only)",
            flush=True,
        )
        result = run(
            args.reports,
            args.clients,
            kills=args.kills,
            graceful=args.graceful,
            data_dir=Path(folder),
            max_minutes=args.max_minutes,
        )
    print_table(result, TARGETS)
    failed = [name for name in MUST_BE_ZERO if result[name]]
    print("  verdict: " + ("nothing lost, stuck or over-counted" if not failed else "FAILED: " + "; ".join(failed)))
    print(json.dumps({"soak": result}))
    return 1 if failed else 0


HELD_TARGETS = {
    "stack RSS after start, MB": "≤ 1,536 at 100,000",
    "stack RSS peak, MB": "≤ 1,536 at 100,000",
    "restart seconds": "≤ 30 at 100,000",
    "submission p50 ms (300, one client)": "flat",
    "seconds until the 300 were checked": "flat",
    "stack log tracebacks": "0",
}


def _main_held(reports: int) -> int:
    print(f"Held: the local stack empty, then restarted holding {reports:,} reports (127.0.0.1 only)", flush=True)
    with tempfile.TemporaryDirectory(prefix="saring-held-") as folder:
        result = held(reports, Path(folder))
    print(f"  {'measure':<44} {'empty':>8} {'held':>8}   target")
    for name, (empty, full) in result.items():
        print(f"  {name:<44} {empty!s:>8} {full!s:>8}   {HELD_TARGETS.get(name, '')}")
    print(json.dumps({"held": result}))
    return 1 if result["stack log tracebacks"][1] else 0


if __name__ == "__main__":
    sys.exit(main())
