"""Referrals, evidence and the audit chain, pure: every status move, the package maths, the chain maths."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from chalicelib.domain.audit_chain import Link, Seal, check_day, genesis, link_hash, seal_message
from chalicelib.domain.evidence import MANIFEST, SIGNATURE, manifest_of, package, problems_of, public_key_verifier
from chalicelib.domain.referrals import CATEGORIES, ReferralStatus, categories_of, refusal_of_move

S = ReferralStatus


@pytest.mark.parametrize(
    ("current", "new", "outcome", "allowed"),
    [
        (S.sent, S.acknowledged, None, True),
        (S.acknowledged, S.in_process, None, True),
        (S.in_process, S.closed, "Diteruskan ke Gakkumdu", True),
        (S.sent, S.in_process, None, False),  # a step skipped
        (S.sent, S.closed, "x", False),
        (S.acknowledged, S.sent, None, False),  # backwards
        (S.in_process, S.acknowledged, None, False),
        (S.sent, S.sent, None, False),  # standing still
        (S.in_process, S.closed, None, False),  # closing without an outcome
        (S.in_process, S.closed, "   ", False),
        (S.sent, S.acknowledged, "terlalu dini", False),  # an outcome before closing
        (S.closed, S.closed, "lagi", False),  # closed stays closed
        (S.closed, S.sent, None, False),
    ],
)
def test_every_status_move(current: ReferralStatus, new: ReferralStatus, outcome: str | None, allowed: bool) -> None:
    assert (refusal_of_move(current, new, outcome) is None) is allowed


def test_categories_live_in_one_place_with_indonesian_labels() -> None:
    assert categories_of("bawaslu") is CATEGORIES["bawaslu"] and "politik_uang" in categories_of("bawaslu")
    assert "penipuan" in categories_of("polri") and categories_of("kominfo") == {"pelanggaran_lain": "Pelanggaran lain"}
    assert all(label[0].isupper() for labels in CATEGORIES.values() for label in labels.values())
    assert [status.label for status in S] == ["Dikirim", "Diterima lembaga", "Sedang ditangani", "Selesai"]


def _signer() -> tuple[ec.EllipticCurvePrivateKey, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    return key, key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def test_a_package_verifies_and_every_change_to_it_is_named() -> None:
    key, pem = _signer()
    files = {"reports.jsonl": b'{"id": "rpt_1"}\n', "verdict.json": b'{"label": "HOAKS"}'}
    manifest = manifest_of(files, {"referral_id": "ref_x"}, datetime(2026, 11, 30, tzinfo=UTC))
    data = package(files, manifest, key.sign(manifest, ec.ECDSA(hashes.SHA256())))
    verify = public_key_verifier(pem)
    assert problems_of(data, verify) == []
    assert package(files, manifest, b"sig") == package(files, manifest, b"sig")  # the same bytes every time
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["reports.jsonl", "verdict.json", MANIFEST, SIGNATURE]

    def rezip(**changed: bytes | None) -> bytes:
        entries = {name: archive.read(name) for name in archive.namelist()}
        for field, body in changed.items():
            name = field.replace("_jsonl", ".jsonl").replace("_json", ".json")
            if body is None:
                entries.pop(name)
            else:
                entries[name] = body
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as rebuilt:
            for name, body in entries.items():
                rebuilt.writestr(name, body)
        return out.getvalue()

    assert problems_of(rezip(verdict_json=b'{"label": "BENAR"}'), verify) == [
        "verdict.json was changed (its SHA-256 is not the manifest's)"
    ]
    assert problems_of(rezip(reports_jsonl=None), verify) == ["reports.jsonl is missing"]
    assert problems_of(rezip(extra_json=b"{}"), verify) == ["extra.json is not in the manifest"]
    assert "not signed" in problems_of(rezip(manifest_json=manifest + b" "), verify)[0]
    _, other_pem = _signer()
    assert "not signed" in problems_of(data, public_key_verifier(other_pem))[0]
    assert problems_of(b"not a zip", verify)[0].startswith("not a readable evidence package")
    with pytest.raises(ValueError):
        package({MANIFEST: b"x"}, manifest, b"sig")


DAY = date(2026, 11, 30)
NOW = datetime(2026, 12, 1, 1, tzinfo=UTC)


def _chain(entries: dict[str, dict[str, str]]) -> list[Link]:
    links, previous = [], genesis(DAY)
    for seq, (entry_id, entry) in enumerate(entries.items(), start=1):
        links.append(Link(entry_id, seq, previous, link_hash(previous, entry)))
        previous = links[-1].hash
    return links


def test_the_chain_maths() -> None:
    entries = {f"aud_{n}": {"id": f"aud_{n}", "after": str(n)} for n in range(4)}
    links = _chain(entries)
    written = {entry_id: NOW - timedelta(hours=2) for entry_id in entries}
    assert links[0].previous == genesis(DAY) == hashlib.sha256(b"saring-audit|2026-11-30").hexdigest()
    seal = Seal(4, links[-1].hash, b"sig")

    def problems(e: dict[str, dict[str, str]], ls: list[Link], s: Seal | None = seal, holds: bool = True) -> list[str]:
        return check_day(DAY, e, ls, seal=s, signature_holds=holds, now=NOW, written_at=written).problems

    assert problems(entries, links) == []
    assert "changed" in problems({**entries, "aud_1": {"id": "aud_1", "after": "x"}}, links)[0]
    assert "deleted" in problems({k: v for k, v in entries.items() if k != "aud_2"}, links)[0]
    gap = [link for link in links if link.seq != 2]
    assert "link 2 is missing" in problems(entries, gap)[0]
    written["aud_9"] = NOW - timedelta(hours=1)
    assert "in no link" in problems({**entries, "aud_9": {"id": "aud_9"}}, links)[0]
    assert "sealed at 4" in problems(dict(list(entries.items())[:3]), links[:3])[0]
    assert "not signed" in problems(entries, links, holds=False)[0]
    assert seal_message(DAY, 4, "h") == b"saring-audit-seal|2026-11-30|4|h"
    # An entry of the last minutes, not linked yet, is pending on an unsealed day
    recent = {**entries, "aud_new": {"id": "aud_new"}}
    written["aud_new"] = NOW - timedelta(minutes=1)
    checked = check_day(DAY, recent, links, seal=None, signature_holds=False, now=NOW, written_at=written)
    assert checked.problems == [] and checked.pending == 1 and checked.linked == 4
