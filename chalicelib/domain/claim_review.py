"""Claims as schema.org ClaimReview JSON-LD, the form search engines and fact-check tools read (pure)."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.domain.models import ClaimView, Label

# 1 (false) … 5 (true), as Google's fact-check markup expects a numeric rating beside the text.
_RATING = {
    Label.HOAKS: 1,
    Label.DISINFORMASI: 1,
    Label.PENIPUAN: 1,
    Label.MISINFORMASI: 2,
    Label.MALINFORMASI: 2,
    Label.MENYESATKAN: 2,
    Label.SATIRE: 3,
    Label.BELUM_TERBUKTI: 3,
    Label.BENAR: 5,
}
CLAIM_REVIEWED_MAX = 74  # "claimReviewed" should stay under 75 characters


def _short(text: str) -> str:
    if len(text) <= CLAIM_REVIEWED_MAX:
        return text
    return text[: CLAIM_REVIEWED_MAX - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def claim_review(claim: ClaimView) -> dict[str, Any]:
    """The claim as a ClaimReview document."""
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "@id": claim.url or f"urn:saring:claim:{claim.id}",
        "identifier": claim.external_id,  # a re-import of this document updates the same claim
        "claimReviewed": _short(claim.title),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": _RATING[claim.label],
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": claim.publisher_label or claim.label.value,
        },
        "itemReviewed": {
            "@type": "Claim",
            "appearance": [
                *({"@type": "CreativeWork", "url": url} for url in claim.appearance_urls),
                *({"@type": "ImageObject", "contentUrl": url} for url in claim.appearance_image_urls),
            ],
        },
        "author": {"@type": "Organization", "name": claim.publisher or "Saring"},
        "inLanguage": claim.language,
        # The debunk's own date; a claim imported without one was published here when last saved.
        "datePublished": claim.date or claim.updated_at.date().isoformat(),
    }
    if claim.url:
        review["url"] = claim.url
    return review


# Sites paste this JSON into <script type="application/ld+json">: "</script>" inside a string would
# end the script there. JSON allows \u escapes for any character, so these parse back the same.
_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def json_ld(document: dict[str, Any]) -> str:
    """The document as JSON text that is safe inside an HTML script element."""
    return json.dumps(document, ensure_ascii=False).translate(_HTML_SAFE)
