"""Webhooks: subscriptions, deliveries and the events they carry."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from chalicelib.domain.models.common import Model, StrictModel, WebUrl
from chalicelib.domain.models.referrals import ReferralView
from chalicelib.domain.models.reports import ReportStatus, Verdict


class WebhookEventType(StrEnum):
    report_checked = "report.checked"  # the machine's check finished
    report_verdict_changed = "report.verdict_changed"  # a report got a verdict or another one
    referral_created = "referral.created"  # a case was referred to an agency (to the agency and the referrer)
    referral_status_changed = "referral.status_changed"  # the agency moved it: acknowledged, in process, closed


class WebhookRequest(StrictModel):
    """Body of ``POST /v1/webhooks``."""

    url: WebUrl = Field(description="HTTPS callback; it must resolve to a public address.")
    events: list[WebhookEventType] = Field(
        min_length=1, max_length=len(WebhookEventType), json_schema_extra={"uniqueItems": True}
    )


class WebhookView(Model):
    id: str
    url: str
    events: list[WebhookEventType]
    created_at: datetime


class WebhookCreated(WebhookView):
    """The 201 answer: the only time the signing secret is shown."""

    secret: str = Field(description="Verifies the Saring-Signature header; keep it secret.")


class WebhookPage(Model):
    webhooks: list[WebhookView]


class DeliveryStatus(StrEnum):
    pending = "pending"
    retrying = "retrying"
    delivered = "delivered"
    dead_lettered = "dead_lettered"  # every try failed; parked in the dead-letter queue


class DeliveryView(Model):
    id: str
    event_id: str
    event_type: WebhookEventType
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None = None
    last_error: str | None = None
    created_at: datetime
    updated_at: datetime


class DeliveryPage(Model):
    """Deliveries, newest first; pass ``next_cursor`` back as ``cursor``."""

    deliveries: list[DeliveryView]
    next_cursor: str | None = None


class ReportEventData(Model):
    """The report an event is about, as its partner sees it (never personal data)."""

    id: str
    external_id: str | None = None
    status: ReportStatus
    received_at: datetime
    case_id: str | None = None
    verdict: Verdict | None = None


class WebhookEvent(Model):
    """The JSON body of every webhook delivery."""

    id: str = Field(description="Stable across retries: use it to drop duplicates.")
    type: WebhookEventType
    created_at: datetime
    report: ReportEventData | None = Field(default=None, description="The report, for report.* events.")
    referral: ReferralView | None = Field(default=None, description="The referral, for referral.* events.")

    def body(self) -> str:
        """The delivery's JSON: the report or the referral it is about, not an empty other."""
        return self.model_dump_json(exclude={"referral"} if self.referral is None else {"report"})
