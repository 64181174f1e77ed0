"""How fresh matching is on the local stack, over HTTP: a claim written → found by lookups; an open
case a new claim answers → decided, its reports carrying the verdict.

The stack runs in a subprocess on loopback with a data directory of its own (``make run``'s code
paths: the claims stream, the change sets in the emulator's S3, each container's pointer read every
``SARING_INDEX_REFRESH_SECONDS``). Claims are written one at a time, a random fraction of a second
apart, so they land anywhere in the refresh period. Bounded: ``--claims`` of each (20 by default),
each waited for at most a minute.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import requests

from bench.soak import Stack, _key

TARGET_FOUND_P95_S = 5.0
TARGET_DECIDED_P95_S = 10.0
WAIT_S = 60.0
WORDS = (
    "warga desa menolak pembangunan pabrik semen karena sumber air sawah kering bupati berjanji meninjau "
    "ulang izin lingkungan dinas pertanian mencatat panen gagal ratusan hektare petani meminta ganti rugi "
    "gubernur mengirim tim penyelidik kepolisian memeriksa saksi pengusaha membantah tuduhan wartawan "
    "merekam antrean panjang pasar murah minyak goreng langka harga cabai melonjak menjelang lebaran"
).split()


def _text(rng: random.Random, number: int) -> str:
    """A hoax nobody has seen: 18 words of a plain vocabulary and a number of its own."""
    return " ".join(rng.sample(WORDS, 18)) + f" sejak tanggal {number} bulan lalu"


def _wait(check: Callable[[], bool], interval: float = 0.1) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < WAIT_S:
        if check():
            return time.monotonic() - start
        time.sleep(interval)
    return None


def _claim(stack: Stack, checker: str, number: int, text: str) -> str:
    body = {"external_id": f"fresh-{number}", "title": text[:60], "text": text, "label": "HOAKS"}
    answer = requests.post(f"{stack.url}/v1/claims", json=body, headers={"X-Api-Key": checker}, timeout=30)
    answer.raise_for_status()
    return str(answer.json()["id"])


def _found(stack: Stack, key: str, text: str, claim_id: str) -> bool:
    answer = requests.post(f"{stack.url}/v1/lookup", json={"text": text}, headers={"X-Api-Key": key}, timeout=30)
    matches = answer.json().get("matches", []) if answer.status_code == 200 else []
    return bool(matches) and matches[0]["claim"]["id"] == claim_id


def _report(stack: Stack, key: str, report_id: str) -> dict[str, object]:
    answer = requests.get(f"{stack.url}/v1/reports/{report_id}", headers={"X-Api-Key": key}, timeout=30)
    return dict(answer.json()) if answer.status_code == 200 else {}


def run(claims: int, seed: int = 3) -> dict[str, list[float | None]]:
    """Seconds until each claim was found, and until each answered case's report had its verdict."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="saring-freshness-") as work:
        stack = Stack(Path(work, "data"))
        stack.start()
        try:
            checker = _key(stack, ["checker"], "cek-fakta-bench")
            partner = _key(stack, ["partner"], "freshness-bench")
            found: list[float | None] = []
            for number in range(claims):
                time.sleep(rng.uniform(0, 2))
                text = _text(rng, number)
                claim_id = _claim(stack, checker, number, text)
                found.append(_wait(partial(_found, stack, partner, text, claim_id)))
            decided: list[float | None] = []
            for number in range(claims, 2 * claims):
                text = _text(rng, number)
                answer = requests.post(
                    f"{stack.url}/v1/reports",
                    json={"text": text, "platform": "whatsapp", "province": "31"},
                    headers={"X-Api-Key": partner},
                    timeout=30,
                )
                answer.raise_for_status()
                report_id = answer.json()["id"]
                if _wait(partial(_checked, stack, partner, report_id)) is None:
                    decided.append(None)
                    continue
                time.sleep(rng.uniform(0, 2))
                _claim(stack, checker, number, text)
                decided.append(_wait(partial(_decided, stack, partner, report_id)))
        finally:
            stack.stop()
    return {"found": found, "decided": decided}


def _checked(stack: Stack, key: str, report_id: str) -> bool:
    return _report(stack, key, report_id).get("status") == "needs_review"


def _decided(stack: Stack, key: str, report_id: str) -> bool:
    report = _report(stack, key, report_id)
    verdict = report.get("verdict")
    return report.get("status") == "reviewed" and isinstance(verdict, dict) and verdict.get("decided_by") == "auto"


def _summary(seconds: list[float | None]) -> str:
    done = sorted(s for s in seconds if s is not None)
    if len(done) < 2:
        return f"{len(done)} of {len(seconds)} in time"
    cuts = statistics.quantiles(done, n=20, method="inclusive")
    missed = len(seconds) - len(done)
    return f"p50 {statistics.median(done):.1f} s, p95 {cuts[18]:.1f} s, max {done[-1]:.1f} s" + (
        f", {missed} not within {WAIT_S:.0f} s" if missed else ""
    )


def report(claims: int = 20) -> bool:
    """Print the two figures beside their targets; True when both are met."""
    print(f"Matching freshness on the local stack ({claims} claims each, over HTTP)")
    result = run(claims)
    rows = (
        ("claim written → found by lookups", result["found"], TARGET_FOUND_P95_S),
        ("open case → decided by a new claim", result["decided"], TARGET_DECIDED_P95_S),
    )
    met = True
    for name, seconds, target in rows:
        done = [s for s in seconds if s is not None]
        ok = len(done) == len(seconds) and statistics.quantiles(done, n=20, method="inclusive")[18] <= target
        met &= ok
        print(f"  {name:<38} {_summary(seconds):<44} target p95 ≤ {target:.0f} s  {'met' if ok else 'NOT MET'}")
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.freshness", description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20)
    args = parser.parse_args(argv)
    return 0 if report(args.claims) else 1


if __name__ == "__main__":
    sys.exit(main())
