"""Mail: complaints as SES stored them (``mail/incoming/<message id>`` in the data bucket), and answers.

Answers are sent by SES on AWS. The local stack has no mail server to send through: it writes each
answer as an ``.eml`` file into its outbox directory (``SARING_MAIL_OUTBOX``) instead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings

INCOMING_MAIL = "mail/incoming/"


def incoming_mail_key(message_id: str) -> str:
    return f"{INCOMING_MAIL}{message_id}"


def put_incoming_mail(message_id: str, raw: bytes) -> None:
    """Store a message as SES's S3 action does (the local SMTP listener's first step)."""
    client("s3").put_object(Bucket=get_settings().bucket_name, Key=incoming_mail_key(message_id), Body=raw)


def incoming_mail(message_id: str) -> bytes | None:
    s3 = client("s3")
    try:
        answer = s3.get_object(Bucket=get_settings().bucket_name, Key=incoming_mail_key(message_id))
    except s3.exceptions.NoSuchKey:
        return None
    return bytes(answer["Body"].read())


def forget_incoming_mail(message_id: str) -> None:
    """Delete a message once taken: it holds the sender's address and headers (minimisation)."""
    client("s3").delete_object(Bucket=get_settings().bucket_name, Key=incoming_mail_key(message_id))


def waiting_mail() -> list[str]:
    """Message ids stored but not taken yet (the local stack stopped between the two)."""
    pages = (
        client("s3").get_paginator("list_objects_v2").paginate(Bucket=get_settings().bucket_name, Prefix=INCOMING_MAIL)
    )
    return [item["Key"][len(INCOMING_MAIL) :] for page in pages for item in page.get("Contents", [])]


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text answer from ``mail_from``: by SES, or into the local outbox."""
    settings = get_settings()
    if settings.mail_outbox:
        message = EmailMessage()
        message["From"] = settings.mail_from
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime.now(UTC))
        message["Message-ID"] = make_msgid(domain=settings.mail_from.split("@")[-1])
        message.set_content(body)
        outbox = Path(settings.mail_outbox)
        outbox.mkdir(parents=True, exist_ok=True)
        name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + ".eml"
        (outbox / name).write_bytes(bytes(message))
        return
    client("sesv2").send_email(
        FromEmailAddress=settings.mail_from,
        Destination={"ToAddresses": [to]},
        Content={
            "Simple": {
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
            }
        },
    )
