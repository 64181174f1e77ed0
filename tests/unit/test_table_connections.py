"""Every table shares one botocore client, however many threads use tables first at once."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from pynamodb.connection import TableConnection

from chalicelib.config import get_settings
from chalicelib.store import tables
from chalicelib.store.tables import CaseRecord, ReportRecord, bind


def test_threads_using_tables_first_at_once_share_one_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a fresh process, whose table connections take a moment to make (as botocore's do)
    bind(get_settings())
    monkeypatch.setattr(tables, "_CONNECTIONS", {})
    for model in (CaseRecord, ReportRecord):
        monkeypatch.setattr(model, "_connection", None)

    class SlowTableConnection(TableConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            time.sleep(0.05)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr("pynamodb.models.TableConnection", SlowTableConnection)
    # When eight threads use two tables for the first time at once
    start = threading.Barrier(8)
    got: list[Any] = []
    failed: list[BaseException] = []

    def use(model: Any) -> None:
        start.wait()
        try:
            got.append(model._get_connection())
        except Exception as error:  # noqa: BLE001 - the test reports whatever a thread raised
            failed.append(error)

    threads = [threading.Thread(target=use, args=(model,)) for model in (CaseRecord, ReportRecord) * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    # Then none failed, and both tables talk through one connection
    assert failed == []
    assert len(got) == 8
    assert len({id(table.connection) for table in got}) == 1
