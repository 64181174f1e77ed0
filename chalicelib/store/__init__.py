"""The store: the only package that touches DynamoDB. ``stores()`` binds the models on first use.

Each store turns items into domain models and back, with the conditions that keep them true
(at-least-once delivery, concurrent writers); it decides nothing the domain should.

Never imports: services, api, events
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.store.audit import AuditChainStore, AuditStore
    from chalicelib.store.cases import CaseStore
    from chalicelib.store.claims import ClaimStore
    from chalicelib.store.keys import KeyStore, SessionStore, UsageStore
    from chalicelib.store.pictures import PictureGroupStore, PictureStore
    from chalicelib.store.referrals import ReferralStore
    from chalicelib.store.reports import ContactStore, ReportStore
    from chalicelib.store.stats import StatsStore
    from chalicelib.store.webhooks import DeliveryStore, WebhookStore


@dataclass(frozen=True)
class Stores:
    reports: ReportStore
    cases: CaseStore
    contacts: ContactStore
    claims: ClaimStore
    keys: KeyStore
    usage: UsageStore
    sessions: SessionStore
    webhooks: WebhookStore
    deliveries: DeliveryStore
    stats: StatsStore
    audit: AuditStore
    audit_chain: AuditChainStore
    pictures: PictureStore
    picture_groups: PictureGroupStore
    referrals: ReferralStore


@lru_cache(maxsize=1)
def stores() -> Stores:
    """The process's stores, bound to the configured tables."""
    from chalicelib.config import get_settings
    from chalicelib.store.audit import AuditChainStore, AuditStore
    from chalicelib.store.cases import CaseStore
    from chalicelib.store.claims import ClaimStore
    from chalicelib.store.keys import KeyStore, SessionStore, UsageStore
    from chalicelib.store.pictures import PictureGroupStore, PictureStore
    from chalicelib.store.referrals import ReferralStore
    from chalicelib.store.reports import ContactStore, ReportStore
    from chalicelib.store.stats import StatsStore
    from chalicelib.store.tables import bind
    from chalicelib.store.webhooks import DeliveryStore, WebhookStore

    bind(get_settings())
    return Stores(
        reports=ReportStore(),
        cases=CaseStore(),
        contacts=ContactStore(),
        claims=ClaimStore(),
        keys=KeyStore(),
        usage=UsageStore(),
        sessions=SessionStore(),
        webhooks=WebhookStore(),
        deliveries=DeliveryStore(),
        stats=StatsStore(),
        audit=AuditStore(),
        audit_chain=AuditChainStore(),
        pictures=PictureStore(),
        picture_groups=PictureGroupStore(),
        referrals=ReferralStore(),
    )
