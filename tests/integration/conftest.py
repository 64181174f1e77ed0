"""Integration fixtures: moto in-process, every resource created from the app's definitions."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import pytest
from moto import mock_aws

from chalicelib.adapters import check_queue
from chalicelib.adapters.aws import reset_clients
from chalicelib.config import get_settings
from chalicelib.services import reports as report_service
from chalicelib.store import stores
from infra.local.resources import Resources, create_resources


def _forget_cached_clients() -> None:
    reset_clients()
    stores.cache_clear()
    check_queue._queue_url.cache_clear()
    report_service._idempotent_submit.cache_clear()


@pytest.fixture
def aws() -> Iterator[Resources]:
    """A fresh emulated account with every table, queue, bucket and key."""
    with mock_aws():
        _forget_cached_clients()
        resources = create_resources(get_settings())
        yield resources
    _forget_cached_clients()


@lru_cache(maxsize=1)
def _app() -> Any:
    import app as app_module

    return app_module.app


@pytest.fixture
def app(aws: Resources) -> Any:
    return _app()
