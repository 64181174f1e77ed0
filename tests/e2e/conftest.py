"""End-to-end fixtures: the real local stack (``python -m infra.local``) on free loopback ports."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from infra.local.harness import ADMIN_KEY, ROOT, Stack, free_port, start_stack

__all__ = ["ADMIN_KEY", "ROOT", "Stack", "free_port", "start_stack"]


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
