"""ClaimIndex: find the fact-checks that debunk a text or a link, ranked, with how sure it is.

Retrieval is BM25 over analysed terms (``analysis.py``); the best candidates are re-ranked by how
much of the query's weighted content each claim covers and how much of the claim the query covers.
Levels:

- ``match``: confident enough to decide a verdict automatically;
- ``suggest``: a fact-checker should look;
- ``none``: weak, returned only to fill ``limit``.

Guards keep a wrong confident match — the worst outcome, it labels content a hoax — rare: fewer
than 8 words never auto-confirm, a template variant (other numbers or names than the claim's)
never auto-confirms, and neither does a claim older than an optional recency window. An exact
canonical URL of a place the hoax appeared comes first and is certain, except on an official or
widely shared site (``sites.py``), where a link alone only suggests and the text decides. And when
the text cannot tell the best claim from another one nearly as close, and the two differ in names
or numbers the text does not mention (one hoax told of two countries, one scam of two banks), the
answer is a suggestion: deciding would be a coin toss over which story it is.
"""

from __future__ import annotations

import heapq
import marshal
import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from chalicelib.domain.matching.analysis import Analysis, analyse, analyse_headline
from chalicelib.domain.matching.sites import link_can_confirm
from chalicelib.domain.normalise import canonicalise_url

FORMAT = 4
READABLE_FORMATS = (3, 4)  # 3: before the claims' names were kept (the ambiguity guard then compares numbers only)
K1 = 1.2
B = 0.75
CANDIDATES = 40  # BM25 candidates re-ranked per query
RETRIEVAL_TERMS = 48  # rarest query terms used for retrieval (long queries stay fast)
MIN_RETRIEVAL_TERMS = 3  # … however common they are
POSTINGS_BUDGET = 20_000  # postings read per query at most, beyond the first few terms
MIN_WORDS_TO_CONFIRM = 8
MATCH_AT = 0.80  # score from which a match decides a verdict automatically
SUGGEST_AT = 0.45  # score from which a fact-checker should look
LINK_ONLY_SCORE = 0.60  # the same link on a site where a link alone cannot confirm: a suggestion
AMBIGUITY_MARGIN = 0.05  # a rival this close to the best claim is one the text cannot tell apart


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


@dataclass(frozen=True)
class Match:
    claim: ClaimDoc
    score: float  # in [0, 1]
    level: str  # "match", "suggest" or "none"
    reasons: tuple[str, ...] = field(default=())


@dataclass
class _Features:
    query_covered: float  # share of the query's weighted content found in the claim
    claim_covered: float  # share of the claim's weighted content found in the query
    novel_numbers: bool  # numbers in the query the claim does not have
    novel_names: int  # rare words in the query, known elsewhere, that the claim does not have


