"""Referrals of cases to Bawaslu, the police or another agency, and their evidence."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from chalicelib.domain.models.common import Model, StrictModel
from chalicelib.domain.models.keys import PartnerId
from chalicelib.domain.referrals import ReferralStatus


class ReferralRequest(StrictModel):
    """Body of ``POST /v1/cases/{case_id}/referrals``."""

    agency: PartnerId = Field(description="The receiving agency's partner id: bawaslu, polri, or another agency's.")
    category: str = Field(min_length=1, max_length=64, description="One of the agency's categories (GET them here).")
    note: str = Field(min_length=1, max_length=4_000, description="What the agency should know, in Indonesian.")


class ReferralStatusRequest(StrictModel):
    """Body of ``POST /v1/referrals/{referral_id}/status``: the next status (and, to close, the outcome)."""

    status: ReferralStatus
    outcome: str | None = Field(default=None, min_length=1, max_length=4_000)


class ReferralChange(Model):
    status: ReferralStatus
    at: datetime
    by: str
    outcome: str | None = None


class ReferralView(Model):
    """A referral, as its referrer and its agency see it."""

    id: str
    case_id: str
    agency: str
    category: str
    category_label: str
    note: str
    status: ReferralStatus
    status_label: str
    outcome: str | None = None
    referred_by: str
    referrer_partner_id: str
    created_at: datetime
    updated_at: datetime
    history: list[ReferralChange]


class ReferralPage(Model):
    referrals: list[ReferralView]
    next_cursor: str | None = None


class ReferralCounts(Model):
    """``GET /v1/stats/referrals``: referrals made, per agency and category."""

    agencies: dict[str, dict[str, int]]


class EvidencePackage(Model):
    """``GET /v1/referrals/{id}/evidence``: a signed ZIP of the case's evidence, and how to check it."""

    referral_id: str
    url: str = Field(description="Presigned download link of the ZIP; valid until urls_expire_at.")
    sha256: str = Field(description="Of the ZIP as built.")
    bytes: int
    built_at: datetime
    urls_expire_at: datetime
    key_id: str = Field(description="The KMS key that signed manifest.json (its public key: GET /v1/evidence-key).")
    signing_algorithm: str


class EvidenceKey(Model):
    """``GET /v1/evidence-key``: the public key that verifies evidence packages and audit days offline."""

    key_id: str
    signing_algorithm: str
    public_key_pem: str
