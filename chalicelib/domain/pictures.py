"""Pictures as matching sees them: perceptual hashes, their distances and what a distance means (pure).

A picture carries three PDQ hashes (``processing.py`` makes them): of the picture as it is, of its
*canonical* form (uniform borders trimmed, a phone's status bar cut off) and of the centre of that
form (a copy cropped at its edges). Two pictures are as far apart as the closest of the pairs
``COMPARED`` names: as it is against as it is, canonical against the other's canonical and centre.
"""

from __future__ import annotations

import hashlib
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


# The text read in a picture groups copies that PDQ cannot (a crop, a screenshot of a screenshot):
# a MinHash signature of its word triples, filed in bands like the hash.
SIGNATURE_SIZE = 32
TEXT_BANDS = 16  # two values a band: texts sharing half their triples meet in a band almost always
MIN_TEXT_WORDS = 12  # fewer words say too little to group by
SAME_TEXT = 0.5  # share of the signature two texts agree on (their triples' Jaccard, estimated)
_TEXT_MARK = "s:"


def text_signature(text: str | None) -> tuple[int, ...] | None:
    """The MinHash signature of a picture's text (its matchable lines), or None when it has too few words."""
    words = [word for word in re.split(r"[^\w]+", matchable_text(text).lower()) if len(word) > 1]
    if len(words) < MIN_TEXT_WORDS:
        return None
    triples = {" ".join(words[n : n + 3]).encode() for n in range(len(words) - 2)}
    return tuple(
        min(
            int.from_bytes(hashlib.blake2b(triple, digest_size=8, person=seed.to_bytes(16, "little")).digest(), "big")
            for triple in triples
        )
        for seed in range(SIGNATURE_SIZE)
    )


def group_entries(canonical: str | None, signature: tuple[int, ...] | None) -> list[tuple[str, str]]:
    """(band, value) pairs a new group is filed under: the canonical hash's bands, the text's bands."""
    entries = [(band, canonical) for band in bands(canonical)] if canonical else []
    if signature:
        stored = _TEXT_MARK + ",".join(f"{value:x}" for value in signature)
        width = SIGNATURE_SIZE // TEXT_BANDS
        entries += [
            (f"t{n}:" + ".".join(f"{value:x}" for value in signature[n * width : (n + 1) * width]), stored)
            for n in range(TEXT_BANDS)
        ]
    return entries


def nearest_group(
    canonical: str | None, signature: tuple[int, ...] | None, candidates: list[tuple[str, str]]
) -> str | None:
    """The group of the closest candidate: by hash within GROUP_DISTANCE first, else by text agreeing on
    SAME_TEXT of the signature; None when none is near (ties: the first by name)."""
    by_hash = sorted(
        (distance(canonical, value), group)
        for group, value in candidates
        if canonical and not value.startswith(_TEXT_MARK)
    )
    if by_hash and by_hash[0][0] <= GROUP_DISTANCE:
        return by_hash[0][1]
    if signature is None:
        return None
    by_text = sorted(
        (-_agreement(signature, value), group) for group, value in candidates if value.startswith(_TEXT_MARK)
    )
    return by_text[0][1] if by_text and -by_text[0][0] >= SAME_TEXT else None


def _agreement(signature: tuple[int, ...], stored: str) -> float:
    other = [int(value, 16) for value in stored.removeprefix(_TEXT_MARK).split(",")]
    return sum(one == two for one, two in zip(signature, other, strict=False)) / SIGNATURE_SIZE
