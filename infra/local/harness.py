"""What the tests and the benchmarks share to run the app: settings, caches, stacks, fixtures of data.

- ``use_test_environment()``: dummy credentials and the settings every test process agrees on
  (call it before anything imports boto3 or the app);
- ``forget_process_caches()``: the one place that knows every process-wide cache (clients, stores,
  keys, the claim index, what was read from the account) — for a fresh emulated account;
- ``start_stack()``: the real local stack (``python -m infra.local``) in a subprocess on loopback;
- ``counting_writes()`` and ``write_big_case()``: DynamoDB writes counted, and a big case written fast.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock


def use_test_environment() -> None:
    """Dummy credentials and the test settings: tests and benchmarks never reach real AWS."""
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_REGION": "ap-southeast-3",
            "AWS_DEFAULT_REGION": "ap-southeast-3",
            "SARING_STAGE": "local",
            "SARING_STALE_AFTER_SECONDS": "300",
            "SARING_INDEX_REFRESH_SECONDS": "0",
            "POWERTOOLS_IDEMPOTENCY_DISABLED": "false",
            # moto in-process is not thread-safe: concurrent writes can race inside the emulator itself.
            "SARING_VERDICT_WRITERS": "1",
            # Never the real Fact Check Tools API: tests that sync serve a fake and point here at it.
            "SARING_FACT_CHECK_API_URL": "http://127.0.0.1:9/v1alpha1/claims:search",
        }
    )
    os.environ.pop("SARING_AWS_ENDPOINT_URL", None)
    os.environ.pop("AWS_ENDPOINT_URL", None)


def forget_process_caches(*, clients: bool = False) -> None:
    """Forget what this process cached from the emulated account (and its clients, when ``clients``)."""
    from chalicelib.adapters.aws import queue_url, reset_clients, secret_bytes
    from chalicelib.adapters.evidence import public_key
    from chalicelib.services.access import forget_cached_keys
    from chalicelib.services.claim_index import forget_loaded_index
    from chalicelib.store import stores

    if clients:
        reset_clients()
        stores.cache_clear()
    queue_url.cache_clear()
    secret_bytes.cache_clear()
    public_key.cache_clear()
    forget_cached_keys()
    forget_loaded_index()


# --- The local stack in a subprocess

ROOT = Path(__file__).resolve().parents[2]
# Stacks start with this admin key (SARING_DEMO_KEY), as a script would.
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

    @property
    def smtp_port(self) -> int:
        """The SMTP listener's port, as the banner printed it."""
        import re

        found = re.search(r"SMTP 127\.0\.0\.1:(\d+)", self.output())
        if found is None:
            raise RuntimeError("the stack printed no SMTP port")
        return int(found.group(1))


def start_stack(data_dir: Path, *extra: str, port: int | None = None, wait: bool = True) -> Stack:
    port = port or free_port()
    log = data_dir.parent / f"stack-{port}-{time.monotonic_ns()}.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SARING_")}
    environment["PYTHONUNBUFFERED"] = "1"
    environment["SARING_DEMO_KEY"] = ADMIN_KEY
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "infra.local", "--port", str(port), "--data-dir", str(data_dir)),
                # Any free SMTP port, unless the test names one: stacks run side by side.
                *(() if "--smtp-port" in extra else ("--smtp-port", "0")),
                *extra,
            ],
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


# --- Counting writes, and a big case

WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


@contextmanager
def counting_writes() -> Iterator[list[str]]:
    """Every DynamoDB write made inside the block, through PynamoDB or boto3, by operation name."""
    from pynamodb.connection.base import Connection

    from chalicelib.adapters.aws import client

    writes: list[str] = []
    original = Connection._make_api_call

    def pynamodb_call(self: Any, operation: str, *args: Any, **kwargs: Any) -> Any:
        if operation in WRITE_OPERATIONS:
            writes.append(operation)
        return original(self, operation, *args, **kwargs)

    def boto_call(model: Any, **_: Any) -> None:
        if model.name in WRITE_OPERATIONS:
            writes.append(model.name)

    events = client("dynamodb").meta.events
    events.register("before-call.dynamodb", boto_call)
    try:
        with mock.patch.object(Connection, "_make_api_call", pynamodb_call):
            yield writes
    finally:
        events.unregister("before-call.dynamodb", boto_call)


BIG_CASE_ID = "case_" + "c" * 26


def write_big_case(reports: int, text: str, case_id: str = BIG_CASE_ID) -> str:
    """An open case of ``reports`` needs-review reports (batched writes, no pipeline: fast)."""
    from chalicelib.store.tables import CaseRecord, ReportRecord

    now = datetime(2026, 11, 28, 3, tzinfo=UTC)
    CaseRecord(
        case_id,
        fingerprint="f" * 64,
        seen_count=reports,
        first_seen=now,
        last_seen=now,
        status="open",
        status_shard="open#0",
        sample_text=text,
        version=0,
    ).save()
    with ReportRecord.batch_write() as batch:
        for n in range(reports):
            batch.save(
                ReportRecord(
                    f"rpt_{n:026d}",
                    partner_id="kabar-app",
                    status="needs_review",
                    received_at=now + timedelta(seconds=n),
                    updated_at=now,
                    platform="whatsapp",
                    province="33",
                    text=text,
                    request_hash="h",
                    case_id=case_id,
                )
            )
    return case_id
