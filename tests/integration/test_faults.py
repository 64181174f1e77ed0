"""Faults between steps: every report is eventually checked or dead-lettered, never lost or double-counted."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_mock import MockerFixture

from chalicelib.adapters import index_snapshots
from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.domain.audit import CLI
from chalicelib.domain.models import ClaimInput, Label
from chalicelib.services import checks
from chalicelib.services.claims import create_claim
from chalicelib.store.reports import ReportStore
from infra.local.resources import CHECK_MAX_RECEIVES, Resources
from infra.local.runner import EventSourceRunner
from tests.integration.conftest import Api

HOAX = "Tinta pemilu di jari mengandung lemak babi, jangan celupkan jari."


@pytest.fixture
def claim_id(aws: Resources) -> str:
    return create_claim(ClaimInput(external_id="demo-5", title="Tinta pemilu", text=HOAX, label=Label.HOAKS), CLI).id


def _messages(queue_url: str) -> list[dict[str, Any]]:
    answer = client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    return list(answer.get("Messages", []))


def _sweep_everything(runner: EventSourceRunner, mocker: MockerFixture) -> None:
    """The scheduled sweep, as if every waiting report had waited past the threshold."""
    future = datetime.now(UTC) + timedelta(hours=1)
    clock = mocker.patch.object(checks, "datetime", wraps=datetime)
    clock.now.return_value = future
    runner.fire_schedules("sweep_reports")


def test_a_check_that_fails_twice_is_retried_until_it_succeeds(
    api: Api, runner: EventSourceRunner, claim_id: str, mocker: MockerFixture
) -> None:
    # Given the claim index cannot be read on the first two deliveries
    runner.drain()  # the claim is indexed
    real = index_snapshots.current_pointer
    calls = {"n": 0}

    def flaky() -> Any:
        calls["n"] += 1
        if calls["n"] <= 2:
            raise ConnectionError("S3 went away")
        return real()

    mocker.patch.object(index_snapshots, "current_pointer", flaky)
    # When a copy of the hoax is reported and the events run
    report_id = api.submit({"text": HOAX, "platform": "whatsapp", "province": "31"})
    runner.drain()
    # Then the redelivered message checked it, counted once
    view = api.report(report_id)
    assert view["status"] == "matched"
    assert view["verdict"]["claim"]["id"] == claim_id
    assert view["seen_count"] == 1
    assert ("check_reports", False) in runner.invocations


def _dying_once(method: Any, *, after_it_ran: bool) -> Any:
    """``method``, but its first call kills the process (SystemExit, not an Exception: like a process
    that dies), before it runs or right after it ran."""
    calls = {"n": 0}

    def dying(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1 and not after_it_ran:
            raise SystemExit("killed")
        result = method(self, *args, **kwargs)
        if calls["n"] == 1:
            raise SystemExit("killed")
        return result

    return dying


def _checked_after_a_crash(api: Api, runner: EventSourceRunner) -> dict[str, Any]:
    """Submit a copy of the hoax, let its first check die, deliver the message again; the report's view."""
    first = api.submit({"text": HOAX, "platform": "whatsapp", "province": "31"})
    with pytest.raises(SystemExit):
        runner.drain()
    time.sleep(1.1)  # a new process, once the visibility timeout is over
    runner.drain()
    return api.report(first)


def test_a_crash_after_grouping_does_not_count_the_report_twice(
    api: Api, runner: EventSourceRunner, claim_id: str, mocker: MockerFixture
) -> None:
    # Given a check that goes step by step (as for a case with a verdict applied), and the process
    # dies after the report joined its case, before the outcome was written
    mocker.patch.object(ReportStore, "check_into_case", return_value=False)
    mocker.patch.object(ReportStore, "finish_check", _dying_once(ReportStore.finish_check, after_it_ran=False))
    # When the message is delivered again
    view = _checked_after_a_crash(api, runner)
    # Then the report is checked and its case counts it once
    assert view["status"] == "matched"
    assert view["seen_count"] == 1


def test_a_crash_right_after_the_one_write_of_a_check_counts_nothing_twice(
    api: Api, runner: EventSourceRunner, claim_id: str, mocker: MockerFixture
) -> None:
    # Given the process dies right after a check's one write (case, count and outcome) committed
    mocker.patch.object(ReportStore, "check_into_case", _dying_once(ReportStore.check_into_case, after_it_ran=True))
    # When the message is delivered again
    view = _checked_after_a_crash(api, runner)
    # Then the report keeps its outcome and its case counts it once
    assert view["status"] == "matched"
    assert view["seen_count"] == 1


def test_the_same_message_delivered_twice_changes_nothing(
    api: Api, runner: EventSourceRunner, claim_id: str, aws: Resources
) -> None:
    # Given a report that was checked
    report_id = api.submit({"text": HOAX, "platform": "x", "province": "31"})
    runner.drain()
    before = api.report(report_id)
    # When its check message arrives again, and its stream record too
    client("sqs").send_message(QueueUrl=aws.check_queue_url, MessageBody=json.dumps({"report_id": report_id}))
    event = {
        "Records": [
            {
                "eventID": "1",
                "eventName": "INSERT",
                "eventSource": "aws:dynamodb",
                "dynamodb": {"Keys": {"id": {"S": report_id}}, "SequenceNumber": "1", "SizeBytes": 1},
            }
        ]
    }
    runner.invoke("report_stream", event)
    runner.drain()
    # Then nothing changed and nothing was counted twice
    assert api.report(report_id) == before
    assert before["seen_count"] == 1


