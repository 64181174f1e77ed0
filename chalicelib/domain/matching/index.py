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

The engine: postings and each claim's terms are flat numpy arrays, so a query adds its postings
in one ``bincount`` and re-ranks its candidates in a handful of vectorised steps; a snapshot is
a few raw buffers. Claims arrive analysed (``AnalysedClaim``, done once when a claim is written),
so a build only counts. Changes since the last build live in a small second segment scored with
the same statistics (``with_changes``): a new claim is searchable at once, without a rebuild.
"""

from __future__ import annotations

import heapq
import marshal
import math
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from typing import Any, ClassVar

import numpy as np

from chalicelib.domain.matching.analysis import FUNCTION_WORDS, Analysis, analyse
from chalicelib.domain.matching.documents import AnalysedClaim, ClaimDoc, Match, analyse_claim
from chalicelib.domain.matching.sites import link_can_confirm
from chalicelib.domain.normalise import canonicalise_url
from chalicelib.domain.pictures import COMPARED, HASH_KINDS, MATCH_DISTANCE, SUGGEST_DISTANCE, similarity

FORMAT = 8
_MAGIC = f"saring-claim-index/{FORMAT}\n".encode()
K1 = 1.2
B = 0.75
CANDIDATES = 24  # BM25 candidates re-ranked per query
RETRIEVAL_TERMS = 48  # rarest query terms used for retrieval (long queries stay fast)
MIN_RETRIEVAL_TERMS = 3  # … however common they are
POSTINGS_BUDGET = 10_000  # postings read per query at most, beyond the first few terms
MIN_WORDS_TO_CONFIRM = 8
MATCH_AT = 0.80  # score from which a match decides a verdict automatically
SUGGEST_AT = 0.45  # score from which a fact-checker should look
LINK_ONLY_SCORE = 0.60  # the same link on a site where a link alone cannot confirm: a suggestion
QUERY_COVERED_WEIGHT = 0.7  # the score: this much for the query's content found in the claim …
CLAIM_COVERED_WEIGHT = 0.3  # … and this much for the claim's own terms (or its headline) found in the query
AMBIGUITY_MARGIN = 0.05  # a rival this close to the best claim is one the text cannot tell apart
COVERAGE_MARGIN = 0.02  # … and so is one that has as much of the text (within this share)
RANK_BM25_WEIGHT = 0.1  # how much BM25 (relative to the best candidate) adds to the order, not the score
RANK_VERBATIM_WEIGHT = 0.1  # … how alike the text's and the claim's function words are (a copy keeps them)
RANK_HEADLINE_WEIGHT = 0.01  # … and whether the claim's headline has any of the text's content (it is about it)
PICTURE_AMBIGUITY = 6  # another claim's picture within this many more bits: the picture cannot tell them apart


_FUNCTION_BIT = {word: bit for bit, word in enumerate(FUNCTION_WORDS)}
FUNCTION_MASK_WORDS = (len(FUNCTION_WORDS) + 63) // 64  # 64-bit words per claim for its function words


def function_mask(words: Iterable[str]) -> list[int]:
    """Which FUNCTION_WORDS these are, one bit each, as FUNCTION_MASK_WORDS 64-bit words."""
    mask = [0] * FUNCTION_MASK_WORDS
    for word in words:
        bit = _FUNCTION_BIT.get(word)
        if bit is not None:  # a stored analysis may predate a word's removal from the list
            mask[bit // 64] |= 1 << (bit % 64)
    return mask


# A claim's row: (id, external_id, title, label, url, date, appearance_urls, numbers, names)
Row = tuple[str, str, str, str, "str | None", "str | None", tuple[str, ...], tuple[str, ...], tuple[str, ...]]


class _Segment:
    """Claims and their postings in flat arrays; term ids are the index's, shared by every segment."""

    def __init__(
        self,
        *,
        rows: bytes | memoryview,
        row_offsets: np.ndarray,
        postings_offsets: np.ndarray,
        postings_docs: np.ndarray,
        postings_weights: np.ndarray,
        doc_offsets: np.ndarray,
        doc_terms: np.ndarray,
        head_sizes: np.ndarray,
        function_words: np.ndarray,
        newest: np.ndarray,
        urls: dict[str, list[int]],
        picture_words: np.ndarray,
        picture_owners: np.ndarray,
        picture_kinds: np.ndarray,
    ) -> None:
        self.rows = rows  # every row marshalled, one after another: decoded only for the claims shown
        self.row_offsets = row_offsets
        self.postings_offsets = postings_offsets
        self.postings_docs = postings_docs
        self.postings_weights = postings_weights
        self.doc_offsets = doc_offsets
        self.doc_terms = doc_terms
        self.head_sizes = head_sizes  # each claim's first terms are its headline's: how many
        self.function_words = function_words.reshape(-1, FUNCTION_MASK_WORDS)  # a row of function_mask per claim
        self.newest = newest  # claim positions by debunk date, newest first
        self.urls = urls  # canonical appearance URL → claim positions
        # Every hash of every claim picture as four 64-bit words, word by word (all first words, then
        # all second words …): distances to a query are four XORs and popcounts over flat arrays.
        self.picture_words = picture_words.reshape(4, -1) if len(picture_words) else np.zeros((4, 0), np.uint64)
        self.picture_owners = picture_owners  # the claim position of each hash
        # Hashes are stored by kind (as it is, canonical, centre: domain/pictures.py), each kind a run:
        # where each run starts, and where the last ends.
        self.picture_kinds = picture_kinds
        self._ids: dict[str, int] | None = None

    def __len__(self) -> int:
        return len(self.row_offsets) - 1

    def row(self, number: int) -> Row:
        row: Row = marshal.loads(self.rows[self.row_offsets[number] : self.row_offsets[number + 1]])  # noqa: S302
        return row

    def positions(self) -> dict[str, int]:
        """Claim id → position (built on first use: only applying changes needs it)."""
        if self._ids is None:
            self._ids = {self.row(n)[0]: n for n in range(len(self))}
        return self._ids

    @classmethod
    def build(
        cls,
        claims: list[AnalysedClaim],
        vocabulary: dict[str, int],
        idf_of: Any,
        average_length: float | None = None,
    ) -> tuple[_Segment, np.ndarray, float]:
        """A segment of these claims; new terms join ``vocabulary``.

        ``idf_of(document_frequency, vocabulary_size)`` gives every term's idf from this segment's
        counts (the base uses them; a change segment keeps the base's). Returns the idf and the
        average claim length too.
        """
        all_terms = list(chain.from_iterable(claim.terms for claim in claims))
        for term in dict.fromkeys(all_terms):
            vocabulary.setdefault(term, len(vocabulary))
        term_ids = np.fromiter(map(vocabulary.__getitem__, all_terms), dtype=np.int64, count=len(all_terms))
        tfs = np.fromiter(chain.from_iterable(claim.counts for claim in claims), dtype=np.float64, count=len(all_terms))
        sizes = np.fromiter((len(claim.terms) for claim in claims), dtype=np.int64, count=len(claims))
        owners = np.repeat(np.arange(len(claims), dtype=np.int64), sizes)
        lengths = np.bincount(owners, weights=tfs, minlength=len(claims))
        if average_length is None:
            average_length = float(lengths.mean()) if len(claims) else 1.0
        document_frequency = np.bincount(term_ids, minlength=len(vocabulary))
        idf = idf_of(document_frequency, len(vocabulary))
        norm = K1 * (1 - B + B * lengths / max(average_length, 1e-9))
        weights = idf[term_ids] * tfs * (K1 + 1) / (tfs + norm[owners])
        order = np.argsort(term_ids.astype(np.int32))  # any order of claims within a term will do
        doc_offsets = np.zeros(len(claims) + 1, dtype=np.int64)
        np.cumsum(sizes, out=doc_offsets[1:])
        postings_offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(document_frequency, out=postings_offsets[1:])
        rows = [_row(claim) for claim in claims]
        blobs = [marshal.dumps(row) for row in rows]
        row_offsets = np.zeros(len(claims) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs)), out=row_offsets[1:])
        urls: dict[str, list[int]] = {}
        for number, claim in enumerate(claims):
            for url in claim.doc.appearance_urls:
                urls.setdefault(canonicalise_url(url), []).append(number)
        dates = np.asarray([row[5] or "" for row in rows], dtype=str)
        newest = np.argsort(dates, kind="stable")[::-1] if rows else np.zeros(0, dtype=np.int64)
        # A claim's terms start with its headline's (analyse_claim counts the headline first).
        head_sizes = np.fromiter((len(claim.headline) for claim in claims), dtype=np.uint16, count=len(claims))
        owned = sorted(
            (
                (kind, n, h)
                for n, claim in enumerate(claims)
                for hashes in claim.doc.pictures
                for kind, h in enumerate(hashes)
            ),
            key=lambda item: item[0],
        )
        picture_owners = np.asarray([n for _, n, _ in owned], dtype=np.uint32)
        picture_words = np.asarray([hash_words(h) for _, _, h in owned], dtype=np.uint64).reshape(-1, 4).T.ravel()
        kinds = np.asarray([kind for kind, _, _ in owned], dtype=np.int64)
        picture_kinds = np.searchsorted(kinds, np.arange(HASH_KINDS + 1)).astype(np.int64)
        segment = cls(
            rows=b"".join(blobs),
            row_offsets=row_offsets,
            postings_offsets=postings_offsets,
            postings_docs=owners[order].astype(np.uint32),
            postings_weights=weights[order].astype(np.float32),
            doc_offsets=doc_offsets,
            doc_terms=term_ids.astype(np.uint32),
            head_sizes=head_sizes,
            function_words=np.asarray([function_mask(claim.function_words) for claim in claims], dtype=np.uint64),
            newest=np.asarray(newest, dtype=np.uint32),
            urls=urls,
            picture_words=np.ascontiguousarray(picture_words),
            picture_owners=picture_owners,
            picture_kinds=picture_kinds,
        )
        return segment, idf, average_length

    def near_pictures(self, query: np.ndarray, kinds: range, within: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions, distances) of the stored hashes of these kinds within ``within`` bits of the query.

        The first two words decide which hashes are worth the other two: a hash already farther
        than ``within`` in half its bits is farther in all of them (and at most 128 bits fit uint8).
        """
        start, end = int(self.picture_kinds[kinds.start]), int(self.picture_kinds[kinds.stop])
        words = self.picture_words[:, start:end]
        half = np.bitwise_count(words[0] ^ query[0])
        half += np.bitwise_count(words[1] ^ query[1])
        candidates = np.flatnonzero(half <= within)
        bits = half[candidates].astype(np.int64)
        for k in (2, 3):
            bits += np.bitwise_count(words[k, candidates] ^ query[k])
        near = bits <= within
        return candidates[near] + start, bits[near]

    _ARRAYS: ClassVar[dict[str, type[np.generic]]] = {
        "row_offsets": np.int64,
        "postings_offsets": np.int64,
        "postings_docs": np.uint32,
        "postings_weights": np.float32,
        "doc_offsets": np.int64,
        "doc_terms": np.uint32,
        "head_sizes": np.uint16,
        "function_words": np.uint64,
        "newest": np.uint32,
        "picture_words": np.uint64,
        "picture_owners": np.uint32,
        "picture_kinds": np.int64,
    }


def hash_words(hex_hash: str) -> tuple[int, int, int, int]:
    """A 256-bit hash (64 hex digits) as four 64-bit words."""
    return int(hex_hash[0:16], 16), int(hex_hash[16:32], 16), int(hex_hash[32:48], 16), int(hex_hash[48:64], 16)


def _particulars(row: Row) -> frozenset[str]:
    """The names and numbers a claim mentions: what tells one version of a story from another."""
    return frozenset(row[7]) | frozenset(row[8])


def _level(row: Row, score: float, confirmable: bool, since: str | None, reasons: tuple[str, ...]) -> Match:
    claim_id, external_id, title, label, url, date, appearances, _, _ = row
    if since and (date or "") < since:
        confirmable = False
        reasons = (*reasons, "debunk older than the window")
    if score >= MATCH_AT and confirmable:
        level = "match"
    elif score >= SUGGEST_AT:
        level = "suggest"
    else:
        level = "none"
    doc = ClaimDoc(claim_id, external_id, title, label, url, date, (), tuple(appearances))
    return Match(doc, round(score, 4), level, reasons)


def _row(claim: AnalysedClaim) -> Row:
    doc = claim.doc
    return (
        doc.id,
        doc.external_id,
        doc.title,
        doc.label,
        doc.url,
        doc.date,
        tuple(doc.appearance_urls),
        claim.numbers,
        claim.names,
    )


@dataclass
class _Candidates:
    """The candidates of one query, re-ranked: global positions and their features, best first."""

    numbers: list[int]
    scores: list[float]
    novel_names: list[int]
    query_covered: list[float]
    preference: list[float]  # the order among candidates: the score, and a little BM25


class ClaimIndex:
    """A lexical index of claims: a base segment built at once, plus the claims changed since.

    Immutable for its readers: ``with_changes`` returns a new index sharing the base.
    """

    def __init__(
        self,
        base: _Segment,
        vocabulary: dict[str, int],
        idf: np.ndarray,
        average_length: float,
        changes: Mapping[str, AnalysedClaim | None] | None = None,
    ) -> None:
        self.base = base
        self.vocabulary = vocabulary  # the base's terms; a change segment's new terms live in its own copy
        self.idf = idf
        self.average_length = average_length
        self.max_idf = float(idf.max()) if len(idf) else 1.0
        self.changes: dict[str, AnalysedClaim | None] = dict(changes or {})
        self.delta: _Segment | None = None
        self.removed = np.zeros(0, dtype=np.int64)  # base positions replaced or withdrawn by the changes
        self._removed: frozenset[int] = frozenset()  # the same, for lookups one at a time
        self._delta_vocabulary = vocabulary
        self._delta_idf = idf
        self._scratch = threading.local()
        if self.changes:
            self._apply_changes()

    def __len__(self) -> int:
        return len(self.base) - len(self.removed) + (len(self.delta) if self.delta is not None else 0)

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def build(cls, claims: Iterable[AnalysedClaim | ClaimDoc]) -> ClaimIndex:
        """An index of these claims (analysed now when given as plain ``ClaimDoc``)."""
        analysed = [claim if isinstance(claim, AnalysedClaim) else analyse_claim(claim) for claim in claims]
        total = len(analysed)

        def idf_of(document_frequency: np.ndarray, _: int) -> np.ndarray:
            df = document_frequency.astype(np.float64)
            return np.log1p((total - df + 0.5) / (df + 0.5))

        vocabulary: dict[str, int] = {}
        base, idf, average_length = _Segment.build(analysed, vocabulary, idf_of)
        return cls(base, vocabulary, idf, average_length)

    def with_changes(self, changes: Mapping[str, AnalysedClaim | None]) -> ClaimIndex:
        """This index with claims added, replaced (by id) or withdrawn (``None``), searchable at once.

        The changed claims form a second segment scored with this index's statistics; terms it is
        the first to use get the idf of a term in one claim. A periodic rebuild folds them in.
        """
        return ClaimIndex(self.base, self.vocabulary, self.idf, self.average_length, {**self.changes, **changes})

    def _apply_changes(self) -> None:
        positions = self.base.positions()
        self.removed = np.asarray(
            sorted(positions[claim_id] for claim_id in self.changes if claim_id in positions), dtype=np.int64
        )
        self._removed = frozenset(self.removed.tolist())
        current = [claim for claim in self.changes.values() if claim is not None]
        vocabulary = dict(self.vocabulary)
        base_terms = len(self.idf)
        total = len(self.base) + len(current)
        rare = math.log1p((total - 0.5) / 1.5)  # the idf of a term in one claim

        def idf_of(document_frequency: np.ndarray, size: int) -> np.ndarray:
            return np.concatenate([self.idf, np.full(size - base_terms, rare)])

        self.delta, self._delta_idf, _ = _Segment.build(current, vocabulary, idf_of, self.average_length)
        self._delta_vocabulary = vocabulary
        self.max_idf = float(self._delta_idf.max()) if len(self._delta_idf) else 1.0

    # -- serialisation ----------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """A snapshot of the base for S3 (changes are published on their own).

        A small marshalled header, then the rows and every array as raw bytes: loading maps the
        arrays onto the downloaded bytes without copying them. Not compressed: decompressing
        cost more than downloading, and a container loads far more often than the index is built.
        """
        base = self.base
        sections: list[tuple[str, bytes]] = [("rows", bytes(base.rows)), ("idf", self.idf.astype(np.float64).tobytes())]
        sections += [(name, getattr(base, name).astype(kind).tobytes()) for name, kind in _Segment._ARRAYS.items()]
        layout = []
        at = 0
        for name, data in sections:
            layout.append((name, at, len(data)))
            at += len(data)
        header = marshal.dumps(
            {
                "format": FORMAT,
                "terms": "\n".join(self.vocabulary),
                "average_length": self.average_length,
                "urls": base.urls,
                "layout": layout,
            }
        )
        return b"".join([_MAGIC, len(header).to_bytes(8, "little"), header, *(data for _, data in sections)])

    @classmethod
    def from_bytes(cls, blob: bytes) -> ClaimIndex:
        if not blob.startswith(_MAGIC):
            raise ValueError(f"not a claim index snapshot of format {FORMAT}")
        size = int.from_bytes(blob[len(_MAGIC) : len(_MAGIC) + 8], "little")
        start = len(_MAGIC) + 8
        try:
            header = marshal.loads(blob[start : start + size])  # noqa: S302 - our own snapshot, plain values only
        except (EOFError, ValueError, TypeError):
            raise ValueError("not a claim index snapshot") from None
        body = memoryview(blob)[start + size :]
        sections = {name: body[at : at + length] for name, at, length in header["layout"]}
        arrays = {name: np.frombuffer(sections[name], dtype=kind) for name, kind in _Segment._ARRAYS.items()}
        base = _Segment(rows=sections["rows"], urls=header["urls"], **arrays)
        terms = header["terms"].split("\n") if header["terms"] else []
        vocabulary = dict(zip(terms, range(len(terms)), strict=True))
        idf = np.frombuffer(sections["idf"], dtype=np.float64)
        return cls(base, vocabulary, idf, header["average_length"])

    # -- reading ----------------------------------------------------------------------------

    def _segment_of(self, number: int) -> tuple[_Segment, int]:
        if number < len(self.base):
            return self.base, number
        assert self.delta is not None
        return self.delta, number - len(self.base)

    def _row(self, number: int) -> Row:
        segment, local = self._segment_of(number)
        return segment.row(local)

    def doc(self, number: int) -> ClaimDoc:
        """The claim at this position (without its texts, which the index does not keep)."""
        claim_id, external_id, title, label, url, date, appearances, _, _ = self._row(number)
        return ClaimDoc(claim_id, external_id, title, label, url, date, (), tuple(appearances))

    def newest_first(self) -> Iterator[int]:
        """Claim positions by debunk date, newest first (withdrawn and replaced ones left out)."""
        base = (n for n in self.base.newest.tolist() if n not in self._removed)
        if self.delta is None:
            return base
        offset = len(self.base)
        delta = (offset + int(n) for n in self.delta.newest)
        return heapq.merge(base, delta, key=lambda n: (self._row(n)[5] or "", n), reverse=True)

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
        rows: dict[int, Row] = {}
        covered: dict[int, float] = {}  # how much of the text each claim has
        preference: dict[int, float] = {}  # a text match's place in the ranking (a link's is its score)

        def row_of(number: int) -> Row:
            if number not in rows:
                rows[number] = self._row(number)
            return rows[number]

        if url:
            canonical = canonicalise_url(url)
            certain = link_can_confirm(canonical)
            for number in self._linked(canonical):
                if certain:
                    found[number] = _level(row_of(number), 1.0, True, since, ("same link",))
                else:
                    reason = ("same link, on an official or widely shared site: a link alone never confirms",)
                    found[number] = _level(row_of(number), LINK_ONLY_SCORE, False, since, reason)
        if text:
            analysis = analyse(text)
            mentioned = frozenset(analysis.terms) | analysis.names | analysis.numbers
            ranked = self._rank(analysis)
            best = max([score for score in ranked.scores[:1]] + [match.score for match in found.values()], default=0.0)
            weighed = 0
            covered = dict(zip(ranked.numbers, ranked.query_covered, strict=True))
            preference = dict(zip(ranked.numbers, ranked.preference, strict=True))
            for number, score, novel_names in zip(ranked.numbers, ranked.scores, ranked.novel_names, strict=True):
                if weighed >= max(limit, 1) and score < best - AMBIGUITY_MARGIN:
                    break  # ranked best first: what follows is neither shown nor a rival the guard weighs
                weighed += 1
                if number in found and found[number].score >= score:
                    continue
                reasons = []
                confirmable = analysis.word_count >= MIN_WORDS_TO_CONFIRM
                if not confirmable:
                    reasons.append(f"fewer than {MIN_WORDS_TO_CONFIRM} words")
                row = row_of(number)
                if novel_names or not analysis.numbers.issubset(row[7]):
                    confirmable = False
                    reasons.append("other numbers or names than the claim's")
                found[number] = _level(row, score, confirmable, since, tuple(reasons))
        ranked_matches = self._unless_ambiguous(
            sorted(
                found.items(),
                key=lambda item: (-max(preference.get(item[0], 0.0), item[1].score), item[1].claim.id),
            ),
            mentioned,
            row_of,
            covered,
        )
        return ranked_matches[:limit]

    def search_pictures(
        self, pictures: Iterable[tuple[str, ...]], limit: int = 5, since: str | None = None
    ) -> list[Match]:
        """Claims with a picture like one of these (each given as its hashes), closest first, at most ``limit``.

        Within MATCH_DISTANCE a picture is the same picture: a match, unless another claim's picture
        is nearly as close (then the picture cannot tell which claim, and both are suggestions).
        """
        closest: dict[int, int] = {}  # global claim position → fewest bits from any query picture
        for hashes in pictures:
            for kind, hex_hash in enumerate(hashes[: len(COMPARED)]):
                query = np.asarray(hash_words(hex_hash), dtype=np.uint64)
                kinds = COMPARED[kind]
                for segment, offset in self._segments():
                    if not len(segment.picture_owners):
                        continue
                    positions, apart = segment.near_pictures(query, kinds, SUGGEST_DISTANCE)
                    for at, bits in zip(positions.tolist(), apart.tolist(), strict=True):
                        number = offset + int(segment.picture_owners[at])
                        if offset == 0 and number in self._removed:
                            continue
                        closest[number] = min(closest.get(number, 256), bits)
        ranked = sorted(closest.items(), key=lambda item: (item[1], item[0]))
        found = []
        for number, bits in ranked[:limit]:
            rivals = [
                other for other, other_bits in ranked if other != number and other_bits <= bits + PICTURE_AMBIGUITY
            ]
            claim = self.doc(number)
            confirmable = bits <= MATCH_DISTANCE
            reasons = ["same picture" if confirmable else "a similar picture"]
            if confirmable and rivals:
                confirmable = False
                reasons.append("another claim has nearly the same picture")
            if confirmable and since and (claim.date or "") < since:
                confirmable = False
                reasons.append("debunk older than the window")
            found.append(Match(claim, similarity(bits), "match" if confirmable else "suggest", tuple(reasons)))
        return found

    def _segments(self) -> Iterator[tuple[_Segment, int]]:
        yield self.base, 0
        if self.delta is not None:
            yield self.delta, len(self.base)

    def _linked(self, canonical: str) -> list[int]:
        numbers = [n for n in self.base.urls.get(canonical, []) if n not in self._removed]
        if self.delta is not None:
            numbers += [len(self.base) + n for n in self.delta.urls.get(canonical, [])]
        return numbers

    def _unless_ambiguous(
        self,
        ranked: list[tuple[int, Match]],
        mentioned: frozenset[str],
        row_of: Callable[[int], Row],
        covered: dict[int, float],
    ) -> list[Match]:
        """The ranked matches, with every ``match`` made a ``suggest`` when the text cannot tell it from a
        rival: one scoring within AMBIGUITY_MARGIN, or having as much of the text (the rival is only
        longer), that differs from it in names or numbers (one has a particular the other does not
        contain at all) none of which the text mentions."""
        matches = [match for _, match in ranked]
        if not ranked or ranked[0][1].level != "match":
            return matches
        best_number, best = ranked[0]
        terms_of: dict[int, frozenset[int]] = {}

        def contains(number: int, term: str) -> bool:
            # A claim's terms as a set, once per claim: one array read instead of one per particular.
            if number not in terms_of:
                terms_of[number] = self._term_ids(number)
            term_id = self._delta_vocabulary.get(term)
            return term_id is not None and term_id in terms_of[number]

        for number, rival in ranked[1:]:
            as_close = rival.score >= best.score - AMBIGUITY_MARGIN
            as_covered = (
                best_number in covered  # the best was found by its text, not by a certain link
                and covered.get(number, 0.0) >= covered[best_number] - COVERAGE_MARGIN
            )
            if rival.claim.id == best.claim.id or not (as_close or as_covered):
                continue
            particulars = _particulars(row_of(best_number)) | _particulars(row_of(number))
            # Names are found partly by capitals, so a word may be a name in one version and a plain
            # word in the other: what differs is what one contains and the other does not.
            differing = {p for p in particulars if contains(best_number, p) != contains(number, p)}
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

    def _term_ids(self, number: int) -> frozenset[int]:
        """The ids of the terms of the claim at this position (names and numbers are terms too)."""
        segment, local = self._segment_of(number)
        start, end = segment.doc_offsets[local], segment.doc_offsets[local + 1]
        return frozenset(segment.doc_terms[start:end].tolist())

    def _rank(self, analysis: Analysis) -> _Candidates:
        # A query is a few dozen terms and 24 candidates: per term and per candidate the work is
        # plain Python over lists, and numpy is kept for what touches postings and claims' terms.
        # Every numpy call costs microseconds of dispatch before any work, more when a busy
        # process has pushed numpy out of the caches, so there are as few as the arrays allow.
        vocabulary = self._delta_vocabulary
        distinct = set(analysis.terms)
        known = sorted(vocabulary[term] for term in distinct if term in vocabulary)
        if not known:
            return _Candidates([], [], [], [], [])
        ids = np.asarray(known)
        query_idf = self._delta_idf[ids]
        # Unknown words (typos, slang the analyser does not know) count, but as common words.
        query_weight = float(query_idf.sum()) + (len(distinct) - len(known)) * min(1.0, self.max_idf / 4)
        names = [vocabulary[name] for name in analysis.names if name in vocabulary]
        query_function_words = np.asarray(function_mask(analysis.function_words), dtype=np.uint64)
        with self._query_marked(ids, query_idf, names) as (weight_of, is_name):
            numbers, bm25 = self._retrieve(self.base, ids, 0, self.removed)
            if self.delta is None:
                found = _overlap(self.base, numbers, weight_of, is_name, query_function_words)
            else:
                more, more_bm25 = self._retrieve(self.delta, ids, len(self.base), None)
                numbers, bm25 = np.concatenate([numbers, more]), np.concatenate([bm25, more_bm25])
                found = self._overlap_across_segments(numbers, weight_of, is_name, query_function_words)
        (
            shared,
            names_found,
            terms_found,
            sizes,
            headline_covered,
            headline_shared,
            function_shared,
            function_either,
        ) = found.tolist()
        bm25_list = bm25.tolist()
        best_bm25 = max(bm25_list)
        query_covered = [value / query_weight for value in shared]
        scores = []
        preference = []
        for at, bm25_score in enumerate(bm25_list):
            # How much of the claim the query has: its terms counted (a claim that says much more
            # than the query is a worse answer than one that says just that, as BM25's length norm
            # has it), or, when the query is about the headline, the headline's terms. A candidate
            # has at least the term it was found by, so ``sizes`` is never 0.
            claim_covered = max(
                terms_found[at] / sizes[at], headline_covered[at] * (headline_shared[at] / query_weight)
            )
            score = min(query_covered[at] * QUERY_COVERED_WEIGHT + claim_covered * CLAIM_COVERED_WEIGHT, 1.0)
            scores.append(score)
            # The order: the score, and a little of what tells a claim that *is* the text from one that
            # quotes it among other things or only shares its subject: BM25 relative to the best
            # candidate (term frequency and length), the text's function words the claim uses too (a
            # copy keeps them and adds none: the Jaccard of the two sets), and a headline that has some
            # of the text (the debunk is about it).
            preference.append(
                score
                + RANK_BM25_WEIGHT * bm25_score / best_bm25
                + RANK_VERBATIM_WEIGHT * function_shared[at] / max(function_either[at], 1.0)
                + RANK_HEADLINE_WEIGHT * (headline_shared[at] > 0)
            )
        order = sorted(range(len(scores)), key=lambda at: (-preference[at], -bm25_list[at]))
        numbers_list = numbers.tolist()
        return _Candidates(
            [numbers_list[at] for at in order],
            [scores[at] for at in order],
            [len(analysis.names) - int(names_found[at]) for at in order],
            [query_covered[at] for at in order],
            [preference[at] for at in order],
        )

    @contextmanager
    def _query_marked(
        self, ids: np.ndarray, idf: np.ndarray, names: list[int]
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Two arrays over the whole vocabulary, zero but for the query: each term's idf, and which are names.

        A claim's terms then find their weight in one step. The arrays are kept per thread (the
        local stack serves from threads) and cleared again after the query, so none is allocated
        per query.
        """
        scratch: tuple[np.ndarray, np.ndarray] | None = getattr(self._scratch, "arrays", None)
        if scratch is None:
            scratch = np.zeros(len(self._delta_idf)), np.zeros(len(self._delta_idf), dtype=bool)
            self._scratch.arrays = scratch
        weight_of, is_name = scratch
        weight_of[ids] = idf
        is_name[names] = True
        try:
            yield weight_of, is_name
        finally:
            weight_of[ids] = 0.0
            is_name[names] = False

    def _overlap_across_segments(
        self, numbers: np.ndarray, weight_of: np.ndarray, is_name: np.ndarray, function_words: np.ndarray
    ) -> np.ndarray:
        found = np.empty((8, len(numbers)))
        for segment, offset in ((self.base, 0), (self.delta, len(self.base))):
            assert segment is not None
            mine = (numbers >= offset) & (numbers < offset + len(segment))
            if mine.any():
                found[:, mine] = _overlap(segment, numbers[mine] - offset, weight_of, is_name, function_words)
        return found

    @staticmethod
    def _retrieve(
        segment: _Segment, query: np.ndarray, offset: int, removed: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The segment's best BM25 candidates for the query's rarest terms: global positions, scores.

        ``query`` is term ids in ascending order.
        """
        offsets = segment.postings_offsets
        # A change segment's new terms are not the base's.
        ids = query[: np.searchsorted(query, len(offsets) - 1)] if query[-1] >= len(offsets) - 1 else query
        if not len(ids):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        starts, ends = offsets[ids].tolist(), offsets[ids + 1].tolist()
        # Rarest first (ties by term id), then as many as the postings budget allows, never fewer
        # than MIN_RETRIEVAL_TERMS nor more than RETRIEVAL_TERMS.
        by_length = sorted((end - start, start, end) for start, end in zip(starts, ends, strict=True) if end > start)
        if not by_length:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        spans: list[tuple[int, int]] = []
        spent = 0
        for length, start, end in by_length[:RETRIEVAL_TERMS]:
            spent += length
            if spent > POSTINGS_BUDGET and len(spans) >= MIN_RETRIEVAL_TERMS:
                break
            spans.append((start, end))
        docs = np.concatenate([segment.postings_docs[start:end] for start, end in spans])
        weights = np.concatenate([segment.postings_weights[start:end] for start, end in spans])
        scores = np.bincount(docs, weights=weights, minlength=len(segment))
        if removed is not None and len(removed):
            scores[removed] = 0.0
        if len(segment) <= 4 * len(docs):
            touched = np.flatnonzero(scores)  # a small segment: one pass over it is the cheapest
        else:
            # The best candidates among the postings read, not the whole segment: a claim appears
            # once per chosen term with the same score, so the best CANDIDATES × terms entries hold
            # the best CANDIDATES claims.
            entries = scores[docs]
            wanted = CANDIDATES * len(spans)
            if len(entries) > wanted:
                docs = docs[np.argpartition(entries, -wanted)[-wanted:]]
            docs = np.sort(docs)
            touched = docs[np.concatenate(([True], docs[1:] != docs[:-1]))]
            touched = touched[scores[touched] > 0]
        if len(touched) > CANDIDATES:
            touched = touched[np.argpartition(scores[touched], -CANDIDATES)[-CANDIDATES:]]
        return touched.astype(np.int64) + offset, scores[touched]


def _overlap(
    segment: _Segment, local: np.ndarray, weight_of: np.ndarray, is_name: np.ndarray, function_words: np.ndarray
) -> np.ndarray:
    """Per claim (a column each): the idf of the query terms it has, how many of the query's names it
    has, how many of its terms the query has, how many terms it has, the share of its headline's
    terms the query has, the idf of the query terms in its headline, and how many function words
    it shares with the query (``function_words``, a ``function_mask``) and how many either uses."""
    count = len(local)
    starts = segment.doc_offsets[local].tolist()
    ends = segment.doc_offsets[local + 1].tolist()
    heads = segment.head_sizes[local].tolist()
    every = segment.doc_terms
    # A claim's terms start with its headline's: the claims' terms one after another, then their
    # headlines' the same way, looked up at once.
    terms = np.concatenate(
        [every[start:end] for start, end in zip(starts, ends, strict=True)]
        + [every[start : start + head] for start, head in zip(starts, heads, strict=True)]
    )
    sizes = [end - start for start, end in zip(starts, ends, strict=True)]
    in_claims = sum(sizes)
    weights = weight_of[terms]
    hit = weights > 0
    owners = np.repeat(np.arange(2 * count), sizes + heads)  # headline terms belong to claim + count
    found = np.empty((8, count))
    found[0] = np.bincount(owners[:in_claims], weights=weights[:in_claims], minlength=count)
    found[1] = np.bincount(owners[:in_claims], weights=is_name[terms[:in_claims]], minlength=count)
    found[2] = np.bincount(owners[:in_claims], weights=hit[:in_claims], minlength=count)
    found[3] = sizes
    head_owners = owners[in_claims:] - count
    # A headline of no terms covers nothing: 0 / 1.
    found[4] = np.bincount(head_owners, weights=hit[in_claims:], minlength=count) / np.maximum(heads, 1)
    found[5] = np.bincount(head_owners, weights=weights[in_claims:], minlength=count)
    claim_function_words = segment.function_words[local]
    found[6] = np.bitwise_count(claim_function_words & function_words).sum(axis=1)
    found[7] = np.bitwise_count(claim_function_words | function_words).sum(axis=1)
    return found
