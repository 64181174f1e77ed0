"""The audit trail: who did what, when."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Self

from pydantic import Field, model_validator

from chalicelib.domain.models.common import Model, StrictModel


class AuditAction(StrEnum):
    verdict_published = "verdict.published"
    case_taken = "case.taken"
    claim_created = "claim.created"
    claim_updated = "claim.updated"
    claims_imported = "claims.imported"
    key_created = "key.created"
    key_revoked = "key.revoked"


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


class AuditQuery(StrictModel):
    """Query string of ``GET /v1/audit``: one WIB day (default today) or every entry of one target."""

    day: date | None = Field(default=None, description="A WIB day, YYYY-MM-DD.")
    target: str | None = Field(default=None, min_length=3, max_length=100, pattern=r"^[a-z]+_[a-z0-9]+$")
    cursor: str | None = Field(default=None, max_length=400)
    limit: int = Field(default=50, ge=1, le=100)

    @model_validator(mode="after")
    def _one_filter(self) -> Self:
        if self.day is not None and self.target is not None:
            raise ValueError("give day or target, not both")
        return self
