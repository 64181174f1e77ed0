"""The local stack's SMTP listener on loopback: complaints by e-mail, as SES receives them on AWS.

Each message is stored where SES's S3 action puts it (``mail/incoming/<id>`` in the data bucket),
then handed to the same function SES invokes (``chalicelib/events/mail.py``), with an event shaped
as SES's. The sender is told 250 only once the message is stored and taken; a failure is a 451, so
the sending server tries again. A message over the size limit is refused with 552 before it is read.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from chalicelib.domain.mail import MAX_MESSAGE_BYTES
from chalicelib.observability import logger

MAX_RECIPIENTS = 5  # a complaint is addressed to Saring; a long list of recipients is a spammer


def ses_event(message_id: str) -> dict[str, Any]:
    """The event SES's Lambda action sends for one message (the verdicts it would add are left out)."""
    return {"Records": [{"eventSource": "aws:ses", "ses": {"mail": {"messageId": message_id}, "receipt": {}}}]}


class ComplaintHandler:
    """aiosmtpd's handler: store, then take, each message."""

    async def handle_RCPT(  # aiosmtpd's hook names
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message_id = uuid.uuid4().hex
        try:
            await asyncio.to_thread(self._store_and_take, message_id, bytes(raw))
        except Exception:  # noqa: BLE001 - the sender retries; nothing was answered 250
            logger.exception("mail could not be taken")
            return "451 4.3.0 Aduan belum dapat diproses; coba lagi nanti"
        return f"250 2.0.0 OK {message_id}"

    @staticmethod
    def _store_and_take(message_id: str, raw: bytes) -> None:
        from chalicelib.adapters.mail import put_incoming_mail
        from chalicelib.events.mail import on_mail

        put_incoming_mail(message_id, raw)
        on_mail(ses_event(message_id), None)


class SmtpListener:
    """The listener, on ``host:port``, in its own thread."""

    def __init__(self, host: str, port: int) -> None:
        self._controller = Controller(
            ComplaintHandler(),
            hostname=host,
            port=port,
            data_size_limit=MAX_MESSAGE_BYTES,
            server_hostname="saring.localhost",
            ready_timeout=10,
        )

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
