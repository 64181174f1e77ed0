"""Synthetic claims for scale: each one stitched from fragments of several different real ones.

A claim at 100,000 must look like a real fact-check (its words, lengths, numbers and names) without
being a near-copy of one: a headline takes a piece of two real headlines, a narrative two to four
runs of words from as many real narratives. Any real claim then shares a fragment with a few dozen
synthetic ones, as real hoaxes share phrases, but no synthetic claim is another's twin.
Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from chalicelib.domain.matching.documents import ClaimDoc


def _fragment(rng: random.Random, words: list[str], shortest: int, longest: int) -> list[str]:
    size = min(len(words), rng.randint(shortest, longest))
    start = rng.randint(0, len(words) - size)
    return words[start : start + size]


def synthetic_claims(real: Sequence[ClaimDoc], count: int, seed: int = 7) -> Iterator[ClaimDoc]:
    """``count`` claims made of fragments of ``real`` ones (which must have narratives)."""
    rng = random.Random(seed)
    titles = [doc.title.split() for doc in real if len(doc.title.split()) >= 4]
    narratives = [" ".join(doc.texts).split() for doc in real]
    narratives = [words for words in narratives if len(words) >= 8]
    labels = [doc.label for doc in real]
    for n in range(count):
        title = _fragment(rng, rng.choice(titles), 2, 6) + _fragment(rng, rng.choice(titles), 2, 6)
        narrative: list[str] = []
        for words in rng.sample(narratives, rng.randint(2, 4)):
            narrative += _fragment(rng, words, 6, 25)
        year = rng.choice([2019, 2021, 2023, 2024, 2024, 2025])
        yield ClaimDoc(
            id=f"syn-{n}",
            external_id=f"syn-{n}",
            title=" ".join(title),
            label=rng.choice(labels),
            date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            texts=(" ".join(narrative),),
        )
