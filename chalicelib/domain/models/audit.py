"""The audit trail: who did what, when."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from chalicelib.domain.models.common import Model


class AuditAction(StrEnum):
    verdict_published = "verdict.published"
    case_taken = "case.taken"
    claim_created = "claim.created"
    claim_updated = "claim.updated"
    claim_picture_added = "claim.picture_added"
    claims_imported = "claims.imported"
    key_created = "key.created"
    key_revoked = "key.revoked"
    referral_created = "referral.created"
    referral_status_changed = "referral.status_changed"


class AuditEntry(Model):
    """One recorded change: who did what to which thing, and the thing before and after."""

    id: str
    at: datetime
    actor: str = Field(description="The key id (and its name) or 'cli' for the operator's command line.")
    actor_partner_id: str | None = None
    action: AuditAction
    target: str = Field(description="The id of what changed: a case, claim or key.")
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class AuditPage(Model):
    """Entries newest first; pass ``next_cursor`` back as ``cursor``."""

    entries: list[AuditEntry]
    next_cursor: str | None = None


class AuditDayCheck(Model):
    """``GET /v1/audit/verify?day=``: whether a WIB day's audit trail is whole."""

    day: date
    intact: bool = Field(description="Every entry linked, the chain unbroken, and the seal (if any) matched.")
    entries: int
    linked: int
    pending: int = Field(description="Entries of the last minutes not linked yet (the chain follows a stream).")
    sealed: bool = Field(description="The day is over and its last hash is signed by the evidence key.")
    problems: list[str]
