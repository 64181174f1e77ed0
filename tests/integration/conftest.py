"""Integration fixtures: moto in-process, every resource created from the app's definitions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import pytest
import requests
from chalice.test import Client
from moto import mock_aws
from moto.core.models import botocore_stubber
from pytest_mock import MockerFixture

from chalicelib.config import get_settings
from chalicelib.events.pictures import worker
from infra.local.harness import forget_process_caches
from infra.local.resources import Resources, create_resources
from infra.local.runner import EventSourceRunner


@pytest.fixture(scope="session")
def _emulator() -> Iterator[Any]:
    # One emulator for the session: clients made once stay intercepted; each test resets its state.
    from infra.local.emulator import tune_moto

    # The emulator as the local stack runs it: the suite checks its answers
    tune_moto()
    mock = mock_aws()
    mock.start()
    forget_process_caches(clients=True)
    yield mock
    mock.stop()
    forget_process_caches(clients=True)


@pytest.fixture
def aws(_emulator: Any) -> Resources:
    """A fresh emulated account with every table, queue, bucket and key."""
    _emulator.reset()
    # What was read from the last test's account is gone with it; the clients themselves stay.
    forget_process_caches()
    return create_resources(get_settings(), check_visibility_seconds=1)


@lru_cache(maxsize=1)
def _app() -> Any:
    import app as app_module

    return app_module.app


@pytest.fixture
def app(aws: Resources) -> Any:
    return _app()


def make_key(*roles: str, partner_id: str = "test-partner", **limits: int) -> str:
    """A new API key with these roles (straight through the service, as an admin's CLI would)."""
    from chalicelib.domain.audit import CLI
    from chalicelib.domain.models import KeyLimits, KeyRequest
    from chalicelib.services.access import create_key

    request = KeyRequest(partner_id=partner_id, roles=list(roles), limits=KeyLimits(**limits))
    return create_key(request, CLI).key


class KeyedHttp:
    """Chalice's test HTTP client, sending one API key unless a request names its own headers' key."""

    def __init__(self, http: Any, key: str | None) -> None:
        self._http, self.key = http, key

    def _call(self, method: str, path: str, headers: dict[str, str] | None = None, body: Any = b"") -> Any:
        sent = dict(headers or {})
        if self.key is not None:
            sent.setdefault("X-Api-Key", self.key)
        if isinstance(body, dict):
            body = json.dumps(body)
            sent.setdefault("Content-Type", "application/json")
        return self._http.request(method, path, headers=sent, body=body)

    def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return self._call("GET", path, headers)

    def delete(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return self._call("DELETE", path, headers)

    def post(self, path: str, headers: dict[str, str] | None = None, body: Any = b"") -> Any:
        return self._call("POST", path, headers, body)

    def patch(self, path: str, headers: dict[str, str] | None = None, body: Any = b"") -> Any:
        return self._call("PATCH", path, headers, body)


class Api:
    """A partner's view of the app through the Lambda handler (chalice's test client).

    Its key has the roles ``partner`` and ``checker`` (so older tests can write claims too);
    ``as_key`` gives the same client under another key.
    """

    def __init__(self, client: Any, key: str | None) -> None:
        self.client = client
        self.key = key
        self.http = KeyedHttp(client.http, key)

    def as_key(self, key: str | None) -> Api:
        return Api(self.client, key)

    def post_report(self, body: Any, **headers: str) -> Any:
        raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.http.post("/v1/reports", headers={"Content-Type": "application/json", **headers}, body=raw)

    def submit(self, body: dict[str, Any], **headers: str) -> str:
        answer = self.post_report(body, **headers)
        assert answer.status_code == 202, answer.body
        return str(json.loads(answer.body)["id"])

    def report(self, report_id: str) -> dict[str, Any]:
        answer = self.http.get(f"/v1/reports/{report_id}")
        assert answer.status_code == 200, answer.body
        return dict(json.loads(answer.body))


def body_of(answer: Any, status: int = 200) -> dict[str, Any]:
    """The JSON body of an answer that must have this status."""
    assert answer.status_code == status, answer.body
    return dict(json.loads(answer.body))


@pytest.fixture
def checker(api: Api) -> Api:
    """A fact-checker's key (partner id ``cekfakta``)."""
    return api.as_key(make_key("checker", partner_id="cekfakta"))


@pytest.fixture
def partner(api: Api) -> Api:
    """A partner app's key (partner id ``kabar-app``)."""
    return api.as_key(make_key("partner", partner_id="kabar-app"))


@pytest.fixture
def api(app: Any) -> Iterator[Api]:
    with Client(app) as client:
        yield Api(client, make_key("partner", "checker"))


@pytest.fixture
def runner(app: Any) -> EventSourceRunner:
    """The local stack's event sources; failed messages come back at once instead of after 30 s."""
    return EventSourceRunner(app, get_settings(), failed_visibility_seconds=0, batching_windows=False)


FACT_CHECK_KEY = "test-fact-check-key"


@pytest.fixture
def fact_check_api(aws: Resources, mocker: MockerFixture) -> Iterator[Any]:
    """The fake Fact Check Tools API on loopback, its key in Secrets Manager, and the settings pointing at it."""
    from chalicelib.adapters.aws import client
    from infra.local.fact_check_fake import FakeFactCheckApi, serving

    client("secretsmanager").create_secret(Name=get_settings().fact_check_key_secret, SecretString=FACT_CHECK_KEY)
    with serving(FakeFactCheckApi(key=FACT_CHECK_KEY)) as api:
        settings = get_settings().model_copy(update={"fact_check_api_url": api.url})
        mocker.patch("chalicelib.adapters.fact_check_api.get_settings", return_value=settings)
        yield api


@pytest.fixture
def pictures(aws: Resources) -> EventSourceRunner:
    """The picture function's queue, drained in this thread."""
    return EventSourceRunner(worker, get_settings(), failed_visibility_seconds=0, batching_windows=False)


def upload(api: Api, data: bytes, content_type: str = "image/png") -> str:
    """Ask for an upload and send the bytes as a browser form would; the upload id."""
    ticket = body_of(
        api.http.post(
            "/v1/uploads",
            headers={"Content-Type": "application/json"},
            body=json.dumps({"content_type": content_type, "size": len(data)}),
        ),
        201,
    )
    # The browser-style form POST, handed to the in-process emulator as its HTTP interception would
    # (the end-to-end tests send it over real HTTP to the local stack).
    form = requests.Request("POST", ticket["url"], data=ticket["fields"], files={"file": ("picture", data)}).prepare()
    answer = botocore_stubber.process_prepared_request(form)
    assert answer is not None and answer[0] in (200, 201, 204), answer
    return str(ticket["upload_id"])
