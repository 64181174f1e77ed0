"""The event runner's parallel stream batches (infra/local/runner.py): an item's records stay in order."""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

from infra.local.runner import _by_item, _Shard, _StreamSource


def _record(item: str, sequence: int) -> dict[str, Any]:
    return {"dynamodb": {"Keys": {"id": {"S": item}}, "SequenceNumber": str(sequence)}}


def test_each_items_records_go_to_one_sub_batch_in_their_order() -> None:
    batch = [_record(f"rpt_{n % 5}", n) for n in range(40)]
    groups = _by_item(batch, 4)
    assert 1 < len(groups) <= 4
    assert sorted(int(r["dynamodb"]["SequenceNumber"]) for g in groups for r in g) == list(range(40))
    for group in groups:
        items = {r["dynamodb"]["Keys"]["id"]["S"] for r in group}
        for item in items:
            own = [int(r["dynamodb"]["SequenceNumber"]) for r in group if r["dynamodb"]["Keys"]["id"]["S"] == item]
            assert own == sorted(own)
        assert all(
            other not in items
            for g in groups
            if g is not group
            for other in {r["dynamodb"]["Keys"]["id"]["S"] for r in g}
        )
    assert _by_item(batch, 1) == [batch]


def test_a_failed_record_is_retried_with_the_records_of_its_sub_batch_after_it() -> None:
    # Given a handler that fails one record of one item, and a runner splitting batches four ways
    failing = "7"
    calls: list[list[str]] = []
    lock = threading.Lock()

    def invoke(name: str, event: dict[str, Any]) -> tuple[bool, Any]:
        sequences = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        with lock:
            calls.append(sequences)
        failed = [{"itemIdentifier": failing}] if failing in sequences else []
        return True, {"batchItemFailures": failed}

    finished: list[int] = []
    runner = SimpleNamespace(
        stream_parallelism={"report_stream": 4},
        stream_pool=ThreadPoolExecutor(max_workers=4),
        stream_max_retries=5,
        invoke=invoke,
        finished=lambda table, record: finished.append(int(record["dynamodb"]["SequenceNumber"])),
        stream_batch_failed=lambda *args: None,
    )
    source = _StreamSource.__new__(_StreamSource)
    source.runner = runner  # type: ignore[assignment]
    source.config = SimpleNamespace(name="report_stream")  # type: ignore[assignment]
    source.table = "saring-local-reports"
    shard = _Shard("shard-1", None)
    batch = [_record(f"rpt_{n % 5}", n) for n in range(20)]
    # When it is delivered
    source.deliver(shard, batch)
    # Then only the failed record and the later records of its own sub-batch come back, in order
    group = next(g for g in _by_item(batch, 4) if any(r["dynamodb"]["SequenceNumber"] == failing for r in g))
    expected = [r for r in group if int(r["dynamodb"]["SequenceNumber"]) >= int(failing)]
    assert shard.retry_batch == expected
    assert shard.retries == 1
    assert finished == []  # the batch is not finished while part of it waits for a retry
    # And once the retry succeeds the whole batch counts as finished
    failing = "none"
    source.deliver(shard, shard.retry_batch)
    assert shard.retry_batch == []
    assert finished == [int(expected[-1]["dynamodb"]["SequenceNumber"])]


def test_a_stream_without_a_parallelism_of_its_own_is_handled_a_batch_at_a_time() -> None:
    # Given a runner that splits the reports stream four ways, and a batch of the claims stream
    calls: list[int] = []

    def invoke(name: str, event: dict[str, Any]) -> tuple[bool, Any]:
        calls.append(len(event["Records"]))
        return True, {}

    runner = SimpleNamespace(
        stream_parallelism={"report_stream": 4},
        stream_pool=ThreadPoolExecutor(max_workers=4),
        stream_max_retries=5,
        invoke=invoke,
        finished=lambda table, record: None,
        stream_batch_failed=lambda *args: None,
    )
    source = _StreamSource.__new__(_StreamSource)
    source.runner = runner  # type: ignore[assignment]
    source.config = SimpleNamespace(name="claims_changed")  # type: ignore[assignment]
    source.table = "saring-local-claims"
    # When it is delivered
    source.deliver(_Shard("shard-1", None), [_record(f"clm_{n}", n) for n in range(20)])
    # Then its handler (which rebuilds the index) runs once, with every record
    assert calls == [20]


def test_a_queue_named_in_queue_pollers_gets_that_many_pollers_and_the_others_the_default() -> None:
    # Given a runner with two queues, the checks given six pollers
    from infra.local.runner import QUEUE_POLLERS, EventSourceRunner

    runner = EventSourceRunner.__new__(EventSourceRunner)
    checks, webhooks = (SimpleNamespace(config=SimpleNamespace(name=name)) for name in ("check_reports", "webhooks"))
    runner.streams, runner.queues, runner.schedules = [], [checks, webhooks], []  # type: ignore[list-item]
    runner.queue_pollers = {"check_reports": 6}
    polled: list[Any] = []
    runner._loop = polled.append  # type: ignore[method-assign,assignment] # each poller thread polls its source once
    # When it starts
    runner.start()
    for thread in runner._threads:
        thread.join(5)
    # Then the checks have six pollers and the other queue the default
    assert (polled.count(checks), polled.count(webhooks)) == (6, QUEUE_POLLERS)


def test_two_first_invocations_of_a_handler_at_once_both_run_through_its_middleware() -> None:
    # Given a chalice handler whose middleware chain is built at its first call, from a generator
    # slow enough that a second first call arrives while it is read
    from chalice.app import EventSourceHandler

    from infra.local.runner import EventSourceRunner

    through_middleware: list[str] = []

    def middleware(event: Any, get_response: Any) -> Any:
        through_middleware.append("seen")
        return get_response(event)

    def slow_chain() -> Any:
        time.sleep(0.3)
        yield middleware

    handler = EventSourceHandler(lambda event: {"ok": True}, lambda event, context: event, slow_chain())
    runner = EventSourceRunner.__new__(EventSourceRunner)
    runner.app = SimpleNamespace(handler_map={"check_reports": handler})  # type: ignore[assignment]
    runner.settings = SimpleNamespace(stage="test")  # type: ignore[assignment]
    runner.invocations = deque()
    runner._first_calls, runner._called = threading.Lock(), set()
    answers: list[tuple[bool, Any]] = []

    # When two pollers invoke it at once
    pollers = [threading.Thread(target=lambda: answers.append(runner.invoke("check_reports", {}))) for _ in range(2)]
    for poller in pollers:
        poller.start()
    for poller in pollers:
        poller.join(5)

    # Then both ran, each through the middleware
    assert answers == [(True, {"ok": True})] * 2
    assert through_middleware == ["seen", "seen"]
