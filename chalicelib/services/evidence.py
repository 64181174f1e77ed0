"""Use case of evidence packages: everything a referred case rests on, in one signed ZIP anyone can verify."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from chalicelib.adapters import evidence as evidence_files
from chalicelib.domain.access import Principal
from chalicelib.domain.evidence import SIGNING_ALGORITHM, manifest_of, package
from chalicelib.domain.models import EvidenceKey, EvidencePackage
from chalicelib.domain.models.referrals import ReferralView
from chalicelib.observability import count, logger
from chalicelib.store import stores

LINK_SECONDS = 3_600
MAX_REPORTS = 5_000  # a case's reports in one package; more are counted in case.json, not listed
AUDIT_ENTRIES = 1_000


def evidence_key() -> EvidenceKey:
    key_id, pem = evidence_files.public_key()
    return EvidenceKey(key_id=key_id, signing_algorithm=SIGNING_ALGORITHM, public_key_pem=pem.decode())


def evidence_of(referral_id: str, reader: Principal, now: datetime | None = None) -> EvidencePackage | None:
    """The signed package of a referral as it is now, built once per change of the referral; None when
    ``reader`` may not see the referral (or there is none)."""
    from chalicelib.services.referrals import get_referral

    referral = get_referral(referral_id, reader)
    if referral is None:
        return None
    now = now or datetime.now(UTC)
    key = evidence_files.package_key(referral.id, referral.updated_at.strftime("%Y%m%dT%H%M%S%fZ"))
    built = evidence_files.stored(key)
    if built is None:
        data = build_package(referral, now)
        built = len(data), hashlib.sha256(data).hexdigest()
        evidence_files.store_package(key, data, built[1])
        count("EvidencePackagesBuilt")
        logger.info("evidence package built", extra={"referral_id": referral.id, "bytes": built[0]})
    size, digest = built
    key_id, _ = evidence_files.public_key()
    return EvidencePackage(
        referral_id=referral.id,
        url=evidence_files.download_link(key, LINK_SECONDS),
        sha256=digest,
        bytes=size,
        built_at=now,
        urls_expire_at=now + timedelta(seconds=LINK_SECONDS),
        key_id=key_id,
        signing_algorithm=SIGNING_ALGORITHM,
    )


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode()


def _lines(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row, ensure_ascii=False, sort_keys=True, default=str) + "\n" for row in rows).encode()


def build_package(referral: ReferralView, now: datetime) -> bytes:
    """The ZIP: the referral, the case and its reports (never a reporter's contact), its pictures' hashes
    and clean copies, the verdict and the fact-check, and the audit trail of the case and the referral."""
    from chalicelib.adapters import uploads
    from chalicelib.services.stats import case_breakdown

    case = stores().cases.get(referral.case_id)
    assert case is not None  # a referral is made of an existing case, and cases are never deleted
    report_ids: list[str] = []
    cursor = None
    while len(report_ids) < MAX_REPORTS:
        page, cursor = stores().reports.in_case(case.id, cursor, 100)
        report_ids += [report.id for report in page]
        if cursor is None:
            break
    reports = stores().reports.get_many(report_ids)
    platforms, provinces = case_breakdown(case.id)
    files: dict[str, bytes] = {
        "referral.json": _json(referral.model_dump(mode="json")),
        "case.json": _json(
            {
                "id": case.id,
                "status": case.status.value,
                "first_seen": case.first_seen,
                "last_seen": case.last_seen,
                "reports": case.seen_count,
                "public_complaints": case.public_count,
                "platforms": platforms,
                "provinces": provinces,
                "sample_text": case.sample_text,
                "sample_url": case.sample_url,
            }
        ),
        "reports.jsonl": _lines(
            [
                {
                    "id": report.id,
                    "received_at": report.received_at,
                    "platform": report.platform,
                    "province": report.province,
                    "text": report.text,
                    "url": report.url,
                    "pictures": list(report.images),
                    "status": report.status.value,
                }
                for report in reports
            ]
        ),
        "verdict.json": _json(case.verdict.model_dump(mode="json") if case.verdict else None),
        "verdict_history.json": _json([entry.model_dump(mode="json") for entry in case.history]),
    }
    claim_id = case.verdict.claim.id if case.verdict and case.verdict.claim else None
    claim = stores().claims.get(claim_id) if claim_id else None
    files["fact_check.json"] = _json(claim.model_dump(mode="json", exclude={"images"}) if claim else None)
    pictures = stores().pictures.get_many(list(case.sample_images))
    files["pictures.jsonl"] = _lines(
        [
            {"upload_id": p.upload_id, "sha256": p.sha256, "pdq": list(p.hashes), "width": p.width, "height": p.height}
            for p in pictures.values()
        ]
    )
    for picture in pictures.values():
        if not picture.picture_key or not picture.sha256:
            continue  # refused, or its clean copy deleted after the retention period: its hashes stay above
        data = uploads.read(picture.picture_key, 20 * 1024 * 1024)
        if data is not None:
            files[f"pictures/{picture.sha256}{PurePosixPath(picture.picture_key).suffix}"] = data
    audit = [
        *stores().audit.of_target(case.id, None, AUDIT_ENTRIES),
        *stores().audit.of_target(referral.id, None, AUDIT_ENTRIES),
    ]
    audit.sort(key=lambda entry: entry.id)
    files["audit.jsonl"] = _lines([entry.model_dump(mode="json") for entry in audit])
    key_id, _ = evidence_files.public_key()
    about = {"referral_id": referral.id, "case_id": case.id, "key_id": key_id}
    manifest = manifest_of(files, about, now)
    return package(files, manifest, evidence_files.sign(manifest))
