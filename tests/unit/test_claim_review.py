"""Claims as ClaimReview JSON-LD, checked against what Google's fact-check documentation requires."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.claim_formats import read_claim_review
from chalicelib.domain.claim_review import claim_review
from chalicelib.domain.models import ClaimInput, ClaimView, Label


def google_fact_check_problems(document: dict[str, Any]) -> list[str]:
    """What Google's ClaimReview documentation requires (and the issue asks for) that the document lacks."""
    problems = []
    if document.get("@context") != "https://schema.org" or document.get("@type") != "ClaimReview":
        problems.append("not a schema.org ClaimReview")
    reviewed = document.get("claimReviewed")
    if not isinstance(reviewed, str) or not reviewed or len(reviewed) >= 75:
        problems.append("claimReviewed must be a text under 75 characters")
    rating = document.get("reviewRating")
    if not isinstance(rating, dict) or rating.get("@type") != "Rating" or not rating.get("alternateName"):
        problems.append("reviewRating must be a Rating with alternateName")
    elif "ratingValue" in rating and not (rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]):
        problems.append("ratingValue must lie between worstRating and bestRating")
    if not str(document.get("url", "")).startswith("https://"):
        problems.append("url (of the fact-check page) is required")
    author = document.get("author")
    if not isinstance(author, dict) or author.get("@type") not in ("Organization", "Person") or not author.get("name"):
        problems.append("author must be an Organization or Person with a name")
    if not isinstance(document.get("datePublished"), str):
        problems.append("datePublished is required")
    item = document.get("itemReviewed")
    if not isinstance(item, dict) or item.get("@type") != "Claim":
        problems.append("itemReviewed must be a Claim")
    elif not all(isinstance(a, dict) and a.get("url") for a in item.get("appearance", [])) or not item.get(
        "appearance"
    ):
        problems.append("itemReviewed must list where the claim appeared")
    return problems


def _claim(**changes: Any) -> ClaimView:
    fields: dict[str, Any] = {
        "id": "clm_" + "1" * 24,
        "external_id": "saring:case_abc",
        "title": "Video lama kerusuhan diklaim terjadi saat penghitungan suara Pemilu 2024 di Jakarta Timur",
        "text": "Kerusuhan di TPS Jakarta Timur malam ini! Sebarkan!",
        "label": Label.HOAKS,
        "publisher_label": "SALAH",
        "date": "2026-11-28",
        "url": "https://cekfakta.example/video-lama",
        "publisher": "mafindo",
        "appearance_urls": ["https://x.example/status/1", "https://fb.example/p/2"],
        "updated_at": datetime(2026, 11, 28, 10, tzinfo=UTC),
    }
    return ClaimView(**{**fields, **changes})


def test_a_published_claim_has_every_field_google_requires() -> None:
    # When a claim made from a verdict is shown as ClaimReview
    review = claim_review(_claim())

    # Then nothing Google requires is missing, and the long title was shortened on a word
    assert google_fact_check_problems(review) == []
    assert review["claimReviewed"].endswith("…") and len(review["claimReviewed"]) < 75
    assert review["reviewRating"]["alternateName"] == "SALAH"
    assert [a["url"] for a in review["itemReviewed"]["appearance"]] == [
        "https://x.example/status/1",
        "https://fb.example/p/2",
    ]


def test_the_check_finds_what_is_missing() -> None:
    # Given documents that break one rule each, the check names each (so it can fail)
    review = claim_review(_claim())
    assert google_fact_check_problems({**review, "claimReviewed": "x" * 80}) == [
        "claimReviewed must be a text under 75 characters"
    ]
    no_url = claim_review(_claim(url=None))
    assert "url (of the fact-check page) is required" in google_fact_check_problems(no_url)
    no_appearance = claim_review(_claim(appearance_urls=[]))
    assert google_fact_check_problems(no_appearance) == ["itemReviewed must list where the claim appeared"]
    unrated = {**review, "reviewRating": {"@type": "Rating", "ratingValue": 1}}
    assert google_fact_check_problems(unrated) == ["reviewRating must be a Rating with alternateName"]


def test_a_claim_without_its_own_date_is_dated_when_it_was_saved() -> None:
    assert claim_review(_claim(date=None))["datePublished"] == "2026-11-28"


def test_import_reads_the_documents_saring_writes() -> None:
    # Given a claim as Saring publishes it
    claim = _claim(title="Surat suara tercoblos di gudang KPU")

    # When the document is imported again
    rows = list(read_claim_review(json.dumps({"@graph": [claim_review(claim)]})))

    # Then it is the same claim (same external id: a re-import updates it)
    assert len(rows) == 1
    _, imported = rows[0]
    assert isinstance(imported, ClaimInput)
    assert imported.external_id == claim.external_id
    assert (imported.title, imported.label, imported.publisher_label) == (claim.title, Label.HOAKS, "SALAH")
    assert (imported.url, imported.date, imported.publisher) == (claim.url, claim.date, claim.publisher)
    assert imported.appearance_urls == claim.appearance_urls
