"""The submission contract: what partners may send, and what is refused with which field."""

from typing import Any

import pytest
from pydantic import ValidationError

from chalicelib.domain.models import ReportSubmission

VALID: dict[str, Any] = {"text": "Pemilu diundur", "platform": "whatsapp", "province": "31"}


def _fields(body: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        ReportSubmission.model_validate(body)
    return {".".join(str(p) for p in error["loc"]) for error in caught.value.errors()}


def test_a_minimal_report_is_accepted() -> None:
    report = ReportSubmission.model_validate(VALID)
    assert report.text == "Pemilu diundur"
    assert report.reporter is None


def test_a_url_alone_is_enough() -> None:
    report = ReportSubmission.model_validate({**VALID, "text": None, "url": "https://x.example/p"})
    assert report.url == "https://x.example/p"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": None}, ""),
        ({"text": "   "}, "text"),
        ({"platform": "myspace"}, "platform"),
        ({"province": "99"}, "province"),
        ({"province": 31}, "province"),
        ({"url": "ftp://x.example/file"}, "url"),
        ({"url": "https://x.example:99999/"}, "url"),
        ({"observed_at": "2024-02-14T10:00:00"}, "observed_at"),
        ({"reporter": {"contact": ""}}, "reporter.contact"),
        ({"reporter": {"contact": "+62811", "name": "Budi"}}, "reporter.name"),
        ({"source": "tipline"}, "source"),
    ],
)
def test_a_bad_field_is_named(change: dict[str, Any], field: str) -> None:
    assert field in _fields({**VALID, **change})


def test_observed_at_needs_an_offset_and_keeps_it() -> None:
    report = ReportSubmission.model_validate({**VALID, "observed_at": "2024-02-14T07:00:00+07:00"})
    assert report.observed_at is not None and report.observed_at.utcoffset() is not None
