"""How urgent a case is for the review queue, and why (pure).

Four components, each a score in [0, 1] with a fixed weight; the total is their weighted sum on a
0–100 scale. Every component names what it saw, so a fact-checker can tell why a case is on top.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from chalicelib.domain.matching.analysis import SLANG, fold
from chalicelib.domain.models import Priority, PriorityComponent
from chalicelib.domain.provinces import PROVINCES

WEIGHTS = {"spread": 0.40, "election": 0.25, "risk": 0.20, "suggestion": 0.15}
SPREAD_SATURATION = 50.0  # reports an hour at which spread scores 1 (grows with the log below it)
COMPLAINT_WEIGHT = 3  # a complaint from the public counts as this many reports in spread (someone took the trouble)
TERMS_FOR_FULL_SCORE = 3  # distinct election or risk terms at which that component scores 1

# Words and phrases, as written after folding and slang expansion ("gak" → "tidak").
ELECTION_TERMS = frozenset(
    {
        # institutions and the vote
        "kpu",
        "kpud",
        "bawaslu",
        "panwaslu",
        "dkpp",
        "mahkamah konstitusi",
        "pemilu",
        "pilpres",
        "pileg",
        "pilkada",
        "pemilihan",
        "capres",
        "cawapres",
        "caleg",
        "paslon",
        "calon presiden",
        "calon wakil presiden",
        "kampanye",
        "debat capres",
        "quick count",
        "hitung cepat",
        "real count",
        "rekapitulasi",
        "sirekap",
        "tps",
        "surat suara",
        "kotak suara",
        "coblos",
        "mencoblos",
        "nyoblos",
        "golput",
        "dpt",
        "pemilih",
        "suara sah",
        "kecurangan pemilu",
        "politik uang",
        "serangan fajar",
        "petugas kpps",
        "kpps",
        # parties
        "pdip",
        "pdi perjuangan",
        "gerindra",
        "golkar",
        "pkb",
        "nasdem",
        "pks",
        "demokrat",
        "pan",
        "ppp",
        "perindo",
        "psi",
        "hanura",
        "partai buruh",
        "partai ummat",
        # candidates of 2024 and office holders often named in election hoaxes
        "prabowo",
        "gibran",
        "anies",
        "muhaimin",
        "cak imin",
        "ganjar",
        "mahfud",
        "jokowi",
    }
)
RISK_TERMS = {
    "forward": frozenset(
        {"sebarkan", "viralkan", "bagikan", "share", "teruskan", "broadcast", "sebar", "tolong sebarkan"}
    ),
    "urgency": frozenset(
        {"segera", "darurat", "penting", "mendesak", "sebelum dihapus", "hari ini juga", "waspada", "awas"}
    ),
    "threat": frozenset({"bunuh", "serang", "bakar", "bom", "ancam", "ancaman", "habisi", "rusuh", "kerusuhan"}),
    "incitement": frozenset(
        {
            "kafir",
            "antek asing",
            "aseng",
            "pribumi",
            "pki",
            "komunis",
            "murtad",
            "penista agama",
            "kristenisasi",
            "islamisasi",
            "usir",
            "ganyang",
        }
    ),
}
_SEVERE = ("threat", "incitement")  # each term of these counts double
_WORD = re.compile(r"[^\W_]+")
# "DKI Jakarta" is mostly written "Jakarta", "DI Yogyakarta" "Yogyakarta".
_PROVINCE_NAMES = frozenset(re.sub(r"^(dki|di) ", "", fold(name)) for name in PROVINCES.values())


@dataclass(frozen=True)
class CaseSignals:
    """What the priority is computed from."""

    text: str | None
    reports_last_24h: int
    best_suggestion: tuple[str, float] | None  # (claim title, score)
    public_complaints: int = 0  # the case's complaints from the public (of all time: the case's counter)


def _words(text: str) -> str:
    """The text as space-separated standard words, padded so phrases match on word boundaries."""
    words = (SLANG.get(word, word) for word in _WORD.findall(fold(text)))
    return " " + " ".join(words) + " "


def _found(words: str, terms: frozenset[str]) -> list[str]:
    return sorted(term for term in terms if f" {term} " in words)


def _component(name: str, score: float, evidence: list[str]) -> PriorityComponent:
    score = round(min(1.0, max(0.0, score)), 3)
    weight = WEIGHTS[name]
    return PriorityComponent(
        name=name, score=score, weight=weight, points=round(score * weight * 100, 1), evidence=evidence
    )


def case_priority(signals: CaseSignals) -> Priority:
    """The case's priority: spread, election relevance, risk signals and the best suggestion."""
    words = _words(signals.text or "")
    # Complaints are among the reports; those of the last day weigh more (at most the day's reports).
    complaints = min(signals.public_complaints, signals.reports_last_24h)
    per_hour = (signals.reports_last_24h + (COMPLAINT_WEIGHT - 1) * complaints) / 24
    evidence = [f"{signals.reports_last_24h} laporan dalam 24 jam ({per_hour:.1f}/jam)"]
    if signals.public_complaints:
        evidence.append(f"{signals.public_complaints} aduan publik (bobot {COMPLAINT_WEIGHT}x)")
    spread = _component("spread", math.log1p(per_hour) / math.log1p(SPREAD_SATURATION), evidence)
    election_terms = _found(words, ELECTION_TERMS)
    provinces = sorted(name for name in _PROVINCE_NAMES if f" {name} " in words)
    election = _component(
        "election",
        (len(election_terms) + (0.5 if provinces and election_terms else 0)) / TERMS_FOR_FULL_SCORE,
        election_terms + [f"provinsi: {name}" for name in provinces],
    )
    risk_evidence: list[str] = []
    risk_weight = 0.0
    for kind, terms in RISK_TERMS.items():
        for term in _found(words, terms):
            risk_evidence.append(f"{kind}: {term}")
            risk_weight += 2 if kind in _SEVERE else 1
    risk = _component("risk", risk_weight / TERMS_FOR_FULL_SCORE, risk_evidence)
    if signals.best_suggestion:
        title, score = signals.best_suggestion
        suggestion = _component("suggestion", score, [f"{score:.2f}: {title[:120]}"])
    else:
        suggestion = _component("suggestion", 0.0, [])
    components = [spread, election, risk, suggestion]
    return Priority(total=round(sum(c.points for c in components), 1), components=components)
