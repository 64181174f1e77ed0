"""Use cases of webhooks: partners subscribe; report changes become signed, retried deliveries."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from chalicelib.adapters.sealing import open_sealed, seal
from chalicelib.config import get_settings
from chalicelib.domain.ids import new_webhook_id
from chalicelib.domain.models import (
    DeliveryPage,
    DeliveryStatus,
    ReportEventData,
    WebhookCreated,
    WebhookEvent,
    WebhookEventType,
    WebhookPage,
    WebhookRequest,
    WebhookView,
)
from chalicelib.domain.models.referrals import ReferralView
from chalicelib.domain.webhooks import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    backoff_seconds,
    delivery_id,
    event_id,
    events_of_change,
    new_webhook_secret,
    signature,
)
from chalicelib.observability import count, logger
from chalicelib.services.errors import UnknownCursor, UnsafeWebhookUrl, WebhookLimitReached
from chalicelib.store import stores
from chalicelib.store.reports import StoredReport
from chalicelib.store.webhooks import StoredWebhook

USER_AGENT = "Saring-Webhooks/1"
MAX_WEBHOOKS_PER_PARTNER = 10
_secrets: dict[str, str] = {}  # webhook id → signing secret, opened once per container


def register_webhook(partner_id: str, request: WebhookRequest, now: datetime | None = None) -> WebhookCreated:
    """Subscribe a partner's callback.

    Raises UnsafeWebhookUrl when it may not be called, WebhookLimitReached when the partner has
    ``MAX_WEBHOOKS_PER_PARTNER`` already (each one is a delivery of every change: a cap keeps one
    key from turning Saring into an amplifier).
    """
    from chalicelib.adapters.webhook_http import UnsafeCallback, checked_address

    if len(stores().webhooks.of_partner(partner_id)) >= MAX_WEBHOOKS_PER_PARTNER:
        raise WebhookLimitReached(MAX_WEBHOOKS_PER_PARTNER)

    try:
        checked_address(request.url)
    except UnsafeCallback as refused:
        raise UnsafeWebhookUrl(str(refused)) from None
    view = WebhookView(
        id=new_webhook_id(), url=request.url, events=sorted(set(request.events)), created_at=now or datetime.now(UTC)
    )
    secret = new_webhook_secret()
    stores().webhooks.create(view, partner_id, seal(secret, ("webhook_id", view.id)))
    logger.info("webhook registered", extra={"webhook_id": view.id, "partner_id": partner_id})
    return WebhookCreated(**view.model_dump(), secret=secret)


def list_webhooks(partner_id: str) -> WebhookPage:
    return WebhookPage(webhooks=[hook.view for hook in stores().webhooks.of_partner(partner_id)])


def _own(partner_id: str, webhook_id: str) -> StoredWebhook | None:
    hook = stores().webhooks.get(webhook_id)
    return hook if hook is not None and hook.partner_id == partner_id else None


def get_webhook(partner_id: str, webhook_id: str) -> WebhookView | None:
    """A partner's own webhook; another partner's is as absent as a missing one."""
    hook = _own(partner_id, webhook_id)
    return hook.view if hook else None


def delete_webhook(partner_id: str, webhook_id: str) -> bool:
    deleted = stores().webhooks.delete(webhook_id, partner_id)
    _secrets.pop(webhook_id, None)
    return deleted


def list_deliveries(partner_id: str, webhook_id: str, cursor: str | None, limit: int) -> DeliveryPage | None:
    """A partner's webhook's deliveries, newest first; None when it is not the partner's webhook."""
    if cursor is not None and not cursor.startswith("dlv_"):
        raise UnknownCursor(cursor)
    if _own(partner_id, webhook_id) is None:
        return None
    deliveries, next_cursor = stores().deliveries.page(webhook_id, cursor, limit)
    return DeliveryPage(deliveries=deliveries, next_cursor=next_cursor)


def publish_report_change(
    old: StoredReport,
    new: StoredReport,
    change_id: str,
    hooks_read: dict[str, list[StoredWebhook]] | None = None,
) -> int:
    """Turn one change of a report (from the table's stream) into deliveries; returns how many.

    Safe to repeat for the same change: the event and delivery ids derive from ``change_id``.
    ``hooks_read`` keeps the partners' webhooks read for one stream batch, each read once.
    """
    types = events_of_change(
        old.status,
        new.status,
        old.verdict.model_dump_json() if old.verdict else None,
        new.verdict.model_dump_json() if new.verdict else None,
    )
    if not types:
        return 0
    if hooks_read is None:
        hooks = stores().webhooks.of_partner(new.partner_id)
    elif new.partner_id in hooks_read:
        hooks = hooks_read[new.partner_id]
    else:
        hooks = hooks_read[new.partner_id] = stores().webhooks.of_partner(new.partner_id)
    if not hooks:
        return 0
    now = datetime.now(UTC)
    data = ReportEventData(
        id=new.id,
        external_id=new.external_id,
        status=new.status,
        received_at=new.received_at,
        case_id=new.case_id,
        verdict=new.verdict,
    )
    events = [
        WebhookEvent(id=event_id(new.id, event_type, change_id), type=event_type, created_at=now, report=data)
        for event_type in types
    ]
    return _deliver(events, hooks, now)


def _deliver(events: list[WebhookEvent], hooks: list[StoredWebhook], now: datetime) -> int:
    """Open a delivery of each event to each hook subscribed to its type, and queue them; how many."""
    from chalicelib.adapters.webhook_queue import delivery_message, enqueue_deliveries

    messages = []
    for event in events:
        for hook in hooks:
            if event.type not in hook.view.events:
                continue
            delivery = delivery_id(now, event.id, hook.view.id)
            stores().deliveries.open(hook.view.id, delivery, event.id, event.type, now)
            messages.append(delivery_message(hook.view.id, delivery, event.body()))
    if messages:
        enqueue_deliveries(messages)
        count("WebhookDeliveriesQueued", len(messages))
    return len(messages)


