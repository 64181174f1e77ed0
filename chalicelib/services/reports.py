"""Use cases of reports: submit one, read one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from chalicelib.adapters.sealing import open_sealed, seal
from chalicelib.config import get_settings
from chalicelib.domain.access import Principal
from chalicelib.domain.ids import new_report_id, report_id_for_idempotency_key
from chalicelib.domain.models import ReportAccepted, Reporter, ReportStatus, ReportSubmission, ReportView
from chalicelib.domain.normalise import submission_fingerprint
from chalicelib.observability import count, logger
from chalicelib.services.access import pepper
from chalicelib.services.errors import IdempotencyKeyReused, RequestInProgress
from chalicelib.store import stores
from chalicelib.store.reports import NewReport, SealedContact


def submit_report(
    submission: ReportSubmission,
    partner_id: str,
    idempotency_key: str | None = None,
    lambda_context: Any = None,
) -> ReportAccepted:
    """Store a report for checking; with an idempotency key a retry gets the first answer.

    Raises IdempotencyKeyReused when the key came before with another body, and
    RequestInProgress while the first request with the key is still running.
    """
    if idempotency_key is None:
        return _create(submission, partner_id, new_report_id())
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    submit_keyed, config = _idempotent_submit()
    if lambda_context is not None and hasattr(lambda_context, "get_remaining_time_in_millis"):
        # Lets an interrupted first attempt expire with the invocation instead of the whole TTL.
        config.register_lambda_context(lambda_context)
    # Powertools keeps a hash of "fingerprint" to spot another body under the same key: a keyed
    # fingerprint, so its record says nothing about the reporter's contact.
    request = {
        "partner_id": partner_id,
        "idempotency_key": idempotency_key,
        "fingerprint": _fingerprint(submission),
        "submission": submission.model_dump(mode="json"),
    }
    try:
        answer = submit_keyed(request=request)
    except IdempotencyValidationError:
        raise IdempotencyKeyReused() from None
    except IdempotencyAlreadyInProgressError:
        raise RequestInProgress() from None
    return ReportAccepted.model_validate(answer)


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
    return ReportView(
        id=report.id,
        status=report.status,
        received_at=report.received_at,
        case_id=report.case_id,
        seen_count=max(seen, 1),
        verdict=report.verdict,
        suggestions=report.suggestions,
        reporter=reporter,
    )


def _submit_keyed(request: dict[str, Any]) -> dict[str, Any]:
    submission = ReportSubmission.model_validate(request["submission"])
    report_id = report_id_for_idempotency_key(request["partner_id"], request["idempotency_key"])
    return _create(submission, request["partner_id"], report_id).model_dump(mode="json")


@lru_cache(maxsize=1)
def _idempotent_submit() -> tuple[Callable[..., dict[str, Any]], Any]:
    """Powertools idempotency around the keyed submission, built on first use (it imports boto3)."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    from chalicelib.adapters.aws import client

    settings = get_settings()
    config = IdempotencyConfig(
        event_key_jmespath="[partner_id, idempotency_key]",
        payload_validation_jmespath="fingerprint",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=settings.idempotency_ttl_seconds,
    )
    persistence = DynamoDBPersistenceLayer(
        table_name=settings.table_name("idempotency"), boto3_client=client("dynamodb")
    )
    wrapped = idempotent_function(data_keyword_argument="request", config=config, persistence_store=persistence)(
        _submit_keyed
    )
    return wrapped, config


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
    )
    if stores().reports.create(report, contact):
        count("ReportsReceived")
        logger.info("report received", extra={"report_id": report_id})
        return ReportAccepted(id=report_id, status=ReportStatus.received, received_at=now)
    # A keyed retry after a crash: the report was stored but its answer never was.
    existing = stores().reports.get(report_id)
    if existing is None or existing.request_hash != request_hash:
        raise IdempotencyKeyReused()
    return ReportAccepted(id=existing.id, status=existing.status, received_at=existing.received_at)
