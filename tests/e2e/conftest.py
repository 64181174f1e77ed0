"""End-to-end fixtures: the real local stack (``python -m infra.local``) on free loopback ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
# The stacks start with this admin key (SARING_DEMO_KEY), as a script would.
ADMIN_KEY = "saring_e2eadminkey23456_" + "e2e0admin0key0for0tests0only"
START_TIMEOUT = 90.0
STOP_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Stack:
    process: subprocess.Popen[str]
    url: str
    port: int
    log: Path

    def stop(self) -> int:
        """Ctrl-C, as a person would; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return int(self.process.returncode)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_stack(data_dir: Path, *extra: str, port: int | None = None, wait: bool = True) -> Stack:
    port = port or free_port()
    log = data_dir.parent / f"stack-{port}-{time.monotonic_ns()}.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SARING_")}
    environment["PYTHONUNBUFFERED"] = "1"
    environment["SARING_DEMO_KEY"] = ADMIN_KEY
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.local", "--port", str(port), "--data-dir", str(data_dir), *extra],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    stack = Stack(process, f"http://127.0.0.1:{port}", port, log)
    if wait:
        deadline = time.monotonic() + START_TIMEOUT
        while "Saring local stack is up" not in stack.output():
            if process.poll() is not None or time.monotonic() > deadline:
                stack.stop()
                raise RuntimeError(f"the stack did not start:\n{stack.output()[-3000:]}")
            time.sleep(0.2)
    return stack


def keyed_session(stack: Stack, *roles: str, partner_id: str = "e2e-partner") -> requests.Session:
    """A session whose requests carry a new key with ``roles``, made by the admin over the API."""
    created = requests.post(
        f"{stack.url}/v1/keys",
        json={"partner_id": partner_id, "roles": list(roles or ("partner",))},
        headers={"X-Api-Key": ADMIN_KEY},
        timeout=10,
    )
    assert created.status_code == 201, created.text
    session = requests.Session()
    session.headers["X-Api-Key"] = created.json()["key"]
    return session


@pytest.fixture
def stacks(tmp_path: Path) -> Iterator[Callable[..., Stack]]:
    """Start stacks in this test's folder; every one still running is stopped afterwards."""
    started: list[Stack] = []

    def start(*extra: str, data_dir: Path | None = None, port: int | None = None, wait: bool = True) -> Stack:
        stack = start_stack(data_dir or tmp_path / "data", *extra, port=port, wait=wait)
        started.append(stack)
        return stack

    yield start
    for stack in started:
        stack.stop()


def wait_for_status(
    session: requests.Session, url: str, statuses: set[str], timeout: float = 20.0
) -> dict[str, object]:
    """Poll a report as a partner would until it reaches one of ``statuses``."""
    deadline = time.monotonic() + timeout
    while True:
        body = dict(session.get(url, timeout=5).json())
        if body["status"] in statuses or time.monotonic() > deadline:
            return body
        time.sleep(0.2)
