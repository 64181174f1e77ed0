"""Routes of webhooks: a partner's own callbacks and what was delivered to them."""

from __future__ import annotations

import re

from chalice.app import Blueprint, Response

from chalicelib.api.access import current_principal
from chalicelib.api.io import PageQuery, json_response, parse_body, parse_query, unknown_cursor
from chalicelib.api.problems import ApiProblem, not_found
from chalicelib.domain.problem_details import FieldProblem

webhooks = Blueprint(__name__)

_WEBHOOK_ID = re.compile(r"^whk_[a-z2-7]{24}$")
_MISSING = "There is no webhook with this id."


@webhooks.route("/v1/webhooks", methods=["POST"])
def post_webhook() -> object:
    from chalicelib.domain.models import WebhookRequest

    request = parse_body(webhooks.current_request, WebhookRequest)
    from chalicelib.services.errors import UnsafeWebhookUrl, WebhookLimitReached
    from chalicelib.services.webhooks import register_webhook

    try:
        created = register_webhook(current_principal().partner_id, request)
    except WebhookLimitReached as full:
        raise ApiProblem(
            409,
            f"This partner has {full.limit} webhooks, the most one partner may have; delete one first.",
            type_name="webhook-limit-reached",
        ) from None
    except UnsafeWebhookUrl as refused:
        raise ApiProblem(
            422,
            "Saring will not call this URL.",
            type_name="unsafe-webhook-url",
            errors=[FieldProblem(field="url", message=str(refused))],
        ) from None
    return json_response(created, 201, headers={"Location": f"/v1/webhooks/{created.id}", "Cache-Control": "no-store"})


@webhooks.route("/v1/webhooks", methods=["GET"])
def get_webhooks() -> object:
    from chalicelib.services.webhooks import list_webhooks

    return json_response(list_webhooks(current_principal().partner_id))


@webhooks.route("/v1/webhooks/{webhook_id}", methods=["GET"])
def get_webhook_by_id(webhook_id: str) -> object:
    from chalicelib.services.webhooks import get_webhook

    view = get_webhook(current_principal().partner_id, webhook_id) if _WEBHOOK_ID.match(webhook_id) else None
    if view is None:
        raise not_found(_MISSING)
    return json_response(view)


@webhooks.route("/v1/webhooks/{webhook_id}", methods=["DELETE"])
def delete_webhook_by_id(webhook_id: str) -> object:
    from chalicelib.services.webhooks import delete_webhook

    if not (_WEBHOOK_ID.match(webhook_id) and delete_webhook(current_principal().partner_id, webhook_id)):
        raise not_found(_MISSING)
    return Response(body="", status_code=204)


@webhooks.route("/v1/webhooks/{webhook_id}/deliveries", methods=["GET"])
def get_deliveries(webhook_id: str) -> object:
    query = parse_query(webhooks.current_request.query_params, PageQuery)
    from chalicelib.services.errors import UnknownCursor
    from chalicelib.services.webhooks import list_deliveries

    try:
        page = (
            list_deliveries(current_principal().partner_id, webhook_id, query.cursor, query.limit)
            if _WEBHOOK_ID.match(webhook_id)
            else None
        )
    except UnknownCursor:
        raise unknown_cursor() from None
    if page is None:
        raise not_found(_MISSING)
    return json_response(page)
