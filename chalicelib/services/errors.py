"""What a use case can refuse, independent of HTTP (the API maps each to a problem: ``api/problems.py``)."""

from datetime import date

from chalicelib.domain.access import UsageVerdict


class Refused(Exception):
    """Something a service will not do as asked; every refusal below is one."""


class IdempotencyKeyReused(Refused):
    """The Idempotency-Key was used before with another body."""


class Unauthenticated(Refused):
    """No usable API key: missing, malformed, unknown, expired or revoked (the message says which)."""


class LimitReached(Refused):
    """The key's rate or quota is spent; carries the limiter's verdict for the headers."""

    def __init__(self, verdict: UsageVerdict) -> None:
        super().__init__("limit reached")
        self.verdict = verdict


class PublicLimitReached(LimitReached):
    """The public's door is busy: too much from one client address (``scope`` "address") or from everyone."""

    def __init__(self, verdict: UsageVerdict, scope: str) -> None:
        super().__init__(verdict)
        self.scope = scope


class NotForTheConsole(Refused):
    """A key without the checker, agency or admin role tried to sign in to the console."""


class CsrfRefused(Refused):
    """A call that changes something, made with the session cookie but without its CSRF token."""


class UnsafeWebhookUrl(Refused):
    """The callback URL may not be called (scheme, or an address it resolves to)."""


class WebhookLimitReached(Refused):
    """The partner has as many webhooks as one partner may have."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} webhooks per partner")
        self.limit = limit


class ExportCoolingDown(Refused):
    """The day's export was built moments ago; another build may start after ``retry_after`` seconds."""

    def __init__(self, day: date, retry_after: int) -> None:
        super().__init__(f"built moments ago; again in {retry_after} s")
        self.day = day
        self.retry_after = retry_after


class UnknownCursor(Refused):
    """A cursor this API did not hand out."""


class CaseChanged(Refused):
    """The case is no longer at the version the caller read: someone else reviewed or decided it."""

    def __init__(self, current_version: int, status: str) -> None:
        super().__init__(f"the case is at version {current_version} ({status})")
        self.current_version = current_version
        self.status = status


class InvalidField(Refused):
    """A request that is well-formed but cannot be done as asked; names the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class InvalidVerdict(InvalidField):
    """A verdict that cannot be stored as asked."""


class PicturesNotReady(Refused):
    """Pictures of a lookup are still being analysed: ask again in a moment."""
