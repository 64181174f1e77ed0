"""The public's door: checking a message, complaining about it, following the complaint."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, ValidationInfo, field_validator

from chalicelib.domain.models.common import Content, Label, Model, Platform, ProvinceCode, ReportText
from chalicelib.domain.models.reports import MatchLevel, ReportStatus
from chalicelib.domain.provinces import UNKNOWN_PROVINCE
from chalicelib.domain.public import NONCE_PATTERN

PUBLIC_TEXT_CHARS = 5_000  # a citizen pastes a message, not a document


class PublicCheckRequest(Content):
    """Body of ``POST /v1/public/check``: a message, a link and/or pictures (public upload ids)."""

    text: ReportText | None = Field(default=None, max_length=PUBLIC_TEXT_CHARS, description="The message.")


class PublicClaim(Model):
    """A published fact-check, as the public sees it."""

    title: str
    label: Label
    summary: str | None = Field(default=None, description="The fact-check's explanation, in Indonesian.")
    url: str | None = Field(default=None, description="The fact-check article.")
    date: str | None = None
    publisher: str | None = None


class PublicMatch(Model):
    claim: PublicClaim
    level: MatchLevel = Field(description="'match': this is the same hoax; 'suggest': it may be related.")


class PublicCheckResult(Model):
    """Fact-checks that answer the message, the surest first; empty when none does (not checked yet)."""

    matches: list[PublicMatch]


class PublicChallenge(Model):
    """A proof-of-work challenge a complaint must carry, solved (hashcash)."""

    challenge: str
    difficulty: int = Field(description="Leading zero bits SHA-256(challenge + nonce) must have.")
    expires_at: datetime


class Complaint(Content):
    """Body of ``POST /v1/public/reports``: an *aduan* from the public, with a solved challenge."""

    text: ReportText | None = Field(default=None, max_length=PUBLIC_TEXT_CHARS, description="The message.")
    platform: Platform = Field(default=Platform.other, description="Where it was seen.")
    province: ProvinceCode = Field(
        default=UNKNOWN_PROVINCE, description="Where the complainant is (two-digit Kemendagri code; '00' unsaid)."
    )
    challenge: str = Field(min_length=1, max_length=100, description="From GET /v1/public/challenge.")
    nonce: str = Field(pattern=NONCE_PATTERN, description="Solves the challenge.")
    contact: str | None = Field(
        default=None, min_length=3, max_length=254, description="Optional phone or e-mail, for news of the complaint."
    )
    consent: bool = Field(
        default=False,
        validate_default=True,
        description="True when the complainant agreed to the consent text shown beside the contact.",
    )

    @field_validator("consent")
    @classmethod
    def _consented(cls, consent: bool, info: ValidationInfo) -> bool:
        if info.data.get("contact") and not consent:
            raise ValueError("a contact is kept only with the complainant's consent (UU PDP): send consent true")
        return consent


class ComplaintAccepted(Model):
    """The 202 answer to a complaint: the code to follow it with."""

    tracking_code: str
    status: ReportStatus
    received_at: datetime


class PublicVerdict(Model):
    label: Label | None = Field(description="Null while a fact-checker has yet to decide.")
    reason: str = Field(description="Why, in Indonesian.")
    claim: PublicClaim | None = None


class ComplaintStatus(Model):
    """``GET /v1/public/reports/{tracking_code}``: where a complaint is, and its verdict once there is one."""

    tracking_code: str
    status: ReportStatus
    received_at: datetime
    verdict: PublicVerdict | None = None
