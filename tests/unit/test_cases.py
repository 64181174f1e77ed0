"""The review queue's priority, a checker's verdict and the audit entries, as pure code."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from chalicelib.domain.access import Principal, Role
from chalicelib.domain.audit import CLI, Actor, audit_entry
from chalicelib.domain.models import AuditAction, CaseVerdictRequest, ClaimSummary, Label, PriorityComponent
from chalicelib.domain.priority import WEIGHTS, CaseSignals, case_priority
from chalicelib.domain.verdicts import case_claim_external_id, checker_verdict, claim_from_case

ELECTION_HOAX = (
    "SEBARKAN!! Surat suara utk capres sdh dicoblos duluan di gudang KPU Jawa Tengah, "
    "petugas KPPS dibayar. Segera viralkan sebelum dihapus!"
)
NEUTRAL = "Resep rendang padang yang enak dan empuk, dimasak tiga jam dengan santan kental."
AT = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def _components(text: str, reports: int = 0, best: tuple[str, float] | None = None) -> dict[str, PriorityComponent]:
    priority = case_priority(CaseSignals(text, reports, best))
    return {component.name: component for component in priority.components}


def test_the_priority_is_the_sum_of_its_explained_components() -> None:
    # Given an election hoax that spreads, with a suggestion
    priority = case_priority(CaseSignals(ELECTION_HOAX, 240, ("Surat suara tercoblos", 0.7)))

    # Then every component is there, scored in [0, 1], and the total is their points
    assert [c.name for c in priority.components] == ["spread", "election", "risk", "suggestion"]
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)
    assert priority.total == pytest.approx(sum(c.points for c in priority.components), abs=0.05)
    for component in priority.components:
        assert 0 <= component.score <= 1
        assert component.points == pytest.approx(component.score * component.weight * 100, abs=0.05)


def test_election_words_the_province_and_risk_signals_are_named() -> None:
    # When the priority of an election hoax is computed
    components = _components(ELECTION_HOAX)

    # Then the evidence names what was found, chat abbreviations read as words
    election = components["election"]
    assert {"capres", "kpu", "surat suara", "kpps"} <= set(election.evidence)
    assert "provinsi: jawa tengah" in election.evidence
    assert election.score == 1.0
    risk = components["risk"].evidence
    assert "forward: sebarkan" in risk and "forward: viralkan" in risk
    assert "urgency: segera" in risk and "urgency: sebelum dihapus" in risk


def test_a_neutral_text_scores_nothing_but_its_spread() -> None:
    # When a neutral case is computed
    components = _components(NEUTRAL, reports=24)

    # Then only spread counts (one report an hour)
    assert components["election"].score == 0
    assert components["risk"].score == 0
    assert components["suggestion"].score == 0
    assert components["spread"].evidence == ["24 laporan dalam 24 jam (1.0/jam)"]


def test_spread_grows_with_the_rate_and_saturates() -> None:
    scores = [case_priority(CaseSignals(NEUTRAL, n, None)).components[0].score for n in (0, 24, 240, 1_200, 12_000)]
    assert scores[0] == 0
    assert scores == sorted(scores)
    assert scores[-2] == scores[-1] == 1.0


def test_threats_and_incitement_weigh_more_than_calls_to_forward() -> None:
    forward = _components("Tolong bagikan pesan ini")["risk"].score
    threat = _components("Mereka akan bakar kantor itu")["risk"].score
    assert threat > forward > 0


def test_a_hoax_about_the_election_ranks_above_a_neutral_text_with_the_same_spread() -> None:
    hoax = case_priority(CaseSignals(ELECTION_HOAX, 10, None)).total
    neutral = case_priority(CaseSignals(NEUTRAL, 10, None)).total
    assert hoax > neutral


def test_a_verdict_request_names_one_claim() -> None:
    base = {
        "version": 0,
        "label": "HOAKS",
        "summary": "Foto lama diberi keterangan baru.",
        "fact_check_url": "https://cek.example/1",
    }
    with pytest.raises(ValidationError, match="either claim_id"):
        CaseVerdictRequest.model_validate(base)
    with pytest.raises(ValidationError, match="either claim_id"):
        CaseVerdictRequest.model_validate({**base, "claim_id": "clm_" + "0" * 24, "title": "Judul"})
    assert CaseVerdictRequest.model_validate({**base, "title": "Judul"}).title == "Judul"


def test_a_claim_made_from_a_case_carries_what_the_checker_wrote_and_the_fact_check() -> None:
    # Given a verdict that creates a claim, with the hoax text and its link as the checker wrote them
    request = CaseVerdictRequest(
        version=2,
        label=Label.PENIPUAN,
        summary="Bukan undian resmi KPU; tautan mencuri data.",
        fact_check_url="https://cek.example/undian",
        title="Undian berhadiah KPU",
        text="Selamat! Anda menang undian KPU",
        appearance_urls=["https://undian.example/klaim"],
    )

    # When the claim and the verdict are made
    claim = claim_from_case("case_x", request, publisher="mafindo", day=date(2026, 11, 28))
    summary = ClaimSummary(id="clm_1", title=claim.title, label=claim.label, url=claim.url, date=claim.date)
    verdict, entry = checker_verdict(request, summary, "Rina (Mafindo)", 3, AT)

    # Then the claim is the checker's text, keyed by the case, and the verdict names the checker
    assert claim.external_id == case_claim_external_id("case_x") == "saring:case_x"
    assert claim.text == "Selamat! Anda menang undian KPU"
    assert claim.appearance_urls == ["https://undian.example/klaim"]
    assert (claim.url, claim.publisher, claim.date) == ("https://cek.example/undian", "mafindo", "2026-11-28")
    assert verdict.decided_by == "Rina (Mafindo)" and verdict.reason == request.summary
    assert verdict.claim == summary
    assert (entry.version, entry.claim_id, entry.decided_at) == (3, "clm_1", AT)


def test_audit_entries_name_the_key_or_the_command_line() -> None:
    principal = Principal("key_abc", "mafindo", frozenset({Role.checker}), 60, 10, name="Rina")
    entry = audit_entry(Actor.of(principal), AuditAction.claim_created, "clm_1", before=None, after={"a": 1}, at=AT)
    assert (entry.actor, entry.actor_partner_id, entry.after) == ("key_abc (Rina)", "mafindo", {"a": 1})
    assert Actor.of(principal).public_name == "Rina"
    assert audit_entry(CLI, AuditAction.key_created, "key_x", before=None, after=None, at=AT).actor == "cli"
    later = audit_entry(CLI, AuditAction.key_created, "key_x", before=None, after=None, at=AT.replace(second=1))
    assert later.id > entry.id  # time-ordered


def test_a_claim_from_a_case_gets_no_text_or_link_the_checker_did_not_write() -> None:
    # Given a verdict that names only a title (the case's text may hold a reporter's phone number,
    # and its link may be the official page the hoax cites)
    request = CaseVerdictRequest(
        version=0,
        label=Label.HOAKS,
        summary="Jadwal resmi KPU tidak berubah; pesan ini palsu.",
        fact_check_url="https://cek.example/jadwal",
        title="Jadwal pemungutan suara diundur",
    )

    # When the claim is made
    claim = claim_from_case("case_y", request, publisher="mafindo", day=date(2026, 11, 28))

    # Then it carries neither
    assert claim.text is None
    assert claim.appearance_urls == []


def test_text_and_links_describe_only_a_new_claim() -> None:
    base = {"version": 0, "label": "HOAKS", "summary": "Ringkasan cukup panjang.", "fact_check_url": "https://c.ex/a"}
    with pytest.raises(ValidationError, match="describe a new claim"):
        CaseVerdictRequest.model_validate({**base, "claim_id": "clm_" + "0" * 24, "text": "isi hoaks"})
