"""What a check concludes from exact hits."""

from chalicelib.domain.checking import ClaimHit, check_failed_outcome, conclude
from chalicelib.domain.models import ClaimSummary, Label, ReportStatus


def _hit(claim_id: str, matched_on: str, label: Label = Label.HOAKS) -> ClaimHit:
    return ClaimHit(ClaimSummary(id=claim_id, title=f"Klaim {claim_id}", label=label), matched_on, 1.0)


def test_no_hit_means_a_human_should_look() -> None:
    outcome = conclude([])
    assert outcome.status is ReportStatus.needs_review
    assert outcome.verdict is None


def test_a_url_hit_wins_over_a_text_hit() -> None:
    # Given a text hit on one claim and a URL hit on another
    outcome = conclude([_hit("a", "text"), _hit("b", "url", Label.PENIPUAN)])
    # Then the URL's claim decides, automatically, in Indonesian
    assert outcome.status is ReportStatus.matched
    assert outcome.verdict is not None
    assert outcome.verdict.claim is not None and outcome.verdict.claim.id == "b"
    assert outcome.verdict.label is Label.PENIPUAN
    assert outcome.verdict.decided_by == "auto"
    assert "tautan" in outcome.verdict.reason


def test_giving_up_hands_the_report_to_a_human() -> None:
    outcome = check_failed_outcome(8)
    assert outcome.status is ReportStatus.needs_review
    assert outcome.verdict is not None and outcome.verdict.label is None
    assert "8 kali" in outcome.verdict.reason
