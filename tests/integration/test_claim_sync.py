"""The claim sync against a fake Fact Check Tools API on loopback: paging, faults, resuming, idempotence."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.claim_sync_state import load_state
from chalicelib.config import get_settings
from chalicelib.services.claim_sync import sync_claims
from chalicelib.store import stores
from infra.local.fact_check_fake import FakeFactCheckApi, Fault
from infra.local.runner import EventSourceRunner
from tests.integration.conftest import Api

NOW = datetime(2026, 11, 29, 3, tzinfo=UTC)


def _claim(n: int, rating: str = "Salah", site: str = "cekfakta.example") -> dict[str, Any]:
    return {
        "text": f"Klaim nomor {n} tentang pemilu yang beredar di grup percakapan keluarga",
        "claimReview": [
            {
                "publisher": {"name": "Cek Fakta Contoh", "site": site},
                "url": f"https://{site}/2024/klaim-{n}",
                "title": f"Klaim {n} tidak benar",
                "reviewDate": "2024-02-01T00:00:00Z",
                "textualRating": rating,
                "languageCode": "id",
            }
        ],
    }


@pytest.fixture
def searches(mocker: Any) -> list[tuple[str, str]]:
    """Two searches: a term and a publisher (the settings' lists, shortened for the tests)."""
    chosen = [("query", "pemilu"), ("publisher", "cekfakta.example")]
    settings = get_settings().model_copy(
        update={"fact_check_queries": "pemilu", "fact_check_publishers": "cekfakta.example"}
    )
    mocker.patch("chalicelib.services.claim_sync.get_settings", return_value=settings)
    assert settings.fact_check_searches == chosen
    return chosen


def _external_ids() -> set[str]:
    from chalicelib.store.tables import ClaimRecord

    return {record.external_id for record in ClaimRecord.scan()}


def test_pages_are_followed_and_every_review_becomes_a_claim(
    fact_check_api: FakeFactCheckApi, searches: list[tuple[str, str]]
) -> None:
    # Given two pages for the term, an empty answer for the publisher, and one unknown rating
    fact_check_api.pages["query=pemilu"] = [{"claims": [_claim(1), _claim(2)]}, {"claims": [_claim(3, "Mostly False")]}]
    # When the sync runs
    report = sync_claims(now=NOW, sleep=lambda seconds: None)
    # Then it followed nextPageToken, imported three claims, counted the unknown rating, and asked in Indonesian
    assert (report.added, report.updated, report.unchanged, report.unknown_ratings) == (3, 0, 0, 1)
    assert report.errors == [] and report.complete
    assert _external_ids() == {f"https://cekfakta.example/2024/klaim-{n}" for n in (1, 2, 3)}
    third = stores().claims.get_many([_id(3)])[0]
    assert (third.label.value, third.publisher_label) == ("BELUM_TERBUKTI", "Mostly False")
    asked = fact_check_api.requests
    assert [r.get("pageToken") for r in asked] == [None, "page-1", None]
    assert all(r["languageCode"] == "id" and r["maxAgeDays"] == "365" for r in asked)
    assert asked[2]["reviewPublisherSiteFilter"] == "cekfakta.example"
    # And the next run asks only for what is newer than this one, and changes nothing that did not change
    fact_check_api.requests.clear()
    again = sync_claims(now=NOW + timedelta(hours=6), sleep=lambda seconds: None)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert {r["maxAgeDays"] for r in fact_check_api.requests} == {"2"}


def _id(n: int) -> str:
    from chalicelib.domain.ids import claim_id_for

    return claim_id_for(f"https://cekfakta.example/2024/klaim-{n}")


def test_a_rate_limit_is_waited_out_and_a_server_error_retried(
    fact_check_api: FakeFactCheckApi, searches: list[tuple[str, str]]
) -> None:
    # Given an API that first asks to wait 3 seconds, then fails once
    fact_check_api.pages["query=pemilu"] = [{"claims": [_claim(1)]}]
    fact_check_api.faults = [Fault(429, b"{}", {"Retry-After": "3"}), Fault(500, b"{}")]
    waits: list[float] = []
    # When the sync runs
    report = sync_claims(now=NOW, sleep=waits.append)
    # Then it waited as told, retried, and got everything
    assert waits == [3.0, 4.0]  # Retry-After, then the backoff after the 500 (second try of that page)
    assert report.added == 1 and report.complete


def test_a_bad_answer_ends_that_search_for_this_run_and_the_next_run_resumes_it(
    fact_check_api: FakeFactCheckApi, searches: list[tuple[str, str]]
) -> None:
    # Given a term with three pages, whose second page comes back as a body that is not JSON
    fact_check_api.pages["query=pemilu"] = [{"claims": [_claim(n)]} for n in (1, 2, 3)]
    fact_check_api.pages["publisher=cekfakta.example"] = [{"claims": [_claim(9)]}]
    real_answer = fact_check_api.answer

    def broken_second_page(params: dict[str, str]) -> Fault:
        if params.get("pageToken") == "page-1" and not broken:
            broken.append(True)
            return Fault(200, b"<html>maintenance</html>")
        return real_answer(params)

    broken: list[bool] = []
    fact_check_api.answer = broken_second_page  # type: ignore[method-assign]
    # When the sync runs
    first = sync_claims(now=NOW, sleep=lambda seconds: None)
    # Then the error is reported, the other search still ran, and the place is kept
    assert first.errors == ["query=pemilu: the answer is not JSON"] and not first.complete
    assert first.added == 2  # page one of the term, and the publisher's claim
    state = load_state()
    assert state["resume"] == {"query=pemilu": "page-1"} and "since" not in state
    # And the next run continues from that page, then records a complete run
    second = sync_claims(now=NOW + timedelta(hours=6), sleep=lambda seconds: None)
    assert second.complete and second.added == 2
    assert _external_ids() >= {f"https://cekfakta.example/2024/klaim-{n}" for n in (1, 2, 3, 9)}
    assert load_state()["resume"] == {} and load_state()["since"] == (NOW + timedelta(hours=6)).isoformat()


def test_a_long_rate_limit_and_a_wrong_key_are_reported_not_raised(
    fact_check_api: FakeFactCheckApi, searches: list[tuple[str, str]]
) -> None:
    fact_check_api.faults = [Fault(429, b"{}", {"Retry-After": "3600"})]
    fact_check_api.key = "another-key"
    report = sync_claims(now=NOW, sleep=lambda seconds: pytest.fail("an hour is not waited out"))
    assert report.errors == ["query=pemilu: HTTP 429", "publisher=cekfakta.example: HTTP 403"]


def test_without_an_api_key_the_sync_does_nothing(aws: Any, searches: list[tuple[str, str]]) -> None:
    report = sync_claims(now=NOW)
    assert not report.configured and report.added == 0


def test_the_schedule_syncs_and_new_claims_answer_lookups(
    api: Api, runner: EventSourceRunner, fact_check_api: FakeFactCheckApi, searches: list[tuple[str, str]]
) -> None:
    # Given a published fact-check the stack does not hold
    text = "Surat suara pemilu 2024 sudah dicoblos duluan di gudang logistik KPU kabupaten, sebarkan sebelum dihapus"
    claim = _claim(7)
    claim["text"] = text
    fact_check_api.pages["query=pemilu"] = [{"claims": [claim]}]
    # When the schedule fires and the claims' stream rebuilds the index
    runner.fire_schedules("sync_claims")
    runner.drain()
    # Then a lookup of the hoax finds it
    answer = json.loads(api.http.post("/v1/lookup", body={"text": text}).body)
    assert answer["matches"][0]["claim"]["url"] == "https://cekfakta.example/2024/klaim-7"
