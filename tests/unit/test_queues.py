"""SQS messages: sent ten at a time, refusals traced back to what was refused, bodies read back."""

import json
from typing import Any

import pytest
from pytest_mock import MockerFixture

from chalicelib.adapters.check_queue import enqueue_checks, report_id_of
from chalicelib.adapters.queues import send_json, text_field
from chalicelib.adapters.verdict_queue import case_id_of, enqueue_applications


class FakeSQS:
    """Keeps every batch; refuses the messages whose body is in ``refuse``."""

    def __init__(self, refuse: set[str]) -> None:
        self.refuse = refuse
        self.batches: list[list[dict[str, str]]] = []

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:
        assert len(Entries) <= 10
        assert len({entry["Id"] for entry in Entries}) == len(Entries)
        self.batches.append(Entries)
        failed = [{"Id": e["Id"], "Code": "x"} for e in Entries if e["MessageBody"] in self.refuse]
        return {"Successful": [], "Failed": failed} if failed else {"Successful": []}


@pytest.fixture
def sqs(mocker: MockerFixture) -> FakeSQS:
    fake = FakeSQS(refuse={json.dumps({"report_id": "r13"}), json.dumps({"case_id": "c2"})})
    mocker.patch("chalicelib.adapters.queues.client", return_value=fake)
    mocker.patch("chalicelib.adapters.queues.queue_url", side_effect=lambda name: f"https://sqs/{name}")
    return fake


def test_bodies_go_ten_at_a_time_and_refusals_come_back_by_position(sqs: FakeSQS) -> None:
    # Given 23 reports to check, one of which SQS refuses (in the second batch)
    report_ids = [f"r{n}" for n in range(23)]
    # When they are queued
    refused = enqueue_checks(report_ids)
    # Then three batches were sent, every report once, and the refused one is named
    assert [len(batch) for batch in sqs.batches] == [10, 10, 3]
    sent = [json.loads(entry["MessageBody"])["report_id"] for batch in sqs.batches for entry in batch]
    assert sent == report_ids
    assert refused == ["r13"]


def test_a_refused_verdict_raises_after_every_batch_was_tried(sqs: FakeSQS) -> None:
    # Given verdicts of 12 cases, one refused in the first batch
    # When they are queued / Then the caller learns of the refusal, and the second batch was still sent
    with pytest.raises(RuntimeError, match="1 verdict applications were not queued"):
        enqueue_applications([f"c{n}" for n in range(12)])
    assert [len(batch) for batch in sqs.batches] == [10, 2]


def test_nothing_to_send_sends_nothing(sqs: FakeSQS) -> None:
    assert send_json("q", []) == []
    assert sqs.batches == []


def test_message_bodies_are_read_back_or_refused_with_their_kind() -> None:
    # Given bodies the app wrote, and bodies it never writes
    assert report_id_of(json.dumps({"report_id": "r1"})) == "r1"
    assert case_id_of(json.dumps({"case_id": "c1"})) == "c1"
    # Then anything else is a ValueError that says which queue's message it was not
    for body in ["not json", "[]", json.dumps({"case_id": 7}), json.dumps({"other": "x"})]:
        with pytest.raises(ValueError, match="not a check message"):
            text_field(body, "report_id", "check")
    with pytest.raises(ValueError, match="not a verdict message"):
        case_id_of(json.dumps({"report_id": "r1"}))
