"""What a use case can refuse, independent of HTTP (the API maps these to problems)."""

from chalicelib.domain.access import UsageVerdict


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was used before with another body."""


class RequestInProgress(Exception):
    """The first request with this Idempotency-Key is still being processed."""


class Unauthenticated(Exception):
    """No usable API key: missing, malformed, unknown, expired or revoked (the message says which)."""


class LimitReached(Exception):
    """The key's rate or quota is spent; carries the limiter's verdict for the headers."""

    def __init__(self, verdict: UsageVerdict) -> None:
        super().__init__("limit reached")
        self.verdict = verdict


class UnsafeWebhookUrl(Exception):
    """The callback URL may not be called (scheme, or an address it resolves to)."""


class UnknownCursor(Exception):
    """A cursor this API did not hand out."""