def publish_referral_change(referral: ReferralView, event_type: WebhookEventType, change_id: str) -> int:
    """Deliver a referral's change to the webhooks of its agency and of its referrer; returns how many.

    The event id derives from the referral and ``change_id``: a repeat is dropped by receivers.
    """
    hooks = [
        hook
        for partner_id in dict.fromkeys((referral.agency, referral.referrer_partner_id))
        for hook in stores().webhooks.of_partner(partner_id)
    ]
    now = datetime.now(UTC)
    event = WebhookEvent(
        id=event_id(referral.id, event_type, change_id), type=event_type, created_at=now, referral=referral
    )
    return _deliver([event], hooks, now)


class DeliveryOutcome(Enum):
    done = "done"  # delivered, parked, or nothing left to do: remove the message
    retry = "retry"  # try again after the backoff


@dataclass(frozen=True)
class DeliveryTry:
    """One try of one delivery: the queue message and SQS's receive count (1 for the first try)."""

    message: dict[str, Any]
    attempt: int
    receipt_handle: str | None = None


@dataclass(frozen=True)
class _Signed:
    """A try ready to send: where, what, and with which headers."""

    url: str
    body: bytes
    headers: dict[str, str]


def deliver_all(tries: list[DeliveryTry]) -> list[DeliveryOutcome | Exception]:
    """Tries of several deliveries (a queue batch), each to its own receiver at the same time.

    One slow receiver costs its own try's deadline, never the others' time: every try is sent on
    its own thread, and only the sending (no table access) runs there. Each try's outcome is in the
    place of its try; an error reading or recording a try is its outcome, not the batch's.
    """
    signed: list[_Signed | DeliveryOutcome | Exception] = []
    for one in tries:
        try:
            signed.append(_sign(one))
        except Exception as error:  # noqa: BLE001 - that try fails alone and is retried
            signed.append(error)
    attempts = iter(_send_together([item for item in signed if isinstance(item, _Signed)]))
    outcomes: list[DeliveryOutcome | Exception] = []
    for one, item in zip(tries, signed, strict=True):
        if not isinstance(item, _Signed):
            outcomes.append(item)
            continue
        try:
            outcomes.append(_record(one, next(attempts)))
        except Exception as error:  # noqa: BLE001 - as above
            outcomes.append(error)
    return outcomes


def _sign(one: DeliveryTry) -> _Signed | DeliveryOutcome:
    webhook_id, delivery = str(one.message["webhook_id"]), str(one.message["delivery_id"])
    hook = stores().webhooks.get(webhook_id)
    if hook is None:
        logger.info("delivery dropped: webhook deleted", extra={"webhook_id": webhook_id})
        return DeliveryOutcome.done
    known = stores().deliveries.get(webhook_id, delivery)
    if known is not None and known.status in (DeliveryStatus.delivered, DeliveryStatus.dead_lettered):
        return DeliveryOutcome.done  # a duplicate message of a finished delivery
    body = str(one.message["event"]).encode()
    event = json.loads(body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: signature(_secret(hook), int(time.time()), body),
        EVENT_ID_HEADER: str(event["id"]),
        "Saring-Event-Type": str(event["type"]),
        "Saring-Delivery-Id": delivery,
    }
    return _Signed(hook.view.url, body, headers)


def _send_together(sends: list[_Signed]) -> list[Any]:
    """Each signed try's Attempt, in the order of ``sends``; all sent at once."""
    from chalicelib.adapters.webhook_http import post_json

    if len(sends) <= 1:
        return [post_json(item.url, item.body, item.headers) for item in sends]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(sends), thread_name_prefix="webhook") as pool:
        return list(pool.map(lambda item: post_json(item.url, item.body, item.headers), sends))


def _record(one: DeliveryTry, result: Any) -> DeliveryOutcome:
    from chalicelib.adapters.webhook_queue import park, retry_later

    settings = get_settings()
    webhook_id, delivery = str(one.message["webhook_id"]), str(one.message["delivery_id"])
    if result.ok:
        status, outcome = DeliveryStatus.delivered, DeliveryOutcome.done
        count("WebhooksDelivered")
    elif one.attempt >= settings.webhook_max_attempts:
        park(one.message, result.error or "failed")  # before recording it: a crash here repeats, never loses
        status, outcome = DeliveryStatus.dead_lettered, DeliveryOutcome.done
        count("WebhooksDeadLettered")
        logger.warning("webhook delivery parked", extra={"webhook_id": webhook_id, "delivery_id": delivery})
    else:
        status, outcome = DeliveryStatus.retrying, DeliveryOutcome.retry
        count("WebhookRetries")
    stores().deliveries.record_attempt(
        webhook_id,
        delivery,
        status=status,
        attempts=one.attempt,
        status_code=result.status_code,
        error=result.error,
        now=datetime.now(UTC),
    )
    if outcome is DeliveryOutcome.retry and one.receipt_handle is not None:
        retry_later(one.receipt_handle, backoff_seconds(one.attempt, settings.webhook_backoff_seconds))
    return outcome


def _secret(hook: StoredWebhook) -> str:
    if hook.view.id not in _secrets:
        _secrets[hook.view.id] = open_sealed(hook.sealed_secret, ("webhook_id", hook.view.id))
    return _secrets[hook.view.id]
