"""Routes of webhooks: a partner's own callbacks and what was delivered to them."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api.access import current_principal
from chalicelib.api.io import json_response, parse_body, parse_query
from chalicelib.api.problems import not_found
from chalicelib.api.routes import CREATE_WEBHOOK, DELETE_WEBHOOK, GET_WEBHOOK, LIST_DELIVERIES, LIST_WEBHOOKS, serve
from chalicelib.domain.ids import is_webhook_id

webhooks = Blueprint(__name__)

_MISSING = "There is no webhook with this id."


@serve(webhooks, CREATE_WEBHOOK)
def post_webhook() -> object:
    from chalicelib.domain.models import WebhookRequest

    request = parse_body(webhooks.current_request, WebhookRequest)
    from chalicelib.services.webhooks import register_webhook

    created = register_webhook(current_principal().partner_id, request)
    return json_response(created, 201, headers={"Location": f"/v1/webhooks/{created.id}", "Cache-Control": "no-store"})


@serve(webhooks, LIST_WEBHOOKS)
def get_webhooks() -> object:
    from chalicelib.services.webhooks import list_webhooks

    return json_response(list_webhooks(current_principal().partner_id))


@serve(webhooks, GET_WEBHOOK)
def get_webhook_by_id(webhook_id: str) -> object:
    from chalicelib.services.webhooks import get_webhook

    view = get_webhook(current_principal().partner_id, webhook_id) if is_webhook_id(webhook_id) else None
    if view is None:
        raise not_found(_MISSING)
    return json_response(view)


@serve(webhooks, DELETE_WEBHOOK)
def delete_webhook_by_id(webhook_id: str) -> object:
    from chalicelib.services.webhooks import delete_webhook

    if not (is_webhook_id(webhook_id) and delete_webhook(current_principal().partner_id, webhook_id)):
        raise not_found(_MISSING)
    return Response(body="", status_code=204)


@serve(webhooks, LIST_DELIVERIES)
def get_deliveries(webhook_id: str) -> object:
    from chalicelib.api.queries import PageQuery

    query = parse_query(webhooks.current_request.query_params, PageQuery)
    from chalicelib.services.webhooks import list_deliveries

    page = (
        list_deliveries(current_principal().partner_id, webhook_id, query.cursor, query.limit)
        if is_webhook_id(webhook_id)
        else None
    )
    if page is None:
        raise not_found(_MISSING)
    return json_response(page)
