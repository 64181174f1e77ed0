"""Audit entries: who changed what, with the thing before and after (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from chalicelib.domain.access import Principal
from chalicelib.domain.ids import new_audit_id
from chalicelib.domain.models import AuditAction, AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who makes a change: an API key, the operator's command line, or the matching engine (no key)."""

    key_id: str | None = None
    key_name: str | None = None
    partner_id: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(principal.key_id, principal.name, principal.partner_id)

    @property
    def audit_name(self) -> str:
        """Exactly which key (and its name), for the audit trail."""
        if self.key_id is None:
            return self.key_name or "cli"
        return f"{self.key_id} ({self.key_name})" if self.key_name else self.key_id

    @property
    def public_name(self) -> str:
        """Who decided, as a verdict shows it: the key's name, else its partner."""
        return self.key_name or self.partner_id or "operator"


CLI = Actor()
ENGINE = Actor(key_name="auto")  # decides a case when a claim written later answers it with confidence


def _snapshot(thing: BaseModel | dict[str, Any] | None) -> dict[str, Any] | None:
    if thing is None or isinstance(thing, dict):
        return thing
    return thing.model_dump(mode="json")


def audit_entry(
    actor: Actor,
    action: AuditAction,
    target: str,
    *,
    before: BaseModel | dict[str, Any] | None,
    after: BaseModel | dict[str, Any] | None,
    at: datetime,
) -> AuditEntry:
    return AuditEntry(
        id=new_audit_id(at),
        at=at,
        actor=actor.audit_name,
        actor_partner_id=actor.partner_id,
        action=action,
        target=target,
        before=_snapshot(before),
        after=_snapshot(after),
    )
