"""A case of many reports written straight to the tables: what the 1,000-report tests and the bench start from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

BIG_CASE_ID = "case_" + "c" * 26


def write_big_case(reports: int, text: str, case_id: str = BIG_CASE_ID) -> str:
    """An open case of ``reports`` needs-review reports (batched writes, no pipeline: fast)."""
    from chalicelib.store.tables import CaseRecord, ReportRecord

    now = datetime(2026, 11, 28, 3, tzinfo=UTC)
    CaseRecord(
        case_id,
        fingerprint="f" * 64,
        seen_count=reports,
        first_seen=now,
        last_seen=now,
        status="open",
        status_shard="open#0",
        sample_text=text,
        version=0,
    ).save()
    with ReportRecord.batch_write() as batch:
        for n in range(reports):
            batch.save(
                ReportRecord(
                    f"rpt_{n:026d}",
                    partner_id="kabar-app",
                    status="needs_review",
                    received_at=now + timedelta(seconds=n),
                    updated_at=now,
                    platform="whatsapp",
                    province="33",
                    text=text,
                    request_hash="h",
                    case_id=case_id,
                )
            )
    return case_id
