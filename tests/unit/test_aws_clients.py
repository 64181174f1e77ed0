"""One boto3 client per service in a process, however many threads ask for it first at once."""

from __future__ import annotations

import threading
import time
from typing import Any

import boto3
import pytest

from chalicelib.adapters.aws import client, reset_clients


def test_threads_asking_at_once_for_the_first_time_share_one_client(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a fresh process whose sessions take a moment to make (as botocore's do, loading models)
    reset_clients()
    made: list[Any] = []
    real = boto3.session.Session

    def slow_session(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.05)
        session = real(*args, **kwargs)
        made.append(session)
        return session

    monkeypatch.setattr(boto3.session, "Session", slow_session)
    got: list[Any] = []
    try:
        # When four threads ask for the DynamoDB client at once
        threads = [threading.Thread(target=lambda: got.append(client("dynamodb"))) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        # Then one client was made and every thread has it: its exception classes are the ones it raises
        assert len(got) == 4
        assert len({id(one) for one in got}) == 1
        assert len(made) == 1
        assert (
            got[0].exceptions.ConditionalCheckFailedException
            is client("dynamodb").exceptions.ConditionalCheckFailedException
        )
    finally:
        reset_clients()


def test_every_service_shares_one_session(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a fresh process
    reset_clients()
    made: list[Any] = []
    real = boto3.session.Session

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(boto3.session, "Session", counted)
    try:
        # When clients of three services are made
        clients = [client("dynamodb"), client("sqs"), client("s3")]
        # Then one session made them all (botocore's shared data is read once)
        assert len(made) == 1
        assert [c.meta.service_model.service_name for c in clients] == ["dynamodb", "sqs", "s3"]
    finally:
        reset_clients()
