"""What a check concludes from the engine's matches."""

from chalicelib.domain.checking import check_failed_outcome, conclude, outcome_with_new_claims
from chalicelib.domain.matching.documents import ClaimDoc, Match
from chalicelib.domain.models import Label, MatchLevel, ReportStatus


def _match(claim_id: str, score: float, level: str, label: str = "HOAKS") -> Match:
    return Match(ClaimDoc(claim_id, f"ext-{claim_id}", f"Klaim {claim_id}", label), score, level)


def test_no_match_means_a_human_should_look() -> None:
    outcome = conclude([])
    assert outcome.status is ReportStatus.needs_review
    assert outcome.verdict is None
    assert outcome.suggestions == []


def test_a_confident_best_match_decides_automatically() -> None:
    outcome = conclude([_match("a", 0.93, "match", "PENIPUAN"), _match("b", 0.5, "suggest")])
    assert outcome.status is ReportStatus.matched
    assert outcome.verdict is not None
    assert outcome.verdict.label is Label.PENIPUAN
    assert outcome.verdict.decided_by == "auto"
    assert outcome.verdict.claim is not None and outcome.verdict.claim.id == "a"
    assert outcome.verdict.score == 0.93
    assert "0.93" in outcome.verdict.reason


def test_suggestions_go_to_a_human_and_weak_ones_are_dropped() -> None:
    outcome = conclude([_match("a", 0.7, "suggest"), _match("b", 0.2, "none")])
    assert outcome.status is ReportStatus.needs_review
    assert outcome.verdict is None
    assert [(s.claim.id, s.level) for s in outcome.suggestions] == [("a", MatchLevel.suggest)]


def test_giving_up_hands_the_report_to_a_human() -> None:
    outcome = check_failed_outcome(8)
    assert outcome.status is ReportStatus.needs_review
    assert outcome.verdict is not None and outcome.verdict.label is None
    assert "8 kali" in outcome.verdict.reason


def test_a_new_claim_that_is_the_confident_best_match_decides_an_open_case() -> None:
    outcome = outcome_with_new_claims([_match("new", 0.92, "match"), _match("old", 0.6, "suggest")], frozenset({"new"}))
    assert outcome is not None and outcome.status is ReportStatus.matched
    assert outcome.verdict is not None and outcome.verdict.claim is not None and outcome.verdict.claim.id == "new"


def test_a_new_claim_among_the_suggestions_is_suggested_alone() -> None:
    outcome = outcome_with_new_claims(
        [_match("old", 0.7, "suggest"), _match("new", 0.6, "suggest")], frozenset({"new"})
    )
    assert outcome is not None and outcome.verdict is None
    assert [s.claim.id for s in outcome.suggestions] == ["new"]


def test_new_claims_that_the_case_does_not_match_change_nothing() -> None:
    # An old claim confidently matching (it was there when the case opened) is not the new claims' doing
    assert (
        outcome_with_new_claims([_match("old", 0.9, "match"), _match("new", 0.6, "suggest")], frozenset({"new"}))
        is None
    )
    assert (
        outcome_with_new_claims([_match("old", 0.7, "suggest"), _match("new", 0.2, "none")], frozenset({"new"})) is None
    )
    assert outcome_with_new_claims([], frozenset({"new"})) is None