class ClaimIndex:
    """An immutable lexical index of claims; build once, search many times.

    Postings and document terms live in a few flat arrays (offsets into them per term and per
    claim), so a snapshot loads as a handful of buffers rather than hundreds of thousands of objects.
    The claims' texts are analysed at build time and not kept.
    """

    def __init__(
        self,
        *,
        rows: list[tuple[Any, ...]],
        vocabulary: dict[str, int],
        idf: array,
        postings_offsets: array,
        postings_docs: array,
        postings_weights: array,
        doc_offsets: array,
        doc_terms: array,
        doc_weights: array,
        doc_numbers: dict[int, tuple[str, ...]],
        urls: dict[str, list[int]],
        doc_names: dict[int, tuple[str, ...]] | None = None,
    ) -> None:
        self.rows = rows  # (id, external_id, title, label, url, date, appearance_urls) per claim
        self.vocabulary = vocabulary
        self.idf = idf
        self.postings_offsets = postings_offsets
        self.postings_docs = postings_docs
        self.postings_weights = postings_weights
        self.doc_offsets = doc_offsets
        self.doc_terms = doc_terms
        self.doc_weights = doc_weights  # idf summed over each claim's terms
        self.doc_numbers = doc_numbers
        self.doc_names = doc_names or {}  # the names (people, places, banks) each claim mentions
        self.urls = urls
        self.max_idf = max(idf) if len(idf) else 1.0
        self._newest_first: list[int] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def doc(self, number: int) -> ClaimDoc:
        """The claim at this position (without its texts, which the index does not keep)."""
        claim_id, external_id, title, label, url, date, appearances = self.rows[number]
        return ClaimDoc(claim_id, external_id, title, label, url, date, (), tuple(appearances))

    def newest_first(self) -> list[int]:
        """Claim positions by debunk date, newest first (computed once per index)."""
        if self._newest_first is None:
            self._newest_first = sorted(range(len(self.rows)), key=lambda n: (self.rows[n][5] or "", n), reverse=True)
        return self._newest_first

    def _terms_of(self, number: int) -> array:
        return self.doc_terms[self.doc_offsets[number] : self.doc_offsets[number + 1]]

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def build(cls, claims: Iterable[ClaimDoc]) -> ClaimIndex:
        vocabulary: dict[str, int] = {}
        rows: list[tuple[Any, ...]] = []
        term_counts: list[dict[int, int]] = []
        lengths: list[int] = []
        doc_numbers: dict[int, tuple[str, ...]] = {}
        doc_names: dict[int, tuple[str, ...]] = {}
        urls: dict[str, list[int]] = {}
        for number, doc in enumerate(claims):
            rows.append((doc.id, doc.external_id, doc.title, doc.label, doc.url, doc.date, tuple(doc.appearance_urls)))
            headline = analyse_headline(doc.title)
            body = analyse("\n".join(doc.texts))
            counts: dict[int, int] = {}
            for term in headline.terms + body.terms:
                term_id = vocabulary.setdefault(term, len(vocabulary))
                counts[term_id] = counts.get(term_id, 0) + 1
            term_counts.append(counts)
            lengths.append(len(headline.terms) + len(body.terms))
            if headline.numbers or body.numbers:
                doc_numbers[number] = tuple(sorted(headline.numbers | body.numbers))
            if headline.names or body.names:
                doc_names[number] = tuple(sorted(headline.names | body.names))
            for url in doc.appearance_urls:
                urls.setdefault(canonicalise_url(url), []).append(number)
        total = len(rows)
        average = (sum(lengths) / total) if total else 1.0
        document_frequency = [0] * len(vocabulary)
        for counts in term_counts:
            for term_id in counts:
                document_frequency[term_id] += 1
        idf = array("f", (math.log(1 + (total - df + 0.5) / (df + 0.5)) for df in document_frequency))
        postings_offsets = array("Q", [0])
        for df in document_frequency:
            postings_offsets.append(postings_offsets[-1] + df)
        size = postings_offsets[-1]
        postings_docs = array("I", bytes(4 * size))
        postings_weights = array("f", bytes(4 * size))
        cursor = list(postings_offsets[:-1])
        doc_offsets = array("Q", [0])
        doc_terms = array("I")
        doc_weights = array("f")
        for number, counts in enumerate(term_counts):
            norm = K1 * (1 - B + B * lengths[number] / average)
            for term_id, tf in counts.items():
                at = cursor[term_id]
                postings_docs[at] = number
                postings_weights[at] = idf[term_id] * tf * (K1 + 1) / (tf + norm)
                cursor[term_id] = at + 1
            doc_terms.extend(sorted(counts))
            doc_offsets.append(len(doc_terms))
            doc_weights.append(sum(idf[term_id] for term_id in counts))
        return cls(
            rows=rows,
            vocabulary=vocabulary,
            idf=idf,
            postings_offsets=postings_offsets,
            postings_docs=postings_docs,
            postings_weights=postings_weights,
            doc_offsets=doc_offsets,
            doc_terms=doc_terms,
            doc_weights=doc_weights,
            doc_numbers=doc_numbers,
            urls=urls,
            doc_names=doc_names,
        )

    # -- serialisation ----------------------------------------------------------------------

    _ARRAYS: ClassVar[dict[str, str]] = {
        "idf": "f",
        "postings_offsets": "Q",
        "postings_docs": "I",
        "postings_weights": "f",
        "doc_offsets": "Q",
        "doc_terms": "I",
        "doc_weights": "f",
    }

    def to_bytes(self) -> bytes:
        """A snapshot for S3: marshal of plain values and raw arrays.

        Not compressed: at 100k claims decompressing took half of the load time, and a container
        loads far more often than the index is built.
        """
        payload: dict[str, Any] = {
            "format": FORMAT,
            "rows": self.rows,
            "terms": list(self.vocabulary),
            "doc_numbers": self.doc_numbers,
            "doc_names": self.doc_names,
            "urls": self.urls,
        }
        payload.update({name: getattr(self, name).tobytes() for name in self._ARRAYS})
        return marshal.dumps(payload)

    @classmethod
    def from_bytes(cls, blob: bytes) -> ClaimIndex:
        try:
            payload = marshal.loads(blob)  # noqa: S302 - our own snapshot, plain values only
        except (EOFError, ValueError, TypeError):
            raise ValueError("not a claim index snapshot") from None
        if not isinstance(payload, dict):
            raise ValueError("not a claim index snapshot")
        if payload.get("format") not in READABLE_FORMATS:
            raise ValueError(f"index format {payload.get('format')} is not one of {READABLE_FORMATS}")
        arrays = {}
        for name, kind in cls._ARRAYS.items():
            arrays[name] = array(kind)
            arrays[name].frombytes(payload[name])
        return cls(
            rows=payload["rows"],
            vocabulary={term: n for n, term in enumerate(payload["terms"])},
            doc_numbers=payload["doc_numbers"],
            urls=payload["urls"],
            doc_names=payload.get("doc_names"),
            **arrays,
        )

    # -- searching --------------------------------------------------------------------------

    def search(
        self,
        text: str | None = None,
        url: str | None = None,
        limit: int = 5,
        since: str | None = None,
    ) -> list[Match]:
        """Claims that may debunk this text or link, best first, at most ``limit``.

        ``since`` (ISO date): older claims may be suggested but never auto-confirmed.
        """
        found: dict[int, Match] = {}
        mentioned: frozenset[str] = frozenset()
        if url:
            canonical = canonicalise_url(url)
            certain = link_can_confirm(canonical)
            for number in self.urls.get(canonical, []):
                if certain:
                    found[number] = self._level(number, 1.0, True, since, ("same link",))
                else:
                    reason = ("same link, on an official or widely shared site: a link alone never confirms",)
                    found[number] = self._level(number, LINK_ONLY_SCORE, False, since, reason)
        if text:
            analysis = analyse(text)
            mentioned = frozenset(analysis.terms) | analysis.names | analysis.numbers
            for number, score, features in self._rank(analysis):
                if number in found and found[number].score >= score:
                    continue
                reasons = []
                confirmable = analysis.word_count >= MIN_WORDS_TO_CONFIRM
                if not confirmable:
                    reasons.append(f"fewer than {MIN_WORDS_TO_CONFIRM} words")
                if features.novel_numbers or features.novel_names:
                    confirmable = False
                    reasons.append("other numbers or names than the claim's")
                found[number] = self._level(number, score, confirmable, since, tuple(reasons))
                if len(found) >= max(limit, 1) * 3:
                    break
        ranked = self._unless_ambiguous(
            sorted(found.items(), key=lambda item: (-item[1].score, item[1].claim.id)), mentioned
        )
        return ranked[:limit]

    def _unless_ambiguous(self, ranked: list[tuple[int, Match]], mentioned: frozenset[str]) -> list[Match]:
        """The ranked matches, with every ``match`` made a ``suggest`` when the text cannot tell it from a
        rival within AMBIGUITY_MARGIN that differs from it in names or numbers the text does not mention."""
        matches = [match for _, match in ranked]
        if not ranked or ranked[0][1].level != "match":
            return matches
        best_number, best = ranked[0]
        for number, rival in ranked[1:]:
            if rival.score < best.score - AMBIGUITY_MARGIN:
                break
            if rival.claim.id == best.claim.id:
                continue
            differing = self._particulars(best_number) ^ self._particulars(number)
            if differing and not differing & mentioned:
                reason = (
                    f"as close to another claim ({rival.claim.title}); "
                    "they differ in names or numbers the text does not mention"
                )
                return [
                    Match(match.claim, match.score, "suggest", (*match.reasons, reason))
                    if match.level == "match"
                    else match
                    for match in matches
                ]
        return matches

    def _particulars(self, number: int) -> frozenset[str]:
        """The names and numbers a claim mentions: what tells one version of a story from another."""
        return frozenset(self.doc_names.get(number, ())) | frozenset(self.doc_numbers.get(number, ()))

    def _level(
        self, number: int, score: float, confirmable: bool, since: str | None, reasons: tuple[str, ...]
    ) -> Match:
        doc = self.doc(number)
        if since and (doc.date or "") < since:
            confirmable = False
            reasons = (*reasons, "debunk older than the window")
        if score >= MATCH_AT and confirmable:
            level = "match"
        elif score >= SUGGEST_AT:
            level = "suggest"
        else:
            level = "none"
        return Match(doc, round(score, 4), level, reasons)

    def _retrieval_terms(self, query: dict[int, float]) -> list[int]:
        """The rarest query terms, within a budget of postings: common words find nothing new."""
        offsets = self.postings_offsets
        chosen: list[int] = []
        spent = 0
        for term_id in sorted(query, key=lambda t: offsets[t + 1] - offsets[t]):
            length = offsets[term_id + 1] - offsets[term_id]
            if len(chosen) >= MIN_RETRIEVAL_TERMS and (
                spent + length > POSTINGS_BUDGET or len(chosen) >= RETRIEVAL_TERMS
            ):
                break
            chosen.append(term_id)
            spent += length
        return chosen

    def _rank(self, analysis: Analysis) -> list[tuple[int, float, _Features]]:
        query: dict[int, float] = {}
        unknown = 0
        for term in set(analysis.terms):
            term_id = self.vocabulary.get(term)
            if term_id is None:
                unknown += 1
            else:
                query[term_id] = self.idf[term_id]
        if not query:
            return []
        # Unknown words (typos, slang the analyser does not know) count, but as common words.
        unknown_weight = unknown * min(1.0, self.max_idf / 4)
        scores: dict[int, float] = {}
        offsets = self.postings_offsets
        for term_id in self._retrieval_terms(query):
            start, end = offsets[term_id], offsets[term_id + 1]
            for number, weight in zip(self.postings_docs[start:end], self.postings_weights[start:end], strict=True):
                scores[number] = scores.get(number, 0.0) + weight
        candidates = heapq.nlargest(CANDIDATES, scores, key=scores.__getitem__)
        query_weight = sum(query.values()) + unknown_weight
        ranked = []
        for number in candidates:
            features = self._features(number, query, query_weight, analysis)
            ranked.append((number, _score(features), features))
        ranked.sort(key=lambda item: -item[1])
        return ranked

    def _features(self, number: int, query: dict[int, float], query_weight: float, analysis: Analysis) -> _Features:
        doc_term_set = set(self._terms_of(number))
        shared = sum(weight for term_id, weight in query.items() if term_id in doc_term_set)
        novel_names = sum(1 for name in analysis.names if self.vocabulary.get(name, -1) not in doc_term_set)
        claim_weight = float(self.doc_weights[number])
        return _Features(
            query_covered=shared / query_weight if query_weight else 0.0,
            claim_covered=shared / claim_weight if claim_weight else 0.0,
            novel_numbers=bool(analysis.numbers - set(self.doc_numbers.get(number, ()))),
            novel_names=novel_names,
        )


def _score(features: _Features) -> float:
    """Calibrated confidence that the claim debunks the query (see make eval for calibration)."""
    return min(1.0, max(0.0, features.query_covered * 0.85 + features.claim_covered * 0.15))
