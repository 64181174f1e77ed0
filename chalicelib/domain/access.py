"""Who the callers are: roles, principals, API key format and hashing, usage limits.

Which role may call which route is declared with the route (``api/routes.py``); the middleware
(``api/access.py``) applies it to each request, so no route decides alone. Every API function
imports this at start, so what only key handling needs is imported where used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum


class Role(StrEnum):
    partner = "partner"  # apps that submit the public's reports and own them
    media = "media"  # outlets and platforms that look verdicts up
    agency = "agency"  # Bawaslu, the ministry: every report, never personal data
    checker = "checker"  # fact-checkers: write claims, decide
    admin = "admin"  # operators: keys, and reading everything but personal data


# Roles that read every report (never its personal data); a partner alone reads only its own.
ALL_REPORT_READERS = frozenset({Role.agency, Role.checker, Role.admin})
# The people who sign in to the console: a session acts with these of its key's roles only.
CONSOLE_ROLES = frozenset({Role.checker, Role.agency, Role.admin})


@dataclass(frozen=True)
class Principal:
    """The caller, as its API key says."""

    key_id: str
    partner_id: str
    roles: frozenset[Role]
    requests_per_minute: int
    submissions_per_day: int
    name: str | None = None  # the key's name: who a verdict or an audit entry names
    session_id: str | None = None  # set when the caller signed in to the console (a cookie), not a key

    def reads_all_reports(self) -> bool:
        return bool(self.roles & ALL_REPORT_READERS)

    def sees_pictures(self) -> bool:
        """Fact-checkers and admins get short-lived links to the pictures of reports and cases."""
        return bool(self.roles & {Role.checker, Role.admin})

    def may_read_contacts(self) -> bool:
        """Only a partner app's key opens its own reporters' contacts; no other role ever does."""
        return Role.partner in self.roles


# A partner app's id owns its reports, their reporters' contacts and its webhooks: a new key for an
# id that already has a partner key may not add roles that see more than the partner itself does.
ROLES_BESIDE_PARTNER = frozenset({Role.partner, Role.media})


# --- API keys: "saring_<16 id characters>_<secret>"; the id finds the record, the secret proves it.

_KEY = re.compile(r"^saring_([a-z2-7]{16})_([A-Za-z0-9]{20,64})$")


def new_api_key() -> tuple[str, str]:
    """A fresh (key id, key); the key is shown once and only its keyed hash is kept."""
    import base64
    import secrets

    id_part = base64.b32encode(secrets.token_bytes(10)).decode().lower()
    secret = base64.b32encode(secrets.token_bytes(30)).decode().lower()  # 48 chars, 240 bits
    key = f"saring_{id_part}_{secret}"
    return "key_" + id_part, key


def key_id_of(key: str) -> str | None:
    """The id inside a well-formed key, or None for anything else."""
    found = _KEY.match(key)
    return "key_" + found.group(1) if found else None


def key_hash(pepper: bytes, key: str) -> str:
    """The stored form of a key: HMAC-SHA256 under a secret pepper, so a leaked table proves nothing."""
    import hashlib
    import hmac

    return hmac.new(pepper, key.encode(), hashlib.sha256).hexdigest()


def key_matches(pepper: bytes, key: str, stored_hash: str) -> bool:
    import hmac

    return hmac.compare_digest(key_hash(pepper, key), stored_hash)


# --- Limits: requests per minute (fixed windows) and report submissions per WIB day.

WIB = timezone(timedelta(hours=7), "WIB")
DEFAULT_REQUESTS_PER_MINUTE = 600
DEFAULT_SUBMISSIONS_PER_DAY = 10_000


@dataclass(frozen=True)
class UsageWindow:
    """Where one request falls: its minute and its WIB day."""

    minute: int  # minutes since the epoch
    day: str  # WIB date, YYYY-MM-DD
    seconds_to_next_minute: int
    seconds_to_next_day: int

    @classmethod
    def at(cls, now: datetime) -> UsageWindow:
        epoch_seconds = now.timestamp()
        local = now.astimezone(WIB)
        midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return cls(
            minute=int(epoch_seconds // 60),
            day=local.date().isoformat(),
            seconds_to_next_minute=max(1, 60 - int(epoch_seconds % 60)),
            seconds_to_next_day=max(1, int((midnight - local).total_seconds())),
        )


@dataclass(frozen=True)
class UsageVerdict:
    """The limiter's answer for one request, with what the RateLimit headers say."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    exceeded: str | None = None  # "rate" or "quota" when refused
    retry_after: int = 0


# --- console sessions: "ses_<52 of a-z, 2-7>" (256 bits) in an HttpOnly cookie; only its hash is stored.


def new_session_token() -> tuple[str, str]:
    """A fresh (session token, CSRF token); the session is stored under ``session_id_of(token)``."""
    import base64
    import secrets

    token = "ses_" + base64.b32encode(secrets.token_bytes(32)).decode().lower().rstrip("=")
    return token, secrets.token_urlsafe(32)


def session_id_of(token: str) -> str | None:
    """The stored id of a session token (its SHA-256), or None when it is not one."""
    import hashlib

    if not re.fullmatch(r"ses_[a-z2-7]{52}", token):
        return None
    return hashlib.sha256(token.encode()).hexdigest()
