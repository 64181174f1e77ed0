"""Claim matching speed and size, at 5k real claims and 100k synthetic ones, beside plain BM25."""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bm25_baseline import PlainBM25
from bench.eval import DEFAULT_DATA, load
from bench.synthetic import synthetic_claims
from chalicelib.domain.matching.index import ClaimDoc, ClaimIndex

QUERIES = 300

_LOAD_PROBE = """
import json, sys, time
from chalicelib.domain.matching.index import ClaimIndex
blob = open(sys.argv[1], "rb").read()
start = time.perf_counter()
index = ClaimIndex.from_bytes(blob)
seconds = time.perf_counter() - start
rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:")) / 1024
print(json.dumps({"load_s": seconds, "rss_mb": rss, "claims": len(index)}))
"""


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def _latency(search: object, queries: list[str]) -> tuple[float, float, float]:
    samples = []
    for text in queries:
        start = time.perf_counter()
        search(text)  # type: ignore[operator]
        samples.append((time.perf_counter() - start) * 1000)
    return _percentiles(samples)


def _queries(docs: list[ClaimDoc]) -> list[str]:
    rng = random.Random(11)
    chosen = rng.sample(docs, min(QUERIES, len(docs)))
    out = []
    for doc in chosen:
        words = " ".join(doc.texts or (doc.title,)).split()
        size = max(8, len(words) * 6 // 10)
        start = rng.randint(0, max(0, len(words) - size))
        out.append(" ".join(words[start : start + size]))
    return out


Latency = tuple[float, float, float]


def measure(name: str, docs: list[ClaimDoc]) -> dict[str, Any]:
    start = time.perf_counter()
    index = ClaimIndex.build(docs)
    build_s = time.perf_counter() - start
    blob = index.to_bytes()
    with tempfile.NamedTemporaryFile(suffix=".bin") as snapshot:
        snapshot.write(blob)
        snapshot.flush()
        probe = subprocess.run(
            [sys.executable, "-c", _LOAD_PROBE, snapshot.name],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        )
    loaded = json.loads(probe.stdout)
    queries = _queries(docs)
    baseline = PlainBM25((d.id, "\n".join((d.title, *d.texts))) for d in docs)
    return {
        "name": name,
        "claims": len(docs),
        "build_s": build_s,
        "size_mb": len(blob) / 2**20,
        "load_s": loaded["load_s"],
        "rss_mb": loaded["rss_mb"],
        "saring": _latency(lambda text: index.search(text=text, limit=5), queries),
        "bm25": _latency(lambda text: baseline.search(text, 5), queries),
    }


def report() -> None:
    sets: list[tuple[str, list[ClaimDoc]]] = []
    if DEFAULT_DATA.exists():
        rows = load(DEFAULT_DATA)
        sets.append(
            (
                "real fact-checks",
                [
                    ClaimDoc(
                        r.id, r.id, r.title, r.label or "HOAKS", r.url, r.date, (r.narrative,) if r.narrative else ()
                    )
                    for r in rows
                ],
            )
        )
    else:
        print(f"  (real fact-checks not at {DEFAULT_DATA}: only the synthetic set is measured)")
    sets.append(("synthetic", list(synthetic_claims(100_000))))
    print(f"Claim matching, in-process (lookup of {QUERIES} excerpts; baseline: plain BM25, same queries)")
    print(
        f"  {'set':<18} {'claims':>7} {'build s':>8} {'size MB':>8} {'load s':>7} {'RSS MB':>7}"
        f" {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}   {'BM25 p50':>8} {'p95':>6} {'p99':>6}"
    )
    for name, docs in sets:
        m = measure(name, docs)
        s50, s95, s99 = m["saring"]
        b50, b95, b99 = m["bm25"]
        print(
            f"  {name:<18} {m['claims']:>7} {m['build_s']:>8.1f} {m['size_mb']:>8.1f} {m['load_s']:>7.2f}"
            f" {m['rss_mb']:>7.0f} {s50:>7.2f} {s95:>7.2f} {s99:>7.2f}   {b50:>8.2f} {b95:>6.2f} {b99:>6.2f}"
        )
    print("  targets: p95 ≤ 10 ms at 5k and ≤ 50 ms at 100k; RSS ≤ 300 MB and load ≤ 1 s at 100k")
