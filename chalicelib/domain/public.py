"""The public's door, pure: challenges and their proof of work, tracking codes, client addresses.

- A **challenge** is ``<issued unix time>.<difficulty>.<random>.<mac>``: the API can tell, with no
  lookup, that it issued it, when, and how hard it asked. The caller finds a ``nonce`` such that
  SHA-256 of ``challenge + nonce`` starts with ``difficulty`` zero bits (hashcash). Single use is the
  store's business (one conditional write), not this module's.
- A **tracking code** is ``SRG-XXXX-XXXX-XXXX-XXXX`` (80 bits, base32). It is a keyed hash of the
  client address, the WIB day and the complaint's content, so the same complaint sent twice the same
  day from the same address is the same complaint, and nobody can guess another's code. The report's
  id is derived from the code as a partner's idempotency key derives it.
- A client **address** is never stored: limits count it under a keyed hash.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.domain.ids import b32, report_id_for_idempotency_key

PUBLIC_PARTNER_ID = "public"  # the channel of complaints from the public: reports of this "partner"
RESERVED_PARTNER_IDS = frozenset({PUBLIC_PARTNER_ID})  # no API key may be given these ids

MAX_DIFFICULTY = 32
NONCE_PATTERN = r"^[0-9A-Za-z]{1,64}$"
_CHALLENGE = re.compile(r"^(\d{10})\.(\d{1,2})\.([a-z2-7]{16})\.([a-z2-7]{16})$")
_TRACKING = re.compile(r"^SRG([A-Z2-7]{16})$")


def _mac(secret: bytes, purpose: str, *parts: str) -> bytes:
    return hmac.new(secret, "\x00".join((purpose, *parts)).encode(), hashlib.sha256).digest()


# --- challenges ---------------------------------------------------------------------------------


def new_challenge(secret: bytes, difficulty: int, now: datetime) -> str:
    """A fresh challenge asking for ``difficulty`` leading zero bits."""
    if not 0 <= difficulty <= MAX_DIFFICULTY:
        raise ValueError(f"difficulty must be within 0..{MAX_DIFFICULTY}")
    head = f"{int(now.timestamp()):010d}.{difficulty}.{b32(secrets.token_bytes(10), 16)}"
    return f"{head}.{b32(_mac(secret, 'challenge', head), 16)}"


@dataclass(frozen=True)
class IssuedChallenge:
    issued_at: datetime
    difficulty: int
    token: str


def read_challenge(secret: bytes, challenge: str) -> IssuedChallenge | None:
    """The challenge as issued, or None when this API did not issue it (malformed, or its mac is wrong)."""
    found = _CHALLENGE.match(challenge)
    if found is None:
        return None
    head = challenge.rsplit(".", 1)[0]
    if not hmac.compare_digest(found.group(4), b32(_mac(secret, "challenge", head), 16)):
        return None
    difficulty = int(found.group(2))
    if difficulty > MAX_DIFFICULTY:
        return None
    return IssuedChallenge(datetime.fromtimestamp(int(found.group(1)), UTC), difficulty, found.group(3))


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def solves(challenge: str, nonce: str, difficulty: int) -> bool:
    """True when SHA-256 of ``challenge + nonce`` starts with ``difficulty`` zero bits."""
    return leading_zero_bits(hashlib.sha256((challenge + nonce).encode()).digest()) >= difficulty


def solve(challenge: str, difficulty: int) -> str:
    """A nonce that solves the challenge (what the page's script does; tests and tools use this one)."""
    counter = 0
    while not solves(challenge, str(counter), difficulty):
        counter += 1
    return str(counter)


# --- tracking codes -----------------------------------------------------------------------------


def tracking_code(secret: bytes, address_key: str, day: str, content_fingerprint: str) -> str:
    """The code of a complaint: the same for the same content from the same address on the same WIB day."""
    raw = b32(_mac(secret, "tracking", address_key, day, content_fingerprint), 16).upper()
    return "SRG-" + "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normal_tracking_code(text: str) -> str | None:
    """The code as issued, from what a person typed (any case, dashes and spaces or not); None if not a code."""
    compact = re.sub(r"[\s-]", "", text.upper())
    found = _TRACKING.match(compact)
    if found is None:
        return None
    raw = found.group(1)
    return "SRG-" + "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def report_id_of_tracking_code(code: str) -> str:
    """The id of the report a (normal) tracking code names."""
    return report_id_for_idempotency_key(PUBLIC_PARTNER_ID, code)


# --- client addresses ---------------------------------------------------------------------------


def address_key(secret: bytes, address: str) -> str:
    """What limits count a client address under: a keyed hash, so no address is ever stored."""
    return "addr_" + b32(_mac(secret, "address", address.strip().lower()), 26)
