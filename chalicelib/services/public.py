"""Use cases of the public's door: check a message, complain about it, follow the complaint.

Only published claim data goes out: a check answers with fact-checks, a tracking code with its
complaint's status and verdict; never reports, cases, counts or other people's complaints.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.config import get_settings
from chalicelib.domain.exports import wib_day_of
from chalicelib.domain.models import (
    ClaimView,
    Complaint,
    ComplaintAccepted,
    ComplaintStatus,
    LookupRequest,
    MatchLevel,
    PublicChallenge,
    PublicCheckRequest,
    PublicCheckResult,
    PublicClaim,
    PublicMatch,
    PublicVerdict,
    Reporter,
    ReportStatus,
    ReportSubmission,
)
from chalicelib.domain.normalise import submission_fingerprint
from chalicelib.domain.public import (
    PUBLIC_PARTNER_ID,
    address_key,
    new_challenge,
    normal_tracking_code,
    read_challenge,
    report_id_of_tracking_code,
    solves,
    tracking_code,
)
from chalicelib.observability import count, logger
from chalicelib.services.access import pepper
from chalicelib.services.errors import IdempotencyKeyReused, InvalidField
from chalicelib.store import stores

PUBLIC_MATCHES = 3  # the fact-checks a check shows at most


def public_claim(claim: ClaimView) -> PublicClaim:
    return PublicClaim(
        title=claim.title,
        label=claim.label,
        summary=claim.summary,
        url=claim.url,
        date=claim.date,
        publisher=claim.publisher,
    )


def check_publicly(request: PublicCheckRequest) -> PublicCheckResult:
    """The published fact-checks that answer a message: sure matches, then possible ones."""
    from chalicelib.services.claims import lookup_claims

    found = lookup_claims(
        LookupRequest(text=request.text, url=request.url, images=request.images, limit=PUBLIC_MATCHES),
        PUBLIC_PARTNER_ID,
    )
    shown = [match for match in found.matches if match.level is not MatchLevel.none]
    claims = {claim.id: claim for claim in stores().claims.get_many([match.claim.id for match in shown])}
    matches = [
        PublicMatch(claim=public_claim(claims[match.claim.id]), level=match.level)
        for match in shown
        if match.claim.id in claims  # withdrawn since the index was loaded
    ]
    count("PublicChecks")
    return PublicCheckResult(matches=matches)


def issue_challenge(now: datetime | None = None) -> PublicChallenge:
    """A fresh proof-of-work challenge for one complaint."""
    now = now or datetime.now(UTC)
    settings = get_settings()
    return PublicChallenge(
        challenge=new_challenge(pepper(), settings.challenge_difficulty, now),
        difficulty=settings.challenge_difficulty,
        expires_at=now + timedelta(seconds=settings.challenge_seconds),
    )


def _spend_challenge(challenge: str, nonce: str, now: datetime) -> None:
    """Raise InvalidField unless the challenge is ours, fresh, solved by the nonce, and not used before."""
    issued = read_challenge(pepper(), challenge)
    if issued is None:
        raise InvalidField("challenge", "Saring did not issue this challenge; ask GET /v1/public/challenge for one.")
    expires_at = issued.issued_at + timedelta(seconds=get_settings().challenge_seconds)
    if expires_at < now:
        raise InvalidField("challenge", "This challenge has expired; ask for a new one.")
    if not solves(challenge, nonce, issued.difficulty):
        raise InvalidField("nonce", f"SHA-256(challenge + nonce) does not start with {issued.difficulty} zero bits.")
    if not stores().usage.spend_once(issued.token, expires_at):
        raise InvalidField("challenge", "This challenge was used already; ask for a new one.")


def submit_complaint(complaint: Complaint, address: str, now: datetime | None = None) -> ComplaintAccepted:
    """Take a complaint from the public into the reports' pipeline, under the channel ``public``.

    The same complaint (same content, same address, same WIB day) is the same report: sent again,
    it answers with its first tracking code and counts nothing twice. Complaints of the same
    content from different people are different reports of one case, as partners' are.
    """
    now = now or datetime.now(UTC)
    _spend_challenge(complaint.challenge, complaint.nonce, now)
    submission = ReportSubmission(
        text=complaint.text,
        url=complaint.url,
        images=complaint.images,
        platform=complaint.platform,
        province=complaint.province,
        reporter=Reporter(contact=complaint.contact) if complaint.contact else None,
    )
    return file_complaint(submission, address, now)


def file_complaint(submission: ReportSubmission, address: str, now: datetime) -> ComplaintAccepted:
    """Store a complaint as a report of the channel ``public``, once per content, address and WIB day.

    ``address`` is who sent it: a client address, or ``mail:<sender>`` for a complaint by e-mail.
    """
    content = submission.model_dump_json(exclude={"reporter"})
    code = tracking_code(
        pepper(), address_key(pepper(), address), wib_day_of(now).isoformat(), submission_fingerprint(pepper(), content)
    )
    from chalicelib.services.reports import submit_report

    try:
        accepted = submit_report(submission, PUBLIC_PARTNER_ID, code)
    except IdempotencyKeyReused:
        # The same complaint again, now with (or without) a contact: the first one stands.
        report = stores().reports.get(report_id_of_tracking_code(code))
        if report is None:  # pragma: no cover - the report was found a moment ago
            raise
        return ComplaintAccepted(tracking_code=code, status=ReportStatus.received, received_at=report.received_at)
    logger.info("public complaint received", extra={"report_id": accepted.id})
    return ComplaintAccepted(tracking_code=code, status=accepted.status, received_at=accepted.received_at)


def complaint_status(code: str) -> ComplaintStatus | None:
    """Where a complaint is and its verdict, or None when the code names no complaint."""
    normal = normal_tracking_code(code)
    if normal is None:
        return None
    report = stores().reports.get(report_id_of_tracking_code(normal))
    if report is None or report.partner_id != PUBLIC_PARTNER_ID:
        return None
    verdict = None
    if report.verdict is not None:
        claim = stores().claims.get(report.verdict.claim.id) if report.verdict.claim else None
        verdict = PublicVerdict(
            label=report.verdict.label,
            reason=report.verdict.reason,
            claim=public_claim(claim) if claim else None,
        )
    return ComplaintStatus(tracking_code=normal, status=report.status, received_at=report.received_at, verdict=verdict)
