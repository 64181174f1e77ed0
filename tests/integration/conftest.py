"""Integration fixtures: moto in-process, every resource created from the app's definitions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.adapters import check_queue
from chalicelib.adapters.aws import reset_clients
from chalicelib.config import get_settings
from chalicelib.services import reports as report_service
from chalicelib.services.claim_index import forget_loaded_index
from chalicelib.store import stores
from infra.local.resources import Resources, create_resources
from infra.local.runner import EventSourceRunner


def _forget_cached_clients() -> None:
    reset_clients()
    stores.cache_clear()
    check_queue._queue_url.cache_clear()
    report_service._idempotent_submit.cache_clear()


@pytest.fixture(scope="session")
def _emulator() -> Iterator[Any]:
    # One emulator for the session: clients made once stay intercepted; each test resets its state.
    mock = mock_aws()
    mock.start()
    _forget_cached_clients()
    yield mock
    mock.stop()
    _forget_cached_clients()


@pytest.fixture
def aws(_emulator: Any) -> Resources:
    """A fresh emulated account with every table, queue, bucket and key."""
    _emulator.reset()
    forget_loaded_index()
    return create_resources(get_settings(), check_visibility_seconds=1)


@lru_cache(maxsize=1)
def _app() -> Any:
    import app as app_module

    return app_module.app


@pytest.fixture
def app(aws: Resources) -> Any:
    return _app()


class Api:
    """A partner's view of the app through the Lambda handler (chalice's test client)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def post_report(self, body: Any, **headers: str) -> Any:
        raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.http.post("/v1/reports", headers={"Content-Type": "application/json", **headers}, body=raw)

    def submit(self, body: dict[str, Any], **headers: str) -> str:
        answer = self.post_report(body, **headers)
        assert answer.status_code == 202, answer.body
        return str(json.loads(answer.body)["id"])

    def report(self, report_id: str) -> dict[str, Any]:
        answer = self.client.http.get(f"/v1/reports/{report_id}")
        assert answer.status_code == 200, answer.body
        return dict(json.loads(answer.body))


@pytest.fixture
def api(app: Any) -> Iterator[Api]:
    with Client(app) as client:
        yield Api(client)


@pytest.fixture
def runner(app: Any) -> EventSourceRunner:
    """The local stack's event sources; failed messages come back at once instead of after 30 s."""
    return EventSourceRunner(app, get_settings(), failed_visibility_seconds=0)
