"""Reports: what a partner submits, what it gets back, and the matches a check finds."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import AwareDatetime, Field

from chalicelib.domain.models.common import Content, Label, Model, Platform, ProvinceCode, Reporter
from chalicelib.domain.models.pictures import PictureView


class ReportStatus(StrEnum):
    received = "received"
    checking = "checking"
    matched = "matched"
    needs_review = "needs_review"
    reviewed = "reviewed"

    @property
    def is_pending(self) -> bool:
        """Still waiting for the machine's check."""
        return self in (ReportStatus.received, ReportStatus.checking)


class ReportSubmission(Content):
    """Body of ``POST /v1/reports``."""

    platform: Platform
    province: ProvinceCode
    observed_at: AwareDatetime | None = Field(
        default=None, description="When the reporter saw it (ISO-8601 with a UTC offset)."
    )
    external_id: str | None = Field(default=None, min_length=1, max_length=128, description="The partner's own id.")
    reporter: Reporter | None = None


class ReportAccepted(Model):
    """The 202 answer to a submission."""

    id: str
    status: ReportStatus
    received_at: datetime


class ClaimSummary(Model):
    """A fact-checked claim as verdicts and matches cite it."""

    id: str
    external_id: str | None = None
    title: str
    label: Label
    url: str | None = Field(default=None, description="The fact-check article.")
    date: str | None = Field(default=None, description="ISO date of the debunk.")


class MatchLevel(StrEnum):
    match = "match"  # confident: decides a verdict automatically
    suggest = "suggest"  # a fact-checker should look
    none = "none"  # weak


class ClaimMatch(Model):
    """A claim that may debunk some content, and how sure the engine is."""

    claim: ClaimSummary
    score: float = Field(ge=0, le=1)
    level: MatchLevel


class Verdict(Model):
    """Who decided what about a report, and why."""

    label: Label | None = Field(description="Null while a fact-checker has yet to decide.")
    decided_by: str = Field(description="'auto' for a matched claim, else the checker's name.")
    claim: ClaimSummary | None = None
    score: float | None = Field(default=None, ge=0, le=1)
    reason: str = Field(description="Why this verdict, in Indonesian.")


class ReportView(Model):
    """``GET /v1/reports/{id}``."""

    id: str
    status: ReportStatus
    received_at: datetime
    checked_at: datetime | None = Field(default=None, description="When the report was checked; null while it waits.")
    case_id: str | None = None
    seen_count: int = Field(description="Reports of the same content, this one included.")
    verdict: Verdict | None = None
    suggestions: list[ClaimMatch] = Field(
        default_factory=list, description="Claims a fact-checker should look at (when needs_review)."
    )
    reporter: Reporter | None = Field(
        default=None, description="The reporter's contact: only in the submitting partner's own fetch."
    )
    images: list[PictureView] = Field(default_factory=list, description="The report's pictures, as analysed.")


class LookupRequest(Content):
    """Body of ``POST /v1/lookup``: a text or a link (or both)."""

    limit: int = Field(default=5, ge=1, le=20)
    since: date | None = Field(default=None, description="Debunks older than this never auto-confirm.")


class LookupResult(Model):
    """Ranked claims, best first, and the verdict the best confident match implies."""

    matches: list[ClaimMatch]
    verdict_hint: Label | None = Field(description="The label of a confident match, else null.")
