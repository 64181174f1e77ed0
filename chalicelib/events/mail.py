"""The function SES invokes for each complaint by e-mail, after its S3 action stored the message."""

from __future__ import annotations

from typing import Any

from chalicelib.config import get_settings
from chalicelib.observability import event_handler

_PASS = "PASS"  # noqa: S105 - SES's verdict, not a password


def may_answer(receipt: dict[str, Any], *, local: bool) -> bool:
    """Answer only a sender SES could authenticate (SPF or DKIM passed); the local stack answers all."""
    if local:
        return True
    verdicts = {name: (receipt.get(name) or {}).get("status") for name in ("spfVerdict", "dkimVerdict")}
    return _PASS in verdicts.values()


@event_handler
def on_mail(event: dict[str, Any], context: Any) -> dict[str, int]:
    """SES's Lambda action event: one record per message; virus-positive messages are dropped unread."""
    from chalicelib.observability import logger
    from chalicelib.services.mail import take_mail

    taken = dropped = 0
    for record in event.get("Records", []):
        ses = record.get("ses") or {}
        message_id = str((ses.get("mail") or {}).get("messageId") or "")
        receipt = ses.get("receipt") or {}
        if not message_id:
            continue
        if (receipt.get("virusVerdict") or {}).get("status") == "FAIL":
            from chalicelib.adapters.mail import forget_incoming_mail

            forget_incoming_mail(message_id)
            logger.warning("mail dropped: virus verdict")
            dropped += 1
            continue
        outcome = take_mail(message_id, may_answer=may_answer(receipt, local=get_settings().is_local))
        taken += outcome.tracking_code is not None
        dropped += outcome.tracking_code is None
    return {"taken": taken, "dropped": dropped}
