"""What a check concludes from the claims the engine found (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.domain.matching.documents import Match
from chalicelib.domain.models import ClaimMatch, ClaimSummary, Label, MatchLevel, ReportStatus, Verdict


@dataclass(frozen=True)
class CheckOutcome:
    status: ReportStatus
    verdict: Verdict | None
    suggestions: list[ClaimMatch] = field(default_factory=list)
    verdict_version: int | None = None  # set when the verdict is a fact-checker's, from the report's case


def claim_match(match: Match) -> ClaimMatch:
    """The engine's match as the API shows it."""
    doc = match.claim
    summary = ClaimSummary(
        id=doc.id, external_id=doc.external_id, title=doc.title, label=Label(doc.label), url=doc.url, date=doc.date
    )
    return ClaimMatch(claim=summary, score=match.score, level=MatchLevel(match.level))


_LEVEL_ORDER = {"match": 0, "suggest": 1, "none": 2}


def merged(*found: list[Match]) -> list[Match]:
    """Matches from several searches (text, pictures) as one list: each claim once, at its strongest,
    confident matches first, then by score. One search alone keeps its own order."""
    non_empty = [matches for matches in found if matches]
    if len(non_empty) <= 1:
        return non_empty[0] if non_empty else []
    best: dict[str, Match] = {}
    for matches in found:
        for match in matches:
            known = best.get(match.claim.id)
            if known is None or (_LEVEL_ORDER[match.level], -match.score) < (_LEVEL_ORDER[known.level], -known.score):
                best[match.claim.id] = match
    return sorted(best.values(), key=lambda m: (_LEVEL_ORDER[m.level], -m.score, m.claim.id))


def conclude(matches: list[Match]) -> CheckOutcome:
    """A confident best match decides the verdict; otherwise a human looks, with the suggestions."""
    shown = [claim_match(m) for m in matches if m.level != MatchLevel.none]
    if shown and shown[0].level is MatchLevel.match:
        best = shown[0]
        verdict = Verdict(
            label=best.claim.label,
            decided_by="auto",
            claim=best.claim,
            score=best.score,
            reason=f"Cocok dengan klaim yang sudah diperiksa (skor {best.score:.2f}): {best.claim.title}",
        )
        return CheckOutcome(ReportStatus.matched, verdict)
    return CheckOutcome(ReportStatus.needs_review, None, shown)


def outcome_with_new_claims(matches: list[Match], claim_ids: frozenset[str]) -> CheckOutcome | None:
    """What newly written claims change for an open case: its verdict when one of them is the case's
    confident best match, suggestions when they are among its matches, else None (nothing to do)."""
    outcome = conclude(matches)
    if outcome.verdict is not None:
        claim = outcome.verdict.claim
        return outcome if claim is not None and claim.id in claim_ids else None
    fresh = [suggestion for suggestion in outcome.suggestions if suggestion.claim.id in claim_ids]
    return CheckOutcome(ReportStatus.needs_review, None, fresh) if fresh else None


def decided_outcome(verdict: Verdict, version: int) -> CheckOutcome:
    """A copy of content a fact-checker already decided takes that verdict, whatever the engine says."""
    return CheckOutcome(ReportStatus.reviewed, verdict, verdict_version=version)


def check_failed_outcome(attempts: int) -> CheckOutcome:
    """After too many failed attempts the report goes to a human instead of retrying forever."""
    verdict = Verdict(
        label=None,
        decided_by="auto",
        reason=f"Pemeriksaan otomatis gagal {attempts} kali; perlu ditinjau pemeriksa fakta.",
    )
    return CheckOutcome(ReportStatus.needs_review, verdict)
