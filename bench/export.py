"""The daily export at a million reports: wall time, rows a second, peak memory, files checked.

``python -m bench.export --rows N --out DIR`` runs one export in this process and prints its
figures as JSON; ``make bench`` runs it in a fresh process so the peak RSS is the export's own.
Rows come from a synthetic reader shaped like the store's (eight shards in time order, merged the
same way, each row built by the same ``export_row``), and bytes go to local files through the same
``write_export`` the app streams to S3.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from chalicelib.domain.exports import (
    CSV_NAME,
    JSONL_NAME,
    ExportRow,
    export_row,
    manifest,
    merge_shards,
    wib_day_bounds,
    write_export,
)
from chalicelib.domain.provinces import PROVINCES

DAY = date(2024, 2, 14)
SHARDS = 8
MEMORY_TARGET_MB = 256
WORDS = (
    "kpu bawaslu tps surat suara pemilu coblos hoaks sebarkan resmi diundur kotak suara caleg capres "
    "warga desa kabar beredar video foto pesan berantai tinta jari petugas kppS logistik daftar pemilih"
).split()
PLATFORMS = ["whatsapp", "facebook", "instagram", "x", "tiktok", "youtube", "telegram", "web"]


def _shard(shard: int, rows: int, seed: int) -> Iterator[ExportRow]:
    """One shard's reports of the day, in time order, as the day index would return them."""
    rng = random.Random(seed * 100 + shard)
    start, _ = wib_day_bounds(DAY)
    step = 86_400 / max(rows, 1)
    provinces = list(PROVINCES)
    # A pool of texts: the benchmark measures the export, not the making of random sentences.
    texts = [" ".join(rng.choices(WORDS, k=rng.randint(8, 60))) for _ in range(2_000)]
    for n in range(rows):
        moment = start + timedelta(seconds=n * step + rng.random() * step)
        text = texts[n % len(texts)]
        matched = rng.random() < 0.4
        yield export_row(
            report_id=f"rpt_{shard}{n:025d}",
            received_at=moment,
            platform=rng.choice(PLATFORMS),
            province=rng.choice(provinces),
            text=text,
            url=f"https://contoh.id/p/{n}" if rng.random() < 0.3 else None,
            case_id=f"case_{rng.randrange(50_000):026d}",
            status="matched" if matched else "needs_review",
            label="HOAKS" if matched else None,
            decided_by="auto" if matched else None,
            claim_id=f"clm_{rng.randrange(5_000):024x}" if matched else None,
            claim_url="https://turnbackhoax.id/x" if matched else None,
        )


def synthetic_day(rows: int, seed: int = 1) -> Iterator[ExportRow]:
    """The reader: ``rows`` reports over eight shards, merged as the store merges them."""
    per_shard = [rows // SHARDS + (1 if shard < rows % SHARDS else 0) for shard in range(SHARDS)]
    return merge_shards(_shard(shard, count, seed) for shard, count in enumerate(per_shard))


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started, in MB.

    Linux's ``ru_maxrss`` also counts the memory of the process that forked this one (it carries
    across exec), so a bench parent grown by earlier rows would show here: VmHWM is this program's own.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(rows: int, out: Path) -> dict[str, Any]:
    started = time.perf_counter()
    with (out / CSV_NAME).open("wb") as csv_file, (out / JSONL_NAME).open("wb") as jsonl_file:
        files = write_export(synthetic_day(rows), csv_file, jsonl_file)
    seconds = time.perf_counter() - started
    described = manifest(DAY, files, datetime.now(UTC), "bench", complete=True)
    (out / "manifest.json").write_text(json.dumps(described))
    peak_mb = peak_rss_mb()
    return {"rows": rows, "seconds": seconds, "peak_rss_mb": peak_mb, "files": files}


def verify(out: Path) -> bool:
    """Every file's size and SHA-256 as the manifest says, re-read from disk."""
    described = json.loads((out / "manifest.json").read_text())
    for item in described["files"]:
        digest = hashlib.sha256()
        size = 0
        with (out / item["name"]).open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        if digest.hexdigest() != item["sha256"] or size != item["bytes"]:
            return False
    return True


def report(rows: int = 1_000_000) -> bool:
    """Run the export in a fresh process, check its files, print the table; True if the bound is met."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        answer = subprocess.run(
            [sys.executable, "-m", "bench.export", "--rows", str(rows), "--out", str(out)],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(answer.stdout)
        verified = verify(out)
    baseline = subprocess.run(
        [sys.executable, "-c", "import chalicelib.domain.exports, bench.export as b; print(b.peak_rss_mb())"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    files = figures["files"]
    print(f"Daily export of {rows:,} synthetic reports to local files (one pass, both files; fresh process)")
    print(
        f"  {'wall s':>8} {'rows/s':>9} {'peak RSS MB':>12} {'CSV MB':>8} {'JSONL.gz MB':>12} {'files = manifest':>17}"
    )
    print(
        f"  {figures['seconds']:>8.1f} {rows / figures['seconds']:>9,.0f} {figures['peak_rss_mb']:>12.0f} "
        f"{files[CSV_NAME]['bytes'] / 1e6:>8.1f} {files[JSONL_NAME]['bytes'] / 1e6:>12.1f} {verified!s:>17}"
    )
    met = figures["peak_rss_mb"] <= MEMORY_TARGET_MB and verified
    print(
        f"  baseline: the same process importing the export code alone peaks at {float(baseline.stdout):.0f} MB; "
        f"target: peak RSS ≤ {MEMORY_TARGET_MB} MB → {'met' if met else 'NOT MET'}"
    )
    return met


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.export")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(json.dumps(run(args.rows, args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
