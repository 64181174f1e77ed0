"""What a use case can refuse, independent of HTTP (the API maps these to problems)."""


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was used before with another body."""


class RequestInProgress(Exception):
    """The first request with this Idempotency-Key is still being processed."""
