"""A verdict reaching a big case: reports updated a second, beside one writer at a time (the baseline).

Two settings, both through the real job (pages, conditional updates, saved progress):
- against moto in-process, whose update expressions cost ~17 ms of CPU each, so threads cannot help;
- with each report update modelled as a 6 ms wait (a same-region DynamoDB UpdateItem), the rest
  still against moto: what the 8 writers in flight buy when the time is network, as on AWS.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from typing import Any
from unittest import mock

REPORTS = 1_000
MODELLED_UPDATE_SECONDS = 0.006
PAGE_LIMIT_SECONDS = 900  # a Lambda's longest run: what one run could do before it hands over


def _spread_seconds(writers: int, modelled: bool) -> float:
    from chalicelib.config import get_settings
    from chalicelib.domain.audit import Actor
    from chalicelib.domain.models import CaseVerdictRequest
    from chalicelib.services.cases import publish_verdict, spread_verdict
    from chalicelib.store.tables import ReportRecord
    from infra.local.harness import write_big_case
    from infra.local.resources import create_resources

    create_resources(get_settings())
    case_id = write_big_case(REPORTS, "Pesan berantai")
    request = CaseVerdictRequest.model_validate(
        {
            "version": 0,
            "label": "HOAKS",
            "summary": "Ringkasan pemeriksaan untuk pengukuran.",
            "fact_check_url": "https://cekfakta.example/bench",
            "title": "Klaim untuk pengukuran",
        }
    )
    with mock.patch("chalicelib.adapters.verdict_queue.enqueue_applications"):
        publish_verdict(case_id, request, Actor("key_bench", "bench", "bench"))
    with contextlib.ExitStack() as patches:
        patches.enter_context(mock.patch.dict(os.environ, {"SARING_VERDICT_WRITERS": str(writers)}))
        get_settings.cache_clear()
        if modelled:
            wait = mock.patch.object(ReportRecord, "update", lambda *_, **__: time.sleep(MODELLED_UPDATE_SECONDS))
            patches.enter_context(wait)
        started = time.perf_counter()
        assert spread_verdict(case_id, has_time=lambda: True)
        elapsed = time.perf_counter() - started
    get_settings.cache_clear()
    return elapsed


def measure() -> dict[str, float]:
    from infra.local.harness import use_test_environment

    use_test_environment()  # dummy credentials and the test settings

    os.environ["SARING_LOG_LEVEL"] = "WARNING"
    from moto import mock_aws

    from infra.local.harness import forget_process_caches

    results: dict[str, float] = {}
    aws = mock_aws()
    aws.start()
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for modelled in (False, True):
                for writers in (1, 8):
                    aws.reset()
                    forget_process_caches()
                    setting = "6 ms modelled update" if modelled else "moto"
                    results[f"{setting}, {writers} writer{'s' if writers > 1 else ''}"] = _spread_seconds(
                        writers, modelled
                    )
    finally:
        aws.stop()
    return results


def report() -> None:
    results = measure()
    print(f"A verdict reaching a case of {REPORTS:,} reports (the real job; see bench/verdicts.py)")
    print(f"  {'store, writers in flight':<40} {'seconds':>8} {'reports/s':>10}")
    for name, seconds in results.items():
        print(f"  {name:<40} {seconds:>8.2f} {REPORTS / seconds:>10.0f}")
    rate = REPORTS / results["6 ms modelled update, 8 writers"]
    print("  baseline: one writer at a time; progress is saved after each page of 100")
    print(f"  at this rate one Lambda run of 15 minutes reaches ~{rate * (PAGE_LIMIT_SECONDS - 20):,.0f} reports")
    print("  before handing over (20 s margin); any case size fits, run after run")


def main(argv: Any = None) -> None:
    report()


if __name__ == "__main__":
    main()
