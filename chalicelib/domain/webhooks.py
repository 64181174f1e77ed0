"""Webhook rules: which report changes are events, how deliveries are signed, when they are retried."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from chalicelib.domain.models import ReportStatus, WebhookEventType

SIGNATURE_HEADER = "Saring-Signature"
EVENT_ID_HEADER = "Saring-Event-Id"
SIGNATURE_TOLERANCE_SECONDS = 300  # receivers should refuse older signatures (replays)
MAX_BACKOFF_SECONDS = 3600


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Saring-Signature`` value: ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: str, header: str, body: bytes, now: int) -> bool:
    """What a receiver does: recompute, compare in constant time, refuse stale timestamps."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def events_of_change(
    old_status: str | None, new_status: str, old_verdict: str | None, new_verdict: str | None
) -> list[WebhookEventType]:
    """The events one change of a report makes; the stream's old and new images decide."""
    events = []
    was_pending = old_status is None or ReportStatus(old_status).is_pending
    if was_pending and not ReportStatus(new_status).is_pending:
        events.append(WebhookEventType.report_checked)
    if new_verdict is not None and new_verdict != old_verdict:
        events.append(WebhookEventType.report_verdict_changed)
    return events


def event_id(report_id: str, event_type: WebhookEventType, change_id: str) -> str:
    """Derived from the stream record, so a retried stream batch names the same event again."""
    digest = hashlib.sha256(f"{report_id}\x00{event_type}\x00{change_id}".encode()).hexdigest()
    return "evt_" + digest[:26]


def delivery_id(event_time: datetime, event: str, webhook_id: str) -> str:
    """Time-ordered (newest sorts last) and derived, so one event reaches one webhook as one delivery."""
    digest = hashlib.sha256(f"{event}\x00{webhook_id}".encode()).hexdigest()[:12]
    return f"dlv_{int(event_time.timestamp() * 1000):013d}{digest}"


def backoff_seconds(attempt: int, base: float) -> int:
    """Wait after failed try number ``attempt`` (1-based): base, 2×base, 4×base … capped at an hour."""
    return int(min(MAX_BACKOFF_SECONDS, base * 2 ** (attempt - 1)))
