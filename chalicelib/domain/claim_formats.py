"""Claims as other people write them: turnbackhoax JSON Lines, CSV, schema.org ClaimReview, and the
answers of Google's Fact Check Tools ``claims:search`` (pure).

Each reader yields ``(line, ClaimInput | error message)`` so an import keeps the good rows and
reports every bad one by its line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from chalicelib.domain.models import ClaimInput, Label

# Publishers' verdict wording → the normalised label. turnbackhoax.id's [SALAH] is HOAKS.
_LABELS = {
    "salah": Label.HOAKS,
    "hoaks": Label.HOAKS,
    "hoax": Label.HOAKS,
    "false": Label.HOAKS,
    "palsu": Label.HOAKS,
    "keliru": Label.HOAKS,
    "disinformasi": Label.DISINFORMASI,
    "misinformasi": Label.MISINFORMASI,
    "malinformasi": Label.MALINFORMASI,
    "menyesatkan": Label.MENYESATKAN,
    "misleading": Label.MENYESATKAN,
    "konten menyesatkan": Label.MENYESATKAN,
    "penipuan": Label.PENIPUAN,
    "scam": Label.PENIPUAN,
    "satire": Label.SATIRE,
    "satira": Label.SATIRE,
    "parodi": Label.SATIRE,
    "benar": Label.BENAR,
    "true": Label.BENAR,
    "fakta": Label.BENAR,
    "belum terbukti": Label.BELUM_TERBUKTI,
    "unproven": Label.BELUM_TERBUKTI,
    "belum_terbukti": Label.BELUM_TERBUKTI,
    "tidak terbukti": Label.BELUM_TERBUKTI,
    "tidak benar": Label.HOAKS,
    "pants on fire": Label.HOAKS,
}

Row = tuple[int, ClaimInput | str]


def normalise_label(publisher_label: str | None, default: Label | None = None) -> Label | None:
    """The normalised label for a publisher's wording (``[SALAH]`` → HOAKS), or ``default``."""
    if not publisher_label:
        return default
    key = publisher_label.strip().strip("[]").strip().casefold().replace("_", " ")
    return _LABELS.get(key) or _LABELS.get(key.replace(" ", "_")) or default


def has_unknown_rating(claim: ClaimInput) -> bool:
    """A claim whose publisher's rating the label table does not know (kept as ``BELUM_TERBUKTI``)."""
    return (
        claim.label is Label.BELUM_TERBUKTI
        and bool(claim.publisher_label)
        and normalise_label(claim.publisher_label) is None
    )


def _validated(line: int, data: dict[str, Any]) -> Row:
    try:
        return line, ClaimInput.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in error.errors(include_url=False)
        )
        return line, problems


def _from_turnbackhoax(row: dict[str, Any]) -> dict[str, Any]:
    """A turnbackhoax.id fact-check (``id``, ``narrative``, ``label`` …) as a claim."""
    url = row.get("url")
    return {
        "external_id": row.get("id"),
        "title": row.get("title"),
        "text": row.get("narrative"),
        "label": normalise_label(row.get("label"), Label.HOAKS),  # every row there is a debunk
        "publisher_label": row.get("label"),
        "date": row.get("date"),
        "url": url,
        "publisher": urlsplit(url).hostname if url else "turnbackhoax.id",
        "topic": row.get("topic"),
    }


