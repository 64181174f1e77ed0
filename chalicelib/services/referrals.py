"""Use cases of referrals: refer a decided case to an agency, the agency moves it, everyone reads what is theirs."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.access import Principal, Role
from chalicelib.domain.audit import Actor, audit_entry
from chalicelib.domain.ids import new_referral_id
from chalicelib.domain.models import AuditAction, WebhookEventType
from chalicelib.domain.models.referrals import (
    ReferralChange,
    ReferralCounts,
    ReferralPage,
    ReferralRequest,
    ReferralStatusRequest,
    ReferralView,
)
from chalicelib.domain.referrals import ReferralStatus, categories_of, refusal_of_move
from chalicelib.observability import count, logger
from chalicelib.services.errors import InvalidField
from chalicelib.store import stores

LIST_LIMIT = 100


def refer_case(
    case_id: str, request: ReferralRequest, actor: Actor, now: datetime | None = None
) -> ReferralView | None:
    """Refer a case to an agency; None when there is no such case.

    Raises InvalidField naming ``agency`` (not an agency Saring knows: no agency key carries that
    partner id) or ``category`` (not one of that agency's).
    """
    if stores().cases.get(case_id) is None:
        return None
    if Role.agency not in stores().keys.roles_of_partner(request.agency):
        raise InvalidField("agency", f"{request.agency} is not an agency here: an admin gives it an agency key first")
    categories = categories_of(request.agency)
    if request.category not in categories:
        raise InvalidField("category", f"a referral to {request.agency} is one of: {', '.join(categories)}")
    now = now or datetime.now(UTC)
    referral = ReferralView(
        id=new_referral_id(),
        case_id=case_id,
        agency=request.agency,
        category=request.category,
        category_label=categories[request.category],
        note=request.note,
        status=ReferralStatus.sent,
        status_label=ReferralStatus.sent.label,
        referred_by=actor.public_name,
        referrer_partner_id=actor.partner_id or "operator",
        created_at=now,
        updated_at=now,
        history=[ReferralChange(status=ReferralStatus.sent, at=now, by=actor.public_name)],
    )
    audit = audit_entry(actor, AuditAction.referral_created, referral.id, before=None, after=referral, at=now)
    stores().referrals.create(referral, audit)
    count("Referrals")
    logger.info("case referred", extra={"referral_id": referral.id, "agency": referral.agency})
    _publish(referral, WebhookEventType.referral_created)
    return referral


def get_referral(referral_id: str, reader: Principal) -> ReferralView | None:
    """A referral as ``reader`` may see it: an agency only its own; None otherwise (or none at all)."""
    referral = stores().referrals.get(referral_id)
    if referral is None or not may_read(referral, reader):
        return None
    return referral


def may_read(referral: ReferralView, reader: Principal) -> bool:
    """Fact-checkers and admins read every referral; an agency, those addressed to it."""
    if reader.roles & {Role.checker, Role.admin}:
        return True
    return Role.agency in reader.roles and referral.agency == reader.partner_id


def move_referral(
    referral_id: str, request: ReferralStatusRequest, reader: Principal, now: datetime | None = None
) -> ReferralView | None:
    """The receiving agency moves its referral one step; None when it is not the agency's (or there is none).

    Raises InvalidField naming ``status`` (not the next step, or the referral moved meanwhile) or
    ``outcome`` (closing without one, or one given before closing).
    """
    referral = stores().referrals.get(referral_id)
    if referral is None or Role.agency not in reader.roles or referral.agency != reader.partner_id:
        return None
    refusal = refusal_of_move(referral.status, request.status, request.outcome)
    if refusal is not None:
        field = "outcome" if "outcome" in refusal else "status"
        raise InvalidField(field, refusal)
    now = now or datetime.now(UTC)
    actor = Actor.of(reader)
    change = ReferralChange(status=request.status, at=now, by=actor.public_name, outcome=request.outcome)
    after = referral.model_copy(
        update={
            "status": request.status,
            "status_label": request.status.label,
            "outcome": request.outcome,
            "updated_at": now,
            "history": [*referral.history, change],
        }
    )
    audit = audit_entry(actor, AuditAction.referral_status_changed, referral.id, before=referral, after=after, at=now)
    if not stores().referrals.move(referral, after, audit):
        raise InvalidField("status", "the referral changed meanwhile; read it again")
    _publish(after, WebhookEventType.referral_status_changed)
    return after


def list_referrals(reader: Principal, status: ReferralStatus | None) -> ReferralPage:
    """Referrals newest first: an agency's own; every one for fact-checkers and admins."""
    referrals = stores().referrals
    if not reader.roles & {Role.checker, Role.admin}:
        return ReferralPage(referrals=referrals.of_agency(reader.partner_id, status, LIST_LIMIT))
    statuses = [status] if status else list(ReferralStatus)
    found = [referral for one in statuses for referral in referrals.with_status(one, LIST_LIMIT)]
    found.sort(key=lambda referral: referral.created_at, reverse=True)
    return ReferralPage(referrals=found[:LIST_LIMIT])


def referral_counts(reader: Principal) -> ReferralCounts:
    """Referrals made per agency and category (an agency: its own only)."""
    counts: dict[str, dict[str, int]] = {}
    for key, n in stores().referrals.counts().items():
        agency, _, category = key.partition("#")
        if reader.roles & {Role.checker, Role.admin} or agency == reader.partner_id:
            counts.setdefault(agency, {})[category] = n
    return ReferralCounts(agencies=counts)


def _publish(referral: ReferralView, event_type: WebhookEventType) -> None:
    from chalicelib.services.webhooks import publish_referral_change

    publish_referral_change(referral, event_type, f"{referral.status.value}@{referral.updated_at.isoformat()}")
