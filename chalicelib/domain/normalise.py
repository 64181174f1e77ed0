"""Normalisation and fingerprints of reported content (pure)."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_WHITESPACE = re.compile(r"\s+")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Parameters that say where a click came from, never what the page is.
_TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "yclid",
        "_ga",
        "ref_src",
        "si",
    }
)


def normalise_text(text: str) -> str:
    """Unicode NFKC, case-folded, whitespace collapsed to single spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WHITESPACE.sub(" ", folded).strip()


def canonicalise_url(url: str) -> str:
    """One spelling per page: lowercase scheme and host, no default port, fragment or tracking.

    Query parameters are kept in a stable (sorted) order; an empty path becomes ``/``.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in _TRACKING_PARAMETERS
    )
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def content_fingerprint(text: str | None, url: str | None, pictures: tuple[str, ...] = ()) -> str:
    """Fingerprint of a report's whole content: what makes two reports the same case.

    ``pictures``: what identifies each of its pictures (in any order; none leaves the fingerprint
    of text and link as it was before pictures existed).
    """
    normalised: list[object] = [normalise_text(text) if text else None, canonicalise_url(url) if url else None]
    if pictures:
        normalised.append(sorted(pictures))
    return _sha256(json.dumps(normalised, ensure_ascii=False))


def submission_fingerprint(pepper: bytes, submission_json: str) -> str:
    """What tells a keyed retry's body from another, without giving away what the body held.

    Keyed (HMAC-SHA256 under a key derived from the secret pepper), because a body may carry a
    reporter's phone number: a plain hash of it is reversed by trying every number in seconds.
    """
    import hmac

    key = hmac.new(pepper, b"saring submission fingerprint v1", hashlib.sha256).digest()
    return "v1:" + hmac.new(key, submission_json.encode("utf-8"), hashlib.sha256).hexdigest()


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
