"""The settings AWS runs with, which the rest of the suite turns off for speed or for moto's sake.

The suite refreshes the claim index on every lookup (``SARING_INDEX_REFRESH_SECONDS=0``) and
spreads verdicts with one writer (moto in-process is not thread-safe). Here: the index cache of a
container as deployed (the setting's default), and eight verdict writers, with the emulator's calls taken one at a
time so that only Saring's own threads are under test.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_mock import MockerFixture

from chalicelib.config import Settings, get_settings
from chalicelib.domain.models import CaseVerdictRequest
from chalicelib.services import claim_index
from chalicelib.services.cases import publish_verdict, spread_verdict
from infra.local.harness import write_big_case
from infra.local.resources import Resources
from infra.local.runner import EventSourceRunner
from tests.integration.conftest import Api
from tests.integration.test_cases import CHECKER, ELECTION_HOAX, _labels, _verdict

DEPLOYED = Settings(stage="local").model_copy(update={"verdict_writers": 8})  # the index refresh as deployed
TEXT = "Beredar kabar KPU memindahkan semua TPS di Jakarta ke balai kota mulai besok pagi, sebarkan"


@pytest.fixture
def deployed(mocker: MockerFixture) -> Settings:
    settings = get_settings().model_copy(
        update={"index_refresh_seconds": DEPLOYED.index_refresh_seconds, "verdict_writers": DEPLOYED.verdict_writers}
    )
    for module in ("chalicelib.services.claim_index", "chalicelib.store.reports"):
        mocker.patch(f"{module}.get_settings", return_value=settings)
    return settings


def test_a_container_answers_from_its_cached_index_until_the_refresh_period_ends(
    api: Api, runner: EventSourceRunner, deployed: Settings, mocker: MockerFixture
) -> None:
    # Given a container that has loaded the index (with no claims) at t=1000
    clock = mocker.patch("chalicelib.services.claim_index.time.monotonic", return_value=1_000.0)
    assert api.http.post("/v1/lookup", body={"text": TEXT}).status_code == 200
    # When a claim is published (a new snapshot) and the container looks up just before the period ends
    period = deployed.index_refresh_seconds
    assert period > 0
    claim = {"external_id": "cache-1", "title": "TPS Jakarta dipindah ke balai kota", "text": TEXT, "label": "HOAKS"}
    assert api.http.post("/v1/claims", body=claim).status_code == 201
    runner.drain()
    clock.return_value = 1_000.0 + period - 0.5
    cached = api.http.post("/v1/lookup", body={"text": TEXT}).json_body
    # Then it still answers from the copy it has, without reading S3
    assert cached["matches"] == []
    # And once the period is over it loads the new snapshot
    clock.return_value = 1_000.0 + period + 0.5
    fresh = api.http.post("/v1/lookup", body={"text": TEXT}).json_body
    assert fresh["matches"][0]["claim"]["external_id"] == "cache-1"
    assert fresh["verdict_hint"] == "HOAKS"
    claim_index.forget_loaded_index()


@pytest.fixture
def one_emulator_call_at_a_time(aws: Resources, mocker: MockerFixture) -> Iterator[None]:
    """Saring's writer threads run for real; the emulator (not thread-safe) serves one call at a time.

    Every botocore client (PynamoDB keeps its own) goes through ``BaseClient._make_api_call``.
    """
    from botocore.client import BaseClient

    real = BaseClient._make_api_call
    lock = threading.Lock()
    threads: set[str] = set()

    def serialised(self: BaseClient, *args: Any, **kwargs: Any) -> Any:
        threads.add(threading.current_thread().name)
        with lock:
            return real(self, *args, **kwargs)

    mocker.patch.object(BaseClient, "_make_api_call", serialised)
    yield
    assert len(threads) > 1  # the writers really ran on several threads


def test_eight_writers_spread_a_verdict_to_every_report_once(
    deployed: Settings, one_emulator_call_at_a_time: None, mocker: MockerFixture
) -> None:
    # Given a case of 250 reports and a verdict on it
    case_id = write_big_case(250, ELECTION_HOAX, case_id="case_" + "w" * 26)
    mocker.patch("chalicelib.adapters.verdict_queue.enqueue_applications")
    publish_verdict(case_id, CaseVerdictRequest.model_validate(_verdict(0)), CHECKER)
    # When the job spreads it with eight writers, twice (a retried message)
    assert spread_verdict(case_id, has_time=lambda: True) is True
    assert spread_verdict(case_id, has_time=lambda: True) is True
    # Then every report has it, counted once
    from chalicelib.store import stores

    assert _labels(case_id) == ["HOAKS"] * 250
    case = stores().cases.get(case_id)
    assert case is not None and case.applied_count == 250 and not case.applying
