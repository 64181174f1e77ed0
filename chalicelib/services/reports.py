"""Use cases of reports: submit one, read one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.adapters.sealing import open_sealed, seal
from chalicelib.config import get_settings
from chalicelib.domain.access import Principal
from chalicelib.domain.ids import new_report_id, report_id_for_idempotency_key
from chalicelib.domain.models import ReportAccepted, Reporter, ReportStatus, ReportSubmission, ReportView
from chalicelib.domain.normalise import submission_fingerprint
from chalicelib.observability import count, logger
from chalicelib.services.access import pepper
from chalicelib.services.errors import IdempotencyKeyReused
from chalicelib.store import stores
from chalicelib.store.reports import NewReport, SealedContact


def submit_report(submission: ReportSubmission, partner_id: str, idempotency_key: str | None = None) -> ReportAccepted:
    """Store a report for checking; with an idempotency key a retry gets the first answer.

    The report is its own idempotency record: a keyed report's id is derived from the partner and
    the key, and stored only if new. A retry (or a twin sent while the first is still running) finds
    it and gets the first answer, rebuilt from it; nothing else is written per submission.
    Raises IdempotencyKeyReused when the key came before with another body.
    """
    if submission.images:
        from chalicelib.services.uploads import verify_uploads

        verify_uploads(submission.images, partner_id)
    if idempotency_key is None:
        return _create(submission, partner_id, new_report_id())
    return _create(submission, partner_id, report_id_for_idempotency_key(partner_id, idempotency_key))


def get_report(report_id: str, reader: Principal) -> ReportView | None:
    """A report as ``reader`` may see it, or None when it may not (or there is no such report).

    A partner sees its own reports only, with the reporter's contact (through a key with the
    partner role); agencies, checkers and admins see every report, never the contact.
    """
    report = stores().reports.get(report_id)
    if report is None:
        return None
    is_owner = report.partner_id == reader.partner_id
    if not is_owner and not reader.reads_all_reports():
        return None
    reporter = None
    if is_owner and reader.may_read_contacts() and report.has_contact:
        sealed = stores().contacts.sealed(report.id, datetime.now(UTC))
        if sealed is not None:  # None once the retention period is over
            reporter = Reporter(contact=open_sealed(sealed, ("report_id", report.id)))
    seen = stores().cases.seen_count(report.case_id) if report.case_id else 0
    images = []
    if report.images:
        from chalicelib.services.pictures import picture_views

        images = picture_views(report.images, with_links=reader.sees_pictures())
    return ReportView(
        id=report.id,
        status=report.status,
        received_at=report.received_at,
        checked_at=report.checked_at,
        case_id=report.case_id,
        seen_count=max(seen, 1),
        verdict=report.verdict,
        suggestions=report.suggestions,
        reporter=reporter,
        images=images,
    )


def _fingerprint(submission: ReportSubmission) -> str:
    return submission_fingerprint(pepper(), submission.model_dump_json())


def _create(submission: ReportSubmission, partner_id: str, report_id: str) -> ReportAccepted:
    request_hash = _fingerprint(submission)
    now = datetime.now(UTC)
    contact = None
    if submission.reporter is not None:
        retention = timedelta(days=get_settings().contact_retention_days)
        contact = SealedContact(seal(submission.reporter.contact, ("report_id", report_id)), now + retention)
    report = NewReport(
        id=report_id,
        partner_id=partner_id,
        received_at=now,
        platform=submission.platform.value,
        province=submission.province,
        text=submission.text,
        url=submission.url,
        observed_at=submission.observed_at,
        external_id=submission.external_id,
        request_hash=request_hash,
        images=tuple(submission.images),
    )
    if stores().reports.create(report, contact):
        count("ReportsReceived")
        logger.info("report received", extra={"report_id": report_id})
        return ReportAccepted(id=report_id, status=ReportStatus.received, received_at=now)
    # A keyed retry: the first answer, which said "received" whatever the report's status is now.
    existing = stores().reports.get(report_id)
    if existing is None or existing.request_hash != request_hash:
        raise IdempotencyKeyReused()
    return ReportAccepted(id=existing.id, status=ReportStatus.received, received_at=existing.received_at)
