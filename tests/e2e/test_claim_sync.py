"""`make sync-claims` on `make run`: the demo Fact Check Tools fake, the operator's command, the claims it brings."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests

from tests.e2e.conftest import ROOT, Stack, keyed_session

# A claim of the demo answers (infra/local/fact_check_demo.json), and how a copy of it circulates.
SYNCED_URL = "https://periksa.example/2024/karung-surat-suara"
COPY = (
    "Diteruskan: video surat suara tercoblos di dalam karung yang dibuang ke sungai adalah kejadian "
    "pemilu 2024 di Jawa Barat!!"
)


def _sync(data_dir: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "infra.cli", "sync-claims", "--data-dir", str(data_dir)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_the_sync_brings_in_published_fact_checks_once(stacks: Callable[..., Stack], tmp_path: Path) -> None:
    # Given the stack as `make run` starts it (with its Fact Check Tools fake on loopback)
    stack = stacks()
    media = keyed_session(stack, "media", partner_id="kabar-media")
    assert "Sync       make sync-claims" in stack.output()

    # When the operator syncs, and syncs again
    first = _sync(tmp_path / "data")
    again = _sync(tmp_path / "data")

    # Then the first run brings every demo review (one unknown rating kept, counted), the second nothing new
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.startswith("synced 10 pages: 5 new, 0 updated, 0 unchanged; 1 with a rating"), first.stdout
    assert again.returncode == 0 and again.stdout.startswith("synced 10 pages: 0 new, 0 updated, 5 unchanged")
    # And, once the index is rebuilt, a forwarded copy of a synced hoax is found
    deadline = time.monotonic() + 30
    while True:
        found = media.post(f"{stack.url}/v1/lookup", json={"text": COPY}, timeout=10).json()
        if (found["matches"] and found["matches"][0]["claim"]["url"] == SYNCED_URL) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert found["matches"][0]["claim"]["url"] == SYNCED_URL
    assert found["matches"][0]["claim"]["label"] == "HOAKS"
    listed = media.get(f"{stack.url}/v1/claims", params={"q": "karung surat suara"}, timeout=10).json()
    assert any(claim["publisher"] == "Periksa Fakta" for claim in listed["claims"])
    assert requests.get(f"{stack.url}/v1/health", timeout=5).status_code == 200
