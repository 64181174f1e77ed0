"""Invocations running side by side (the local stack's threads) each publish and log only their own."""

from __future__ import annotations

import io
import json
import logging
import threading
from typing import Any

import pytest

from chalicelib.observability import count, invocation, logger


def test_two_invocations_in_threads_publish_their_own_metrics_and_log_their_own_request_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    # Given two invocations that count and log, interleaved: A counts, B counts, A ends, B ends
    a_counted, b_counted, a_ended = threading.Event(), threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def run(request_id: str, metric: str, wait_for: threading.Event | None, then: threading.Event) -> None:
        try:
            with invocation(request_id):
                count(metric)
                then.set()
                if wait_for is not None:
                    wait_for.wait(5)
                logger.info("done", extra={"metric": metric})
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    first = threading.Thread(target=run, args=("req-a", "CountedByA", b_counted, a_counted))
    first.start()
    a_counted.wait(5)
    second = threading.Thread(target=run, args=("req-b", "CountedByB", a_ended, b_counted))
    second.start()
    first.join(5)
    a_ended.set()
    second.join(5)

    logger.handlers.remove(handler)

    # Then neither failed, each published exactly its own metric, and each log line names its own request
    assert failures == []
    published: list[dict[str, Any]] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    published = [line for line in published if "_aws" in line]
    assert sorted(name for line in published for name in line if name.startswith("CountedBy")) == [
        "CountedByA",
        "CountedByB",
    ]
    assert all(sum(name.startswith("CountedBy") for name in line) == 1 for line in published)
    logged = {line["metric"]: line.get("correlation_id") for line in map(json.loads, sink.getvalue().splitlines())}
    assert logged == {"CountedByA": "req-a", "CountedByB": "req-b"}


class _Writes:
    """A standard output that keeps each write apart."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def test_a_metrics_line_is_written_in_one_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an invocation that counted something, on a standard output other threads write to as well
    out = _Writes()
    monkeypatch.setattr("sys.stdout", out)
    with invocation("req-c"):
        count("CountedByC")
    # Then its metrics went out as one write of a whole line: no other thread's line can land inside it
    assert len(out.writes) == 1
    assert out.writes[0].endswith("\n") and out.writes[0].count("\n") == 1
    assert json.loads(out.writes[0])["CountedByC"] == [1.0]
