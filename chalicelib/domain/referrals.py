"""Referrals of cases to the agencies that enforce the law, pure: categories, statuses, their moves.

Bawaslu takes election-law violations, the police (Polri) crimes; another agency an admin gave an
agency key can be referred to with the general category. The lists live here alone: the API's
validation, the console and the statistics read them from here.
"""

from __future__ import annotations

from enum import StrEnum

BAWASLU = "bawaslu"
POLRI = "polri"

# agency → category → its Indonesian label
CATEGORIES: dict[str, dict[str, str]] = {
    BAWASLU: {
        "kampanye_hitam": "Kampanye hitam",
        "hasutan_sara": "Hasutan SARA",
        "politik_uang": "Politik uang",
        "netralitas_aparatur": "Netralitas ASN, TNI dan Polri",
        "hoaks_penyelenggaraan": "Hoaks tentang penyelenggaraan pemilu",
    },
    POLRI: {
        "berita_bohong_keonaran": "Berita bohong yang menimbulkan keonaran",
        "pencemaran_nama_baik": "Pencemaran nama baik",
        "ujaran_kebencian": "Ujaran kebencian",
        "penipuan": "Penipuan",
    },
}
OTHER_AGENCY_CATEGORIES = {"pelanggaran_lain": "Pelanggaran lain"}


def categories_of(agency: str) -> dict[str, str]:
    """The categories a referral to ``agency`` may have (any other agency: the general one)."""
    return CATEGORIES.get(agency, OTHER_AGENCY_CATEGORIES)


class ReferralStatus(StrEnum):
    sent = "sent"  # referred; the agency has not answered yet
    acknowledged = "acknowledged"  # the agency received it
    in_process = "in_process"  # the agency is handling it
    closed = "closed"  # done, with an outcome

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    ReferralStatus.sent: "Dikirim",
    ReferralStatus.acknowledged: "Diterima lembaga",
    ReferralStatus.in_process: "Sedang ditangani",
    ReferralStatus.closed: "Selesai",
}
_NEXT = {
    ReferralStatus.sent: ReferralStatus.acknowledged,
    ReferralStatus.acknowledged: ReferralStatus.in_process,
    ReferralStatus.in_process: ReferralStatus.closed,
}


def refusal_of_move(current: ReferralStatus, new: ReferralStatus, outcome: str | None) -> str | None:
    """Why a referral may not move from ``current`` to ``new`` (None: it may).

    A referral moves one step at a time, forward only; closing it needs an outcome, and only
    closing takes one.
    """
    if current is ReferralStatus.closed:
        return "this referral is closed; it does not change any more"
    if _NEXT[current] is not new:
        return f"a referral that is {current.value} can only become {_NEXT[current].value}"
    if new is ReferralStatus.closed and not (outcome and outcome.strip()):
        return "closing a referral needs its outcome"
    if new is not ReferralStatus.closed and outcome:
        return "only closing a referral takes an outcome"
    return None