def test_a_check_that_always_fails_is_dead_lettered_then_handed_to_a_human(
    api: Api, runner: EventSourceRunner, aws: Resources, mocker: MockerFixture
) -> None:
    # Given every check attempt fails
    mocker.patch.object(index_snapshots, "current_pointer", side_effect=ConnectionError("down"))
    report_id = api.submit({"text": HOAX, "platform": "whatsapp", "province": "31"})
    # When the queue has delivered it as often as its redrive policy allows
    for _ in range(CHECK_MAX_RECEIVES + 2):
        runner.poll_once()
    # Then the message waits in the dead-letter queue and the report is not lost
    assert len(_messages(aws.check_dead_letter_queue_url)) == 1
    assert api.report(report_id)["status"] == "checking"
    # And when the sweep keeps re-driving it past the attempt limit, a human gets it
    for _ in range(get_settings().max_check_attempts):
        _sweep_everything(runner, mocker)
        runner.drain()
    view = api.report(report_id)
    assert view["status"] == "needs_review"
    assert view["verdict"]["label"] is None
    assert "gagal" in view["verdict"]["reason"]


def test_a_lost_stream_record_is_recovered_by_the_sweep(
    api: Api, runner: EventSourceRunner, claim_id: str, aws: Resources, mocker: MockerFixture
) -> None:
    # Given the queue refuses every check request, so the stream batch keeps failing
    enqueue = mocker.patch("chalicelib.services.checks.enqueue_checks", side_effect=ConnectionError("sqs down"))
    report_id = api.submit({"text": HOAX, "platform": "telegram", "province": "31"})
    for _ in range(runner.stream_max_retries + 1):
        runner.poll_once()
    # Then the skipped batch is recorded like an on-failure destination, and the report waits
    failures_url = client("sqs").get_queue_url(QueueName=get_settings().stream_failure_queue_name)["QueueUrl"]
    failure = json.loads(_messages(failures_url)[0]["Body"])
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 1
    assert api.report(report_id)["status"] == "received"
    # When the queue is back and the sweep runs
    enqueue.side_effect = None
    enqueue.return_value = []
    mocker.stopall()
    _sweep_everything(runner, mocker)
    runner.drain()
    # Then the report is checked
    assert api.report(report_id)["status"] == "matched"


def test_the_sweep_leaves_fresh_reports_alone(api: Api, runner: EventSourceRunner, aws: Resources) -> None:
    api.submit({"text": "baru saja", "platform": "web", "province": "31"})
    assert checks.sweep_stale_reports() == 0


def test_a_message_the_app_never_wrote_is_dropped_not_retried_forever(
    runner: EventSourceRunner, aws: Resources
) -> None:
    # Given a foreign message on the check queue
    client("sqs").send_message(QueueUrl=aws.check_queue_url, MessageBody="hello, is this Saring?")
    # When the events run
    runner.drain()
    # Then the handler succeeded and the message is gone, not dead-lettered
    assert ("check_reports", True) in runner.invocations
    assert _messages(aws.check_queue_url) == []
    assert _messages(aws.check_dead_letter_queue_url) == []


def test_a_restart_asks_once_for_each_waiting_reports_check(api: Api, app: Any, aws: Resources, tmp_path: Any) -> None:
    from infra.local.events_process import redrive_after_restart

    runner = EventSourceRunner(app, get_settings(), data_dir=tmp_path, batching_windows=False)
    reports = next(stream for stream in runner.streams if stream.table == get_settings().table_name("reports"))
    queue_url = client("sqs").get_queue_url(QueueName=get_settings().check_queue_name)["QueueUrl"]
    # Given a report whose new-report record the stream handed over before a crash (its check
    # request died with the queue), and whose check had started …
    handed_over = api.submit({"text": HOAX, "platform": "telegram", "province": "31"})
    reports.poll()
    client("sqs").purge_queue(QueueUrl=queue_url)
    assert ReportStore().start_check(handed_over, datetime.now(UTC)) is not None
    # … and a report whose record the stream still holds
    still_in_stream = api.submit({"text": "Kabar lain soal surat suara tercoblos", "platform": "web", "province": "32"})
    # When the stack starts again
    redrive_after_restart(tmp_path)
    # Then only the first is asked for; the stream asks for the second, once
    assert _asked_for(queue_url) == [handed_over]
    reports.poll()
    assert _asked_for(queue_url) == [still_in_stream]


def _asked_for(queue_url: str) -> list[str]:
    """The reports the queue's visible messages ask to check (each message then hidden for a minute)."""
    asked: list[str] = []
    while True:
        answer = client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=60)
        if not answer.get("Messages"):
            return sorted(asked)
        asked += [json.loads(message["Body"])["report_id"] for message in answer["Messages"]]
