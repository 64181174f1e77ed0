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
canonical URL of a place the hoax appeared comes first and is certain.
"""

from __future__ import annotations

import heapq
import marshal
import math
import zlib
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field

from chalicelib.domain.matching.analysis import Analysis, analyse, analyse_headline
from chalicelib.domain.normalise import canonicalise_url

FORMAT = 1
K1 = 1.2
B = 0.75
CANDIDATES = 40  # BM25 candidates re-ranked per query
RETRIEVAL_TERMS = 48  # rarest query terms used for retrieval (long queries stay fast)
MIN_WORDS_TO_CONFIRM = 8
MATCH_AT = 0.80  # score from which a match decides a verdict automatically
SUGGEST_AT = 0.45  # score from which a fact-checker should look


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
    """An immutable lexical index of claims; build once, search many times."""

    def __init__(
        self,
        *,
        docs: list[ClaimDoc],
        vocabulary: dict[str, int],
        idf: array,
        postings_docs: list[array],
        postings_weights: list[array],
        doc_terms: list[array],
        doc_numbers: list[frozenset[str]],
        urls: dict[str, list[int]],
    ) -> None:
        self.docs = docs
        self.vocabulary = vocabulary
        self.idf = idf
        self.postings_docs = postings_docs
        self.postings_weights = postings_weights
        self.doc_terms = doc_terms
        self.doc_numbers = doc_numbers
        self.urls = urls
        self.max_idf = max(idf) if len(idf) else 1.0
        self.doc_weight = [sum(idf[t] for t in terms) for terms in doc_terms]
        self._newest_first: list[int] | None = None

    def __len__(self) -> int:
        return len(self.docs)

    def newest_first(self) -> list[int]:
        """Document numbers by debunk date, newest first (computed once per index)."""
        if self._newest_first is None:
            self._newest_first = sorted(range(len(self.docs)), key=lambda n: (self.docs[n].date or "", n), reverse=True)
        return self._newest_first

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def build(cls, claims: Iterable[ClaimDoc]) -> ClaimIndex:
        docs = list(claims)
        vocabulary: dict[str, int] = {}
        term_counts: list[dict[int, int]] = []
        lengths: list[int] = []
        doc_numbers: list[frozenset[str]] = []
        urls: dict[str, list[int]] = {}
        for number, doc in enumerate(docs):
            headline = analyse_headline(doc.title)
            analysis = analyse("\n".join(doc.texts))
            analysis = Analysis(
                terms=headline.terms + analysis.terms,
                numbers=headline.numbers | analysis.numbers,
                word_count=headline.word_count + analysis.word_count,
                names=headline.names | analysis.names,
            )
            counts: dict[int, int] = {}
            for term in analysis.terms:
                term_id = vocabulary.setdefault(term, len(vocabulary))
                counts[term_id] = counts.get(term_id, 0) + 1
            term_counts.append(counts)
            lengths.append(len(analysis.terms))
            doc_numbers.append(analysis.numbers)
            for url in doc.appearance_urls:
                urls.setdefault(canonicalise_url(url), []).append(number)
        total = len(docs)
        average = (sum(lengths) / total) if total else 1.0
        document_frequency = [0] * len(vocabulary)
        for counts in term_counts:
            for term_id in counts:
                document_frequency[term_id] += 1
        idf = array("f", (math.log(1 + (total - df + 0.5) / (df + 0.5)) for df in document_frequency))
        postings_docs = [array("I") for _ in vocabulary]
        postings_weights = [array("f") for _ in vocabulary]
        for number, counts in enumerate(term_counts):
            norm = K1 * (1 - B + B * lengths[number] / average)
            for term_id, tf in counts.items():
                postings_docs[term_id].append(number)
                postings_weights[term_id].append(idf[term_id] * tf * (K1 + 1) / (tf + norm))
        doc_terms = [array("I", sorted(counts)) for counts in term_counts]
        return cls(
            docs=docs,
            vocabulary=vocabulary,
            idf=idf,
            postings_docs=postings_docs,
            postings_weights=postings_weights,
            doc_terms=doc_terms,
            doc_numbers=doc_numbers,
            urls=urls,
        )

    # -- serialisation ----------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """A compact snapshot (zlib'd marshal of plain values) for S3."""
        payload = {
            "format": FORMAT,
            "docs": [
                (d.id, d.external_id, d.title, d.label, d.url, d.date, d.texts, d.appearance_urls) for d in self.docs
            ],
            "terms": list(self.vocabulary),
            "idf": self.idf.tobytes(),
            "postings_docs": [p.tobytes() for p in self.postings_docs],
            "postings_weights": [p.tobytes() for p in self.postings_weights],
            "doc_terms": [t.tobytes() for t in self.doc_terms],
            "doc_numbers": [tuple(n) for n in self.doc_numbers],
            "urls": self.urls,
        }
        return zlib.compress(marshal.dumps(payload), 6)

    @classmethod
    def from_bytes(cls, blob: bytes) -> ClaimIndex:
        payload = marshal.loads(zlib.decompress(blob))  # noqa: S302 - our own snapshot, plain values only
        if payload.get("format") != FORMAT:
            raise ValueError(f"index format {payload.get('format')} is not {FORMAT}")

        def unpack(kind: str, raw: bytes) -> array:
            values = array(kind)
            values.frombytes(raw)
            return values

        return cls(
            docs=[ClaimDoc(*row) for row in payload["docs"]],
            vocabulary={term: n for n, term in enumerate(payload["terms"])},
            idf=unpack("f", payload["idf"]),
            postings_docs=[unpack("I", raw) for raw in payload["postings_docs"]],
            postings_weights=[unpack("f", raw) for raw in payload["postings_weights"]],
            doc_terms=[unpack("I", raw) for raw in payload["doc_terms"]],
            doc_numbers=[frozenset(n) for n in payload["doc_numbers"]],
            urls=payload["urls"],
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
        if url:
            for number in self.urls.get(canonicalise_url(url), []):
                found[number] = self._level(number, 1.0, True, since, ("same link",))
        if text:
            analysis = analyse(text)
            for number, score, features in self._rank(analysis):
                if number in found:
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
        ranked = sorted(found.values(), key=lambda m: (-m.score, m.claim.id))
        return ranked[:limit]

    def _level(
        self, number: int, score: float, confirmable: bool, since: str | None, reasons: tuple[str, ...]
    ) -> Match:
        doc = self.docs[number]
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
        retrieval = heapq.nlargest(RETRIEVAL_TERMS, query, key=query.__getitem__)
        scores: dict[int, float] = {}
        for term_id in retrieval:
            for number, weight in zip(self.postings_docs[term_id], self.postings_weights[term_id], strict=True):
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
        terms = self.doc_terms[number]
        shared = 0.0
        doc_term_set = set(terms)
        for term_id, weight in query.items():
            if term_id in doc_term_set:
                shared += weight
        novel_names = sum(1 for name in analysis.names if self.vocabulary.get(name, -1) not in doc_term_set)
        return _Features(
            query_covered=shared / query_weight if query_weight else 0.0,
            claim_covered=shared / self.doc_weight[number] if self.doc_weight[number] else 0.0,
            novel_numbers=bool(analysis.numbers - self.doc_numbers[number]),
            novel_names=novel_names,
        )


def _score(features: _Features) -> float:
    """Calibrated confidence that the claim debunks the query (see make eval for calibration)."""
    return min(1.0, max(0.0, features.query_covered * 0.85 + features.claim_covered * 0.15))
