"""Use cases of fact-checked claims."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.ids import claim_id_for
from chalicelib.domain.models import ClaimInput
from chalicelib.domain.normalise import match_keys
from chalicelib.store import stores


def save_claim(claim: ClaimInput) -> str:
    """Create or update a claim by its external id; returns the claim's id."""
    claim_id = claim_id_for(claim.external_id)
    keys = match_keys(claim.text, list(claim.appearance_urls))
    stores().claims.put(claim_id, claim, keys, datetime.now(UTC))
    return claim_id
