"""Cases: the review queue, a case's reports, and fact-checkers' decisions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from chalicelib.domain.models.common import Label, Model, StrictModel, WebUrl
from chalicelib.domain.models.pictures import PictureView
from chalicelib.domain.models.reports import ClaimMatch, ReportStatus, Verdict


class CaseStatus(StrEnum):
    open = "open"  # waiting for a fact-checker
    in_review = "in_review"  # a fact-checker took it
    decided = "decided"  # a fact-checker published a verdict


class PriorityComponent(Model):
    """One reason a case is urgent: what was seen, its score in [0, 1], and its weight in the total."""

    name: str = Field(description="spread, election, risk or suggestion.")
    score: float = Field(ge=0, le=1)
    weight: float
    points: float = Field(description="score × weight × 100: this component's share of the total.")
    evidence: list[str] = Field(description="What was seen: a rate, the words found, the best claim.")


class Priority(Model):
    """How urgent a case is for the review queue (0–100), explained by its components."""

    total: float = Field(ge=0, le=100)
    components: list[PriorityComponent]


class VerdictEntry(Model):
    """One verdict a case received; a changed verdict keeps the ones before."""

    version: int = Field(description="The case version this verdict created.")
    label: Label
    summary: str
    fact_check_url: str
    claim_id: str
    decided_by: str
    decided_at: datetime


class VerdictProgress(Model):
    """How far the current verdict has reached the case's reports."""

    version: int
    reports_updated: int
    done: bool


class CaseSummary(Model):
    """A case in the review queue."""

    id: str
    status: CaseStatus
    version: int = Field(description="Send it back with a verdict: a case changed since is a 409.")
    seen_count: int
    first_seen: datetime
    last_seen: datetime
    sample_text: str | None = None
    sample_url: str | None = None
    reviewer: str | None = Field(default=None, description="Who took the case for review.")
    public_complaints: int = Field(default=0, description="Of seen_count: complaints from the public.")
    priority: Priority


class CaseView(CaseSummary):
    """``GET /v1/cases/{id}``: the case, its counts, the engine's suggestions, its verdicts."""

    platforms: dict[str, int] = Field(description="Reports by platform.")
    provinces: dict[str, int] = Field(description="Reports by province code.")
    suggestions: list[ClaimMatch]
    verdict: Verdict | None = None
    history: list[VerdictEntry] = Field(description="Every verdict, oldest first.")
    images: list[PictureView] = Field(
        default_factory=list,
        description="The first report's pictures; fact-checkers get a link to each, valid 5 minutes.",
    )
    progress: VerdictProgress | None = None


class CasePage(Model):
    """Cases by priority, highest first; pass ``next_cursor`` back as ``cursor``."""

    cases: list[CaseSummary]
    next_cursor: str | None = None


class CaseReport(Model):
    """A report of a case, as a fact-checker sees it (never personal data)."""

    id: str
    status: ReportStatus
    received_at: datetime
    platform: str
    province: str
    verdict: Verdict | None = None


class CaseReportPage(Model):
    reports: list[CaseReport]
    next_cursor: str | None = None


class CaseVerdictRequest(StrictModel):
    """Body of ``POST /v1/cases/{id}/verdict``: link a claim (``claim_id``) or create one (``title``)."""

    version: int = Field(ge=0, description="The case's version as you read it.")
    label: Label
    summary: str = Field(min_length=10, max_length=2_000, description="Why, in Indonesian, for the public.")
    fact_check_url: WebUrl = Field(description="The published fact-check article.")
    claim_id: str | None = Field(
        default=None, pattern=r"^clm_[0-9a-f]{24}$", description="An existing claim this case repeats."
    )
    title: str | None = Field(
        default=None, min_length=1, max_length=1_000, description="Title of a new claim made from the case."
    )
    text: str | None = Field(
        default=None,
        min_length=1,
        max_length=20_000,
        description=(
            "The new claim's hoax text, as the checker wrote it (a console pre-fills the case's text for "
            "editing: remove names, numbers and addresses of private people). Claims are public: nothing of "
            "a report is copied into one without this."
        ),
    )
    appearance_urls: list[WebUrl] = Field(
        default_factory=list,
        max_length=50,
        description=(
            "Links where the hoax itself was posted, added to the new claim. A link only a checker names here "
            "ever makes a certain match; the case's own link is never copied (a hoax often cites an official page)."
        ),
    )

    @model_validator(mode="after")
    def _one_claim(self) -> Self:
        if (self.claim_id is None) == (self.title is None):
            raise ValueError("give either claim_id (an existing claim) or title (a new claim from the case)")
        if self.claim_id is not None and (self.text is not None or self.appearance_urls):
            raise ValueError("text and appearance_urls describe a new claim: change an existing claim with PATCH")
        return self


class CaseReviewRequest(StrictModel):
    """Body of ``POST /v1/cases/{id}/review``: take an open case."""

    version: int = Field(ge=0, description="The case's version as you read it.")
