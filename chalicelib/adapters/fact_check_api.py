"""Google's Fact Check Tools API (``claims:search``): one page of an answer, or why there is none.

The API key is a Secrets Manager secret (``SARING_FACT_CHECK_KEY_SECRET``); the address is a
setting, so the local stack and the tests point it at a fake on loopback.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from chalicelib.config import get_settings

TIMEOUT_SECONDS = 20
MAX_ANSWER_BYTES = 10 * 1024 * 1024  # a page of 100 claims is well under a megabyte
PAGE_SIZE = 100
UNSET_SECRET = "unset"  # noqa: S105 - a placeholder: the secret holds it until an operator sets the key


class FactCheckApiError(Exception):
    """No usable answer: ``retry_after`` (seconds) is set when the API asked to be called later."""

    def __init__(self, reason: str, *, retry_after: float | None = None, transient: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.transient = transient  # worth another try now (5xx, network), as opposed to a bad answer


def api_key() -> str | None:
    """The API key, or None when the operator has not set one (the sync then does nothing)."""
    from chalicelib.adapters.aws import client

    secrets = client("secretsmanager")
    try:
        value = secrets.get_secret_value(SecretId=get_settings().fact_check_key_secret).get("SecretString")
    except secrets.exceptions.ResourceNotFoundException:
        return None
    key = str(value or "").strip()
    return key if key and key != UNSET_SECRET else None


def search_page(key: str, search: tuple[str, str], max_age_days: int, page_token: str | None) -> dict[str, Any]:
    """One page of ``claims:search`` for a term (``("query", …)``) or a site (``("publisher", …)``).

    Raises FactCheckApiError for a 429 (with its Retry-After), a 5xx, a network failure, or a body
    that is not a search answer.
    """
    kind, value = search
    params = {"languageCode": "id", "maxAgeDays": str(max_age_days), "pageSize": str(PAGE_SIZE), "key": key}
    params["query" if kind == "query" else "reviewPublisherSiteFilter"] = value
    if page_token:
        params["pageToken"] = page_token
    url = get_settings().fact_check_api_url + "?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 - a setting, https on AWS
            body = answer.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as error:
        retry_after = _seconds(error.headers.get("Retry-After")) if error.code == 429 else None
        raise FactCheckApiError(f"HTTP {error.code}", retry_after=retry_after, transient=error.code >= 500) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise FactCheckApiError(f"no answer: {getattr(error, 'reason', error)}") from None
    if len(body) > MAX_ANSWER_BYTES:
        raise FactCheckApiError("the answer is larger than any page should be", transient=False)
    try:
        document = json.loads(body or b"{}")
    except ValueError:
        raise FactCheckApiError("the answer is not JSON", transient=False) from None
    if not isinstance(document, dict) or not isinstance(document.get("claims", []), list):
        raise FactCheckApiError("the answer is not a claims:search answer", transient=False)
    return document


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
