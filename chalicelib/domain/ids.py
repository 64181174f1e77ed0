"""Identifiers: random ones for new things, derived ones where a retry must find the same thing."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from datetime import UTC, datetime

# The shape of each kind of id, beside the function that makes it: a path parameter of another
# shape names nothing (answered 404 without a lookup).
_REPORT_ID = re.compile(r"^rpt_[a-z2-7]{26}$")
_CASE_ID = re.compile(r"^case_[0-9a-f]{26}$")
_CLAIM_ID = re.compile(r"^clm_[0-9a-f]{24}$")
_WEBHOOK_ID = re.compile(r"^whk_[a-z2-7]{24}$")
_UPLOAD_ID = re.compile(r"^upl_[a-z2-7]{26}$")
_REFERRAL_ID = re.compile(r"^ref_[a-z2-7]{24}$")
_KEY_ID = re.compile(r"^key_[a-z2-7]{16}$")  # made with the key itself: domain/access.py new_api_key


def b32(data: bytes, length: int) -> str:
    """The first ``length`` characters of base32 (a-z, 2-7) of ``data``."""
    return base64.b32encode(data).decode("ascii").lower().rstrip("=")[:length]


def new_report_id() -> str:
    return "rpt_" + b32(secrets.token_bytes(16), 26)


def is_report_id(text: str) -> bool:
    return _REPORT_ID.match(text) is not None


def report_id_for_idempotency_key(partner_id: str, idempotency_key: str) -> str:
    """The id a keyed submission gets: a retry after a crash writes the same report, not a second."""
    digest = hashlib.sha256(f"{partner_id}\x00{idempotency_key}".encode()).digest()
    return "rpt_" + b32(digest, 26)


def new_upload_id(issued_at: datetime) -> str:
    """An upload's id: when it was issued (whole seconds, so it can expire without a lookup), then randomness."""
    seconds = int(issued_at.timestamp()).to_bytes(5, "big")
    return "upl_" + b32(seconds + secrets.token_bytes(12), 26)


def is_upload_id(text: str) -> bool:
    return _UPLOAD_ID.match(text) is not None


def upload_issued_at(upload_id: str) -> datetime | None:
    """When an upload id was issued (from the id itself); None when no time can be read from it."""
    raw = base64.b32decode(upload_id[4:].upper() + "=" * 6)
    try:
        return datetime.fromtimestamp(int.from_bytes(raw[:5], "big"), UTC)
    except (OverflowError, ValueError, OSError):  # beyond year 9999: an id nobody issued
        return None


def case_id_for(fingerprint: str) -> str:
    """A case is named by its content, so grouping needs no lookup table."""
    return "case_" + fingerprint[:26]


def is_case_id(text: str) -> bool:
    return _CASE_ID.match(text) is not None


def claim_id_for(external_id: str) -> str:
    """A claim imported twice under the same external id stays one claim."""
    return "clm_" + hashlib.sha256(external_id.encode()).hexdigest()[:24]


def is_claim_id(text: str) -> bool:
    return _CLAIM_ID.match(text) is not None


def new_webhook_id() -> str:
    return "whk_" + b32(secrets.token_bytes(15), 24)


def is_webhook_id(text: str) -> bool:
    return _WEBHOOK_ID.match(text) is not None


def is_key_id(text: str) -> bool:
    return _KEY_ID.match(text) is not None


def new_audit_id(at: datetime) -> str:
    """Time-ordered (the entries of a day sort by when they happened), unique by its random tail."""
    return f"aud_{at.astimezone(UTC):%Y%m%d%H%M%S%f}{b32(secrets.token_bytes(5), 8)}"


def new_referral_id() -> str:
    return "ref_" + b32(secrets.token_bytes(15), 24)


def is_referral_id(text: str) -> bool:
    return _REFERRAL_ID.match(text) is not None
