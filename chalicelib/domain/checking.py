"""What a check concludes from the claims that matched a report (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.models import ClaimSummary, ReportStatus, Verdict


@dataclass(frozen=True)
class ClaimHit:
    """A claim that matched a report, and how."""

    claim: ClaimSummary
    matched_on: str  # "url" or "text"
    score: float


@dataclass(frozen=True)
class CheckOutcome:
    status: ReportStatus
    verdict: Verdict | None


def conclude(hits: list[ClaimHit]) -> CheckOutcome:
    """The report's status and verdict: the best hit decides; none means a human should look.

    An exact URL match ranks before an exact text match (the URL names the very post).
    """
    if not hits:
        return CheckOutcome(ReportStatus.needs_review, None)
    best = sorted(hits, key=lambda hit: (hit.matched_on != "url", -hit.score, hit.claim.id))[0]
    what = "tautan" if best.matched_on == "url" else "teks"
    verdict = Verdict(
        label=best.claim.label,
        decided_by="auto",
        claim=best.claim,
        score=best.score,
        reason=f"Isi {what} sama persis dengan klaim yang sudah diperiksa: {best.claim.title}",
    )
    return CheckOutcome(ReportStatus.matched, verdict)


def check_failed_outcome(attempts: int) -> CheckOutcome:
    """After too many failed attempts the report goes to a human instead of retrying forever."""
    verdict = Verdict(
        label=None,
        decided_by="auto",
        reason=f"Pemeriksaan otomatis gagal {attempts} kali; perlu ditinjau pemeriksa fakta.",
    )
    return CheckOutcome(ReportStatus.needs_review, verdict)
