"""Plain BM25, the baseline every matching figure is printed beside (no analysis beyond lowercase)."""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Iterable

_WORD = re.compile(r"\w+")
K1, B = 1.2, 0.75


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class PlainBM25:
    """Lowercased word tokens, no stop words, no stemming; confidence = score / the query's ideal."""

    def __init__(self, documents: Iterable[tuple[str, str]]) -> None:
        self.ids: list[str] = []
        postings: dict[str, list[tuple[int, int]]] = {}
        lengths: list[int] = []
        for number, (doc_id, text) in enumerate(documents):
            self.ids.append(doc_id)
            words = tokens(text)
            lengths.append(len(words))
            counts: dict[str, int] = {}
            for word in words:
                counts[word] = counts.get(word, 0) + 1
            for word, tf in counts.items():
                postings.setdefault(word, []).append((number, tf))
        total = len(self.ids)
        average = sum(lengths) / total
        self.idf = {w: math.log(1 + (total - len(p) + 0.5) / (len(p) + 0.5)) for w, p in postings.items()}
        self.postings = {
            word: [
                (number, self.idf[word] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths[number] / average)))
                for number, tf in entries
            ]
            for word, entries in postings.items()
        }

    def search(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        """(doc id, confidence in [0, 1]) best first."""
        words = set(tokens(text))
        scores: dict[int, float] = {}
        for word in words:
            for number, weight in self.postings.get(word, []):
                scores[number] = scores.get(number, 0.0) + weight
        ideal = sum(self.idf.get(word, 0.0) * (K1 + 1) for word in words) or 1.0
        best = heapq.nlargest(limit, scores.items(), key=lambda item: item[1])
        return [(self.ids[number], min(1.0, score / ideal)) for number, score in best]
