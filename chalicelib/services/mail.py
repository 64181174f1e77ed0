"""Use case of complaints by e-mail: take one stored message, file its complaint, answer the sender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.adapters import mail, uploads
from chalicelib.config import get_settings
from chalicelib.domain.ids import new_upload_id
from chalicelib.domain.mail import MailRefused, accepted_reply, parse_complaint_mail, refused_reply
from chalicelib.domain.models import Platform, ReportSubmission
from chalicelib.domain.public import PUBLIC_PARTNER_ID
from chalicelib.observability import count, logger
from chalicelib.services.access import use_public_allowance
from chalicelib.services.errors import PublicLimitReached
from chalicelib.services.public import file_complaint


@dataclass(frozen=True)
class MailOutcome:
    tracking_code: str | None  # None: not taken
    reason: str = ""  # why not, for the log and the tests


def take_mail(message_id: str, *, may_answer: bool, now: datetime | None = None) -> MailOutcome:
    """Take the stored message ``message_id`` as a complaint, then delete it.

    ``may_answer``: the sender may be written to (on AWS only when SPF or DKIM passed, so a forged
    From never turns Saring into a spammer of strangers). A refused message is answered with why,
    when it may be; one over its sender's limits is dropped silently (no answers to a flood).
    """
    raw = mail.incoming_mail(message_id)
    if raw is None:
        return MailOutcome(None, "already taken")  # a redelivery after the message was taken
    outcome = _take(raw, may_answer=may_answer, now=now or datetime.now(UTC))
    mail.forget_incoming_mail(message_id)
    return outcome


def _take(raw: bytes, *, may_answer: bool, now: datetime) -> MailOutcome:
    try:
        complaint = parse_complaint_mail(raw)
    except MailRefused as refused:
        count("MailRefused")
        logger.warning("mail refused", extra={"reason": refused.reason, "bytes": len(raw)})
        if may_answer and refused.sender and refused.reply:
            mail.send_mail(refused.sender, *refused_reply(refused.reply))
        return MailOutcome(None, refused.reason)
    sender = f"mail:{complaint.sender}"
    try:
        use_public_allowance(sender, complaint=True, now=now)
    except PublicLimitReached as limited:
        count("MailRefused")
        logger.warning("mail over its sender's limits", extra={"scope": limited.scope})
        return MailOutcome(None, f"over the limits ({limited.scope})")
    images = []
    for picture in complaint.pictures:
        upload_id = new_upload_id(now)
        uploads.put_incoming(PUBLIC_PARTNER_ID, upload_id, picture.data, picture.content_type)
        images.append(upload_id)
    submission = ReportSubmission(
        text=complaint.text,
        url=complaint.url,
        images=images,
        platform=Platform.other,
        province=complaint.province,
    )
    accepted = file_complaint(submission, sender, now)
    count("MailComplaints")
    logger.info(
        "mail complaint taken",
        extra={"pictures": len(images), "ignored": list(complaint.ignored), "province": complaint.province},
    )
    if may_answer:
        page = get_settings().public_page_url or None
        mail.send_mail(complaint.sender, *accepted_reply(accepted.tracking_code, page))
    return MailOutcome(accepted.tracking_code)


def redrive_waiting_mail() -> int:
    """Take every stored message not taken yet (the local stack stopped between storing and taking)."""
    waiting = mail.waiting_mail()
    for message_id in waiting:
        take_mail(message_id, may_answer=get_settings().is_local)
    return len(waiting)
