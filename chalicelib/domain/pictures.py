"""Pictures as matching sees them: perceptual hashes, their distances and what a distance means (pure).

A picture carries three PDQ hashes (``processing.py`` makes them): of the picture as it is, of its
*canonical* form (uniform borders trimmed, a phone's status bar cut off) and of the centre of that
form (a copy cropped at its edges). Two pictures are as far apart as the closest of the pairs
``COMPARED`` names: as it is against as it is, canonical against the other's canonical and centre.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

HASH_HEX_DIGITS = 64  # PDQ: 256 bits
# Calibrated on the synthetic set (make eval, docs/matching.md): copies (re-compressed, scaled,
# cropped, framed, brightened, a status bar added) of a picture come within 16 of it as a rule;
# unrelated pictures stay beyond 70. ThreatExchange's usual "same picture" bound for PDQ is 31.
MATCH_DISTANCE = 31  # a claim's picture this close: the same picture, a confident match
SUGGEST_DISTANCE = 50  # this close: a fact-checker should look
# Reports whose pictures' canonical forms are this close share a case: wider than a match (a framed,
# re-compressed copy came 36 bits away), still far from unrelated pictures (70 and more, make eval).
GROUP_DISTANCE = 40
BANDS = 16  # a hash's sixteen bands of 16 bits: near copies share one (store/tables.py PictureBandRecord)
MIN_QUALITY = 50  # PDQ's own confidence (0–100): below it (flat, nearly empty pictures) a hash says little
HASH_KINDS = 3  # as it is, canonical, centre of canonical
# A looked-up picture's hash (by kind) → the kinds of stored hashes it is compared with
COMPARED: dict[int, range] = {0: range(0, 1), 1: range(1, 3)}


def distance(one: str, other: str) -> int:
    """Bits that differ between two hashes given as hex."""
    return (int(one, 16) ^ int(other, 16)).bit_count()


def picture_distance(query: Sequence[str], stored: Sequence[str]) -> int:
    """How far apart two pictures are: the closest of the pairs ``COMPARED`` names."""
    pairs = [(query[k], stored[j]) for k, kinds in COMPARED.items() if k < len(query) for j in kinds if j < len(stored)]
    return min((distance(one, other) for one, other in pairs), default=256)


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


MIN_WORDS_PER_LINE = 3  # shorter lines read in a picture are its chrome, not its message
# What a phone or an app adds to a picture: a time, a battery level, a network, a handle
_CHROME = re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,3}\s?%|\b(?:[2345]G\+?|LTE|VoLTE)\b|@\w+", re.IGNORECASE)


def matchable_text(text: str | None) -> str:
    """The text read in a picture without its chrome: a phone's status bar ("04.15 4G 87%"), a site's
    name, "Diteruskan", a handle — whose names and numbers would otherwise read as particulars the
    claim lacks (and keep a copy from being confirmed). Times, battery levels, networks and handles
    are taken out of every line, then lines of fewer than three words (OCR's specks of a busy
    background, "@ . : »", are no words); when nothing is left, the text is kept as read."""
    lines = [" ".join(_CHROME.sub(" ", line).split()) for line in (text or "").splitlines()]
    kept = [line for line in lines if sum(map(_is_word, line.split())) >= MIN_WORDS_PER_LINE]
    return "\n".join(kept) if kept else "\n".join(line for line in (text or "").splitlines() if line.strip())


def _is_word(token: str) -> bool:
    """Two letters or more: a word, not a speck."""
    return sum(character.isalpha() for character in token) >= 2


def bands(hex_hash: str) -> list[str]:
    """A hash's bands as the group index files them: ``<position>:<four hex digits>``."""
    width = HASH_HEX_DIGITS // BANDS
    return [f"{n}:{hex_hash[n * width : (n + 1) * width]}" for n in range(BANDS)]


def nearest_group(hex_hash: str, candidates: dict[str, str]) -> str | None:
    """The candidate group whose hash is closest to this one, if within GROUP_DISTANCE (ties: the first by name)."""
    near = [(distance(hex_hash, other), group) for group, other in candidates.items()]
    best = min(near, default=None)
    return best[1] if best is not None and best[0] <= GROUP_DISTANCE else None
