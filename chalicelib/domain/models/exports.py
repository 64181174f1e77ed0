"""Daily exports and statistics for agencies."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from chalicelib.domain.models.common import Model


class ExportFile(Model):
    name: str
    rows: int
    bytes: int
    sha256: str
    url: str = Field(description="Presigned download URL; valid until the export's urls_expire_at.")


class DailyExport(Model):
    """``GET /v1/exports/daily/{date}``: the files of one WIB day and how to check them."""

    date: date
    complete: bool = Field(description="False for a day not over yet (an on-demand build of today).")
    rows: int
    generated_at: datetime
    code_version: str
    manifest_url: str
    files: list[ExportFile]
    urls_expire_at: datetime


class StatsGroup(StrEnum):
    label = "label"
    province = "province"
    platform = "platform"


class DayStats(Model):
    date: date
    total: int = Field(description="Reports received that WIB day.")
    counts: dict[str, int] = Field(description="By the chosen group; labels are the verdicts so far.")


class DailyStats(Model):
    group_by: StatsGroup
    days: list[DayStats]


class TrendingCase(Model):
    case_id: str
    reports_last_24h: int
    reports_previous_24h: int
    growth: int
    sample_text: str | None = Field(default=None, description="The start of the case's content (no personal data).")
    sample_url: str | None = None


class Trending(Model):
    """Cases growing fastest: reports in the last 24 hours against the 24 before."""

    generated_at: datetime
    cases: list[TrendingCase]
