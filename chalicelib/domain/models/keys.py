"""API keys: what an admin asks for and what the API shows of a key."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, field_validator

from chalicelib.domain.access import DEFAULT_REQUESTS_PER_MINUTE, DEFAULT_SUBMISSIONS_PER_DAY, Role
from chalicelib.domain.models.common import Model, StrictModel
from chalicelib.domain.public import RESERVED_PARTNER_IDS


class KeyLimits(StrictModel):
    """How much one key may do."""

    requests_per_minute: int = Field(default=DEFAULT_REQUESTS_PER_MINUTE, ge=1, le=100_000)
    submissions_per_day: int = Field(
        default=DEFAULT_SUBMISSIONS_PER_DAY, ge=0, le=10_000_000, description="Reports per WIB day."
    )


def _not_reserved(partner_id: str) -> str:
    if partner_id in RESERVED_PARTNER_IDS:
        raise ValueError(f"'{partner_id}' is the channel of the public's complaints; no key may carry it")
    return partner_id


PartnerId = Annotated[
    str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", examples=["kabar-app"]), AfterValidator(_not_reserved)
]


class KeyRequest(StrictModel):
    """Body of ``POST /v1/keys``."""

    partner_id: PartnerId
    roles: list[Role] = Field(min_length=1, max_length=5, json_schema_extra={"uniqueItems": True})
    name: str | None = Field(default=None, min_length=1, max_length=100)
    limits: KeyLimits = Field(default_factory=KeyLimits)
    expires_at: AwareDatetime | None = Field(default=None, description="After this the key is refused.")

    @field_validator("roles")
    @classmethod
    def _distinct_roles(cls, roles: list[Role]) -> list[Role]:
        if len(set(roles)) != len(roles):
            raise ValueError("roles must not repeat")
        return roles

    @field_validator("expires_at")
    @classmethod
    def _in_the_future(cls, moment: datetime | None) -> datetime | None:
        if moment is not None and moment <= datetime.now(UTC):
            raise ValueError("must be in the future")
        return moment


class KeyView(Model):
    """An API key as admins see it (never the key itself)."""

    id: str
    partner_id: str
    roles: list[Role]
    name: str | None = None
    limits: KeyLimits
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


class KeyCreated(KeyView):
    """The 201 answer: the only time the key is shown."""

    key: str = Field(description="Send it as X-Api-Key. It is not stored and cannot be shown again.")


class KeyPage(Model):
    keys: list[KeyView]
    next_cursor: str | None = None


class SessionRequest(StrictModel):
    """Body of ``POST /v1/sessions``: the key a person signs in to the console with, once."""

    key: str = Field(min_length=1, max_length=200, description="An API key with the checker, agency or admin role.")


class SessionView(Model):
    """A console session: what the page needs; the session itself is in an HttpOnly cookie."""

    csrf_token: str = Field(description="Send it back as X-CSRF-Token with every call that changes something.")
    expires_at: datetime
    roles: list[Role] = Field(description="What the session may do: the key's checker, agency and admin roles.")
    name: str | None = None
    partner_id: str
