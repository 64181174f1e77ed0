"""The query strings of the API's GET routes, as models: parsed by ``io.parse_query`` (422 on
``query.<field>``), described in OpenAPI from the same definitions."""

from __future__ import annotations

from datetime import date
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib.domain.models import CaseStatus, Label, StatsGroup
from chalicelib.domain.models.common import StrictModel
from chalicelib.domain.referrals import ReferralStatus


class PageQuery(BaseModel):
    """Query string of the paged lists (keys, deliveries)."""

    model_config = ConfigDict(extra="forbid")

    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=100)


class ClaimQuery(StrictModel):
    """Query string of ``GET /v1/claims``."""

    q: str | None = Field(default=None, min_length=1, max_length=2_000)
    label: Label | None = None
    since: date | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=20, ge=1, le=100)


class StatsQuery(StrictModel):
    """Query string of ``GET /v1/stats/daily``."""

    from_: date = Field(alias="from", description="First WIB day.")
    to: date = Field(description="Last WIB day (at most 92 days after `from`).")
    group_by: StatsGroup = StatsGroup.label

    model_config = ConfigDict(extra="forbid", populate_by_name=False)

    @model_validator(mode="after")
    def _a_range(self) -> Self:
        if self.to < self.from_:
            raise ValueError("`to` is before `from`")
        if (self.to - self.from_).days > 91:
            raise ValueError("at most 92 days at once")
        return self


class TrendingQuery(BaseModel):
    """Query string of ``GET /v1/stats/trending``."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=10, ge=1, le=50)


class CaseQuery(StrictModel):
    """Query string of ``GET /v1/cases``."""

    status: CaseStatus = CaseStatus.open
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=20, ge=1, le=100)


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


class ReferralQuery(StrictModel):
    """Query string of ``GET /v1/referrals``."""

    status: ReferralStatus | None = None


class AuditVerifyQuery(StrictModel):
    """Query string of ``GET /v1/audit/verify``."""

    day: date = Field(description="A WIB day, YYYY-MM-DD.")
