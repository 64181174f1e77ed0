"""A fact-checker's verdict on a case: the verdict reports get, its history entry, a claim from the case (pure)."""

from __future__ import annotations

from datetime import date, datetime

from chalicelib.domain.models import CaseVerdictRequest, ClaimInput, ClaimSummary, Verdict, VerdictEntry


def case_claim_external_id(case_id: str) -> str:
    """A claim made from a case keeps the case in its external id: deciding again updates that claim."""
    return f"saring:{case_id}"


def claim_from_case(case_id: str, request: CaseVerdictRequest, *, publisher: str, day: date) -> ClaimInput:
    """A new claim from a case, made only of what the checker wrote.

    Nothing is copied from the case's reports: their text may name private people (claims are
    public), and their link is often an official page the hoax cites, which a claim's appearance
    would turn into a certain match.
    """
    assert request.title is not None  # the request validates that a new claim has a title
    return ClaimInput(
        external_id=case_claim_external_id(case_id),
        title=request.title,
        text=request.text,
        label=request.label,
        summary=request.summary,
        url=request.fact_check_url,
        publisher=publisher,
        date=day.isoformat(),
        appearance_urls=list(request.appearance_urls),
    )


def checker_verdict(
    request: CaseVerdictRequest, claim: ClaimSummary, decided_by: str, version: int, at: datetime
) -> tuple[Verdict, VerdictEntry]:
    """The verdict every report of the case gets, and the case's record of it."""
    verdict = Verdict(label=request.label, decided_by=decided_by, claim=claim, reason=request.summary)
    entry = VerdictEntry(
        version=version,
        label=request.label,
        summary=request.summary,
        fact_check_url=request.fact_check_url,
        claim_id=claim.id,
        decided_by=decided_by,
        decided_at=at,
    )
    return verdict, entry


def automatic_verdict_entry(verdict: Verdict, version: int, at: datetime) -> VerdictEntry:
    """The case's record of a verdict the engine reached (a claim written after the case opened)."""
    assert verdict.label is not None and verdict.claim is not None  # an automatic verdict cites its claim
    return VerdictEntry(
        version=version,
        label=verdict.label,
        summary=verdict.reason,
        fact_check_url=verdict.claim.url or "",
        claim_id=verdict.claim.id,
        decided_by=verdict.decided_by,
        decided_at=at,
    )
