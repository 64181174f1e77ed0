"""What the claim index takes in and gives back: claims, their analysis, matches (pure, no numpy).

A claim is analysed once, when it is written (``analyse_claim``), and the claims table keeps the
result (``AnalysedClaim.stored``): building the index then only counts terms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import Any

from chalicelib.domain.matching.analysis import analyse, analyse_headline

ANALYSIS_VERSION = 4  # bump when analysis.py changes what it finds: stored analyses are then redone


@dataclass(frozen=True)
class ClaimDoc:
    """What the index keeps of a claim."""

    id: str
    external_id: str
    title: str
    label: str
    url: str | None = None
    date: str | None = None  # ISO date of the debunk
    texts: tuple[str, ...] = ()  # the hoax as it circulated, possibly several variants
    appearance_urls: tuple[str, ...] = ()
    pictures: tuple[tuple[str, ...], ...] = ()  # each picture's PDQ hashes (domain/pictures.py)


@dataclass(frozen=True)
class AnalysedClaim:
    """A claim with what matching needs of its texts, computed once when the claim is written."""

    doc: ClaimDoc  # without its texts: the index does not keep them
    terms: tuple[str, ...]  # each content term once
    counts: tuple[int, ...]  # how often each occurs
    numbers: tuple[str, ...]
    names: tuple[str, ...]
    headline: tuple[str, ...] = ()  # the terms of the fact-check's headline, once each
    function_words: tuple[str, ...] = ()  # the function words its texts use (analysis.py), else its headline's

    def stored(self) -> str:
        """The analysis as the claims table keeps it (JSON, with the analysis version)."""
        pairs = zip(self.terms, self.counts, strict=True)
        terms = " ".join(term if count == 1 else f"{term}:{count}" for term, count in pairs)
        record = {
            "v": ANALYSIS_VERSION,
            "t": terms,
            "n": self.numbers,
            "m": self.names,
            "h": " ".join(self.headline),
            "f": " ".join(self.function_words),
        }
        return json.dumps(record)

    @classmethod
    def restored(cls, doc: ClaimDoc, stored: str | None) -> AnalysedClaim:
        """The stored analysis of ``doc``; analysed afresh when missing or of another analysis version."""
        try:
            record = json.loads(stored) if stored else None
        except ValueError:
            record = None
        if not isinstance(record, dict) or record.get("v") != ANALYSIS_VERSION:
            return analyse_claim(doc)
        terms, counts = [], []
        for token in str(record["t"]).split():
            term, _, count = token.rpartition(":") if ":" in token else (token, "", "1")
            terms.append(term)
            counts.append(int(count))
        bare = replace(doc, texts=())
        return cls(
            bare,
            tuple(terms),
            tuple(counts),
            tuple(record["n"]),
            tuple(record["m"]),
            tuple(record["h"].split()),
            tuple(record["f"].split()),
        )


def analyse_claim(doc: ClaimDoc) -> AnalysedClaim:
    """Analyse a claim's headline (without the fact-checker's framing) and the texts that circulated."""
    headline = analyse_headline(doc.title)
    body = analyse("\n".join(doc.texts))
    counts: dict[str, int] = {}
    for term in chain(headline.terms, body.terms):
        counts[term] = counts.get(term, 0) + 1
    bare = replace(doc, texts=())
    return AnalysedClaim(
        bare,
        tuple(counts),
        tuple(counts.values()),
        tuple(sorted(headline.numbers | body.numbers)),
        tuple(sorted(headline.names | body.names)),
        tuple(dict.fromkeys(headline.terms)),
        # A copy copies the text that circulated, not the fact-checker's headline: the headline's
        # function words count only for a claim that has no other text.
        tuple(sorted(body.function_words if doc.texts else headline.function_words)),
    )


@dataclass(frozen=True)
class Match:
    claim: ClaimDoc
    score: float  # in [0, 1]
    level: str  # "match", "suggest" or "none"
    reasons: tuple[str, ...] = field(default=())


def encode_changes(changes: dict[str, AnalysedClaim | None]) -> bytes:
    """A set of claim changes as published for every container: claim id → the claim, or null if withdrawn."""
    return json.dumps({claim_id: _as_dict(claim) if claim else None for claim_id, claim in changes.items()}).encode()


def decode_changes(blob: bytes) -> dict[str, AnalysedClaim | None]:
    return {claim_id: _from_dict(item) if item else None for claim_id, item in json.loads(blob).items()}


def _as_dict(claim: AnalysedClaim) -> dict[str, object]:
    doc = claim.doc
    return {
        "external_id": doc.external_id,
        "title": doc.title,
        "label": doc.label,
        "url": doc.url,
        "date": doc.date,
        "appearance_urls": list(doc.appearance_urls),
        "pictures": [list(hashes) for hashes in doc.pictures],
        "analysis": claim.stored(),
        "id": doc.id,
    }


def _from_dict(item: dict[str, Any]) -> AnalysedClaim:
    doc = ClaimDoc(
        id=item["id"],
        external_id=item["external_id"],
        title=item["title"],
        label=item["label"],
        url=item["url"],
        date=item["date"],
        appearance_urls=tuple(item["appearance_urls"]),
        pictures=tuple(tuple(hashes) for hashes in item.get("pictures", ())),
    )
    return AnalysedClaim.restored(doc, item["analysis"])
