"""Webhook subscriptions and their deliveries in DynamoDB."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.exceptions import DeleteError, PutError

from chalicelib.domain.models import DeliveryStatus, DeliveryView, WebhookEventType, WebhookView
from chalicelib.store.tables import DeliveryRecord, WebhookRecord, refused_by_condition

DELIVERIES_KEPT = timedelta(days=30)


@dataclass(frozen=True)
class StoredWebhook:
    view: WebhookView
    partner_id: str
    sealed_secret: str


def _webhook(record: WebhookRecord) -> StoredWebhook:
    view = WebhookView(
        id=record.id,
        url=record.url,
        events=[WebhookEventType(str(event)) for event in record.events],
        created_at=record.created_at,
    )
    return StoredWebhook(view, record.partner_id, record.sealed_secret)


def _delivery(record: DeliveryRecord) -> DeliveryView:
    return DeliveryView(
        id=record.id,
        event_id=record.event_id,
        event_type=WebhookEventType(record.event_type),
        status=DeliveryStatus(record.status),
        attempts=int(record.attempts or 0),
        last_status_code=int(record.last_status_code) if record.last_status_code is not None else None,
        last_error=record.last_error,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


class WebhookStore:
    """The only code that reads or writes webhook subscriptions."""

    def create(self, webhook: WebhookView, partner_id: str, sealed_secret: str) -> None:
        WebhookRecord(
            webhook.id,
            partner_id=partner_id,
            url=webhook.url,
            events=[event.value for event in webhook.events],
            sealed_secret=sealed_secret,
            created_at=webhook.created_at,
        ).save(condition=WebhookRecord.id.does_not_exist())

    def get(self, webhook_id: str) -> StoredWebhook | None:
        try:
            return _webhook(WebhookRecord.get(webhook_id))
        except WebhookRecord.DoesNotExist:
            return None

    def of_partner(self, partner_id: str) -> list[StoredWebhook]:
        """A partner's webhooks, oldest first (a query on the partner index)."""
        return [_webhook(record) for record in WebhookRecord.by_partner.query(partner_id)]

    def delete(self, webhook_id: str, partner_id: str) -> bool:
        """Delete a partner's own webhook; False when it has no such webhook."""
        try:
            WebhookRecord(webhook_id).delete(condition=WebhookRecord.partner_id == partner_id)
        except DeleteError as error:
            if refused_by_condition(error):
                return False
            raise
        return True


class DeliveryStore:
    """What happened to each event sent to each webhook."""

    def open(
        self, webhook_id: str, delivery_id: str, event_id: str, event_type: WebhookEventType, now: datetime
    ) -> None:
        """Record a delivery as pending, unless it is already recorded (a retried stream batch)."""
        try:
            DeliveryRecord(
                webhook_id,
                delivery_id,
                event_id=event_id,
                event_type=event_type.value,
                status=DeliveryStatus.pending.value,
                attempts=0,
                created_at=now,
                updated_at=now,
                expires_at=now + DELIVERIES_KEPT,
            ).save(condition=DeliveryRecord.id.does_not_exist())
        except PutError as error:
            if not refused_by_condition(error):
                raise

    def get(self, webhook_id: str, delivery_id: str) -> DeliveryView | None:
        try:
            return _delivery(DeliveryRecord.get(webhook_id, delivery_id, consistent_read=True))
        except DeliveryRecord.DoesNotExist:
            return None

    def record_attempt(
        self,
        webhook_id: str,
        delivery_id: str,
        *,
        status: DeliveryStatus,
        attempts: int,
        status_code: int | None,
        error: str | None,
        now: datetime,
    ) -> None:
        DeliveryRecord(webhook_id, delivery_id).update(
            actions=[
                DeliveryRecord.status.set(status.value),
                DeliveryRecord.attempts.set(attempts),
                DeliveryRecord.last_status_code.set(status_code)
                if status_code is not None
                else DeliveryRecord.last_status_code.remove(),
                DeliveryRecord.last_error.set(error) if error else DeliveryRecord.last_error.remove(),
                DeliveryRecord.updated_at.set(now),
            ],
            condition=DeliveryRecord.id.exists(),
        )

    def page(self, webhook_id: str, before: str | None, limit: int) -> tuple[list[DeliveryView], str | None]:
        """Deliveries newest first, older than ``before``; and where the next page starts, if any."""
        start = {"webhook_id": {"S": webhook_id}, "id": {"S": before}} if before else None
        result = DeliveryRecord.query(webhook_id, scan_index_forward=False, limit=limit, last_evaluated_key=start)
        deliveries = [_delivery(record) for record in result]
        last = result.last_evaluated_key
        return deliveries, (str(last["id"]["S"]) if last else None)