def read_json_lines(content: str) -> Iterator[Row]:
    """Our own claim fields, or the turnbackhoax shape (recognised by ``narrative``)."""
    for line, raw in enumerate(content.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as error:
            yield line, f"not JSON: {error.msg}"
            continue
        if not isinstance(row, dict):
            yield line, "not a JSON object"
            continue
        if isinstance(row.get("claims"), list) and "external_id" not in row:
            yield from ((line, claim) for _, claim in fact_check_search_rows(row))
            continue
        if "narrative" in row and "external_id" not in row:
            row = _from_turnbackhoax(row)
        elif "label" in row and normalise_label(str(row["label"])) and row["label"] not in Label.__members__:
            row = {
                **row,
                "publisher_label": row.get("publisher_label") or row["label"],
                "label": normalise_label(str(row["label"])),
            }
        yield _validated(line, row)


CSV_COLUMNS = (
    "external_id",
    "title",
    "text",
    "label",
    "publisher_label",
    "date",
    "url",
    "publisher",
    "topic",
    "language",
    "province",
    "appearance_urls",
)


def read_csv(content: str) -> Iterator[Row]:
    """A header row naming the claim fields; ``appearance_urls`` separated by spaces or ``|``."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    unknown = set(reader.fieldnames or []) - set(CSV_COLUMNS)
    if unknown:
        yield 1, f"unknown columns: {', '.join(sorted(unknown))}"
        return
    for row in reader:
        data: dict[str, Any] = {k: v for k, v in row.items() if v not in (None, "")}
        if "appearance_urls" in data:
            data["appearance_urls"] = data["appearance_urls"].replace("|", " ").split()
        if "label" in data:
            data["publisher_label"] = data.get("publisher_label") or data["label"]
            data["label"] = normalise_label(data["label"]) or data["label"]
        yield _validated(reader.line_num, data)


def _language(code: object) -> str:
    """The primary subtag of a language code (``en-US`` → ``en``); Indonesian when none is given."""
    primary = str(code or "id").split("-", 1)[0].split("_", 1)[0].casefold()
    return primary if 2 <= len(primary) <= 3 and primary.isalpha() else "id"


def _from_claim_search(claim: dict[str, Any], review: dict[str, Any]) -> dict[str, Any]:
    """One review of a ``claims:search`` claim as a claim of ours, keyed by the review's URL."""
    given = review.get("publisher")
    publisher: dict[str, Any] = given if isinstance(given, dict) else {}
    rating = review.get("textualRating")
    text = claim.get("text")
    return {
        "external_id": review.get("url"),
        "title": review.get("title") or text,
        "text": text,
        # A rating the table does not know is kept as the publisher wrote it, never guessed.
        "label": normalise_label(rating, Label.BELUM_TERBUKTI),
        "publisher_label": rating,
        "date": str(review.get("reviewDate") or claim.get("claimDate") or "")[:10] or None,
        "url": review.get("url"),
        "publisher": publisher.get("name") or publisher.get("site"),
        "language": _language(review.get("languageCode")),
    }


def fact_check_search_rows(answer: dict[str, Any]) -> Iterator[Row]:
    """The claims of one ``claims:search`` answer: a claim per review (each with the claim's text).

    Rows are numbered by claim (1 for the first claim of the answer); a review without a URL has
    no identity to keep it by, and is refused.
    """
    for number, claim in enumerate(answer.get("claims") or [], start=1):
        reviews = claim.get("claimReview") if isinstance(claim, dict) else None
        if not isinstance(reviews, list) or not reviews:
            yield number, "a claim without claimReview"
            continue
        for review in reviews:
            if not isinstance(review, dict) or not review.get("url"):
                yield number, "a claim review without url"
                continue
            yield _validated(number, _from_claim_search(claim, review))


def read_claim_review(content: str) -> Iterator[Row]:
    """schema.org ClaimReview (one object, a list, or a graph), or a saved ``claims:search`` answer."""
    try:
        document = json.loads(content)
    except json.JSONDecodeError as error:
        yield 1, f"not JSON: {error.msg}"
        return
    if isinstance(document, dict) and isinstance(document.get("claims"), list):
        yield from fact_check_search_rows(document)
        return
    items = document.get("@graph", [document]) if isinstance(document, dict) else document
    for number, item in enumerate(items if isinstance(items, list) else [], start=1):
        if not isinstance(item, dict) or item.get("@type") != "ClaimReview":
            yield number, "not a ClaimReview"
            continue
        rating = item.get("reviewRating") or {}
        reviewed = item.get("itemReviewed") or {}
        author = item.get("author") or {}
        appearances = reviewed.get("appearance") or []
        if isinstance(appearances, dict):
            appearances = [appearances]
        first = reviewed.get("firstAppearance")
        seen = [a for a in [*(appearances or []), *([first] if isinstance(first, dict) else [])] if isinstance(a, dict)]
        urls = [a.get("url") for a in seen]
        data = {
            "external_id": item.get("identifier") or item.get("@id") or item.get("url"),
            "title": item.get("claimReviewed"),
            "label": normalise_label(rating.get("alternateName")),
            "publisher_label": rating.get("alternateName"),
            "date": (item.get("datePublished") or "")[:10] or None,
            "url": item.get("url"),
            "publisher": author.get("name") if isinstance(author, dict) else None,
            "appearance_urls": [u for u in urls if u],
            # A picture of the hoax as it appeared: its link is kept, the picture is never fetched.
            "appearance_image_urls": [u for a in seen for u in _image_urls(a.get("image"))],
        }
        yield _validated(number, data)


def _image_urls(image: Any) -> list[str]:
    """The links of a schema.org ``image``: a URL, an ImageObject (``contentUrl`` or ``url``), or a list of them."""
    if isinstance(image, str):
        return [image]
    if isinstance(image, dict):
        link = image.get("contentUrl") or image.get("url")
        return [link] if isinstance(link, str) else []
    if isinstance(image, list):
        return [url for item in image for url in _image_urls(item)]
    return []


def reader_for(filename: str) -> Any:
    """The reader for a file by its ending: .jsonl (also of ``claims:search`` answers), .csv, or .json
    (ClaimReview or one ``claims:search`` answer)."""
    name = filename.lower()
    if name.endswith((".jsonl", ".ndjson")):
        return read_json_lines
    if name.endswith(".csv"):
        return read_csv
    if name.endswith(".json"):
        return read_claim_review
    raise ValueError(f"{filename}: use .jsonl (JSON Lines), .csv or .json (ClaimReview)")
