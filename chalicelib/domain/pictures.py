"""Pictures as matching sees them: perceptual hashes, their distances and what a distance means (pure).

A picture carries three PDQ hashes (``processing.py`` makes them): of the picture as it is, of its
*canonical* form (uniform borders trimmed, a phone's status bar cut off) and of the centre of that
form (a copy cropped at its edges). Two pictures are as far apart as the closest pair between one's
first two and the other's three.
"""

from __future__ import annotations

from collections.abc import Sequence

HASH_HEX_DIGITS = 64  # PDQ: 256 bits
# Calibrated on the synthetic set (make eval, docs/matching.md): copies (re-compressed, scaled,
# cropped, framed, brightened, a status bar added) of a picture come within 16 of it as a rule;
# unrelated pictures stay beyond 70. ThreatExchange's usual "same picture" bound for PDQ is 31.
MATCH_DISTANCE = 31  # a claim's picture this close: the same picture, a confident match
SUGGEST_DISTANCE = 50  # this close: a fact-checker should look
MIN_QUALITY = 50  # PDQ's own confidence (0–100): below it (flat, nearly empty pictures) a hash says little
QUERY_HASHES = 2  # the first hashes of a picture are what it is looked up with; all are what it is found by


def distance(one: str, other: str) -> int:
    """Bits that differ between two hashes given as hex."""
    return (int(one, 16) ^ int(other, 16)).bit_count()


def picture_distance(query: Sequence[str], stored: Sequence[str]) -> int:
    """How far apart two pictures are: the closest pair of the query's look-up hashes and the other's hashes."""
    return min((distance(q, s) for q in query[:QUERY_HASHES] for s in stored), default=256)


def similarity(bits: int) -> float:
    """A distance as a score in [0, 1] (0 bits: 1.0; half the bits, as unrelated pictures differ: 0)."""
    return round(max(0.0, 1 - bits / 128), 4)


EXCERPT_CHARACTERS = 280


def text_excerpt(text: str | None) -> str | None:
    """The start of a text read in a picture, on one line (what views and exports show of it)."""
    if not text:
        return None
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARACTERS else flat[: EXCERPT_CHARACTERS - 1].rstrip() + "…"


MIN_WORDS_PER_LINE = 4  # shorter lines read in a picture are its chrome, not its message


def matchable_text(text: str | None) -> str:
    """The text read in a picture without its chrome: a phone's status bar ("04.15 4G 87%"), a site's
    masthead, a watermark or a chat's "Diteruskan" are short lines whose names and numbers would
    otherwise read as particulars the claim lacks (and keep a copy from being confirmed). The lines
    of the message itself are longer; when no line is, everything is kept."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    long_lines = [line for line in lines if len(line.split()) >= MIN_WORDS_PER_LINE]
    return "\n".join(long_lines or lines)
