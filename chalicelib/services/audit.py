"""Use case of the audit trail: admins read it (it is written by the changes themselves)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from chalicelib.domain.audit_chain import Link, Seal, check_day, link_hash, seal_message
from chalicelib.domain.exports import wib_day_of
from chalicelib.domain.models import AuditDayCheck, AuditPage
from chalicelib.observability import logger
from chalicelib.services.errors import UnknownCursor
from chalicelib.store import stores

_ENTRY_ID = re.compile(r"^aud_\d{20}[a-z2-7]{8}$")


def audit_entries(
    *, day: date | None, target: str | None, cursor: str | None, limit: int, now: datetime | None = None
) -> AuditPage:
    """Entries of one target, or of one WIB day (today when neither is given), newest first."""
    if cursor is not None and not _ENTRY_ID.match(cursor):
        raise UnknownCursor(cursor)
    wanted = limit + 1  # one more tells whether a next page exists
    if target is not None:
        entries = stores().audit.of_target(target, cursor, wanted)
    else:
        entries = stores().audit.of_day(day or wib_day_of(now or datetime.now(UTC)), cursor, wanted)
    page = entries[:limit]
    more = len(entries) > limit
    return AuditPage(entries=page, next_cursor=page[-1].id if more else None)


CHAIN_ATTEMPTS = 5  # another shard's batch may move the day's head between a read and the write


def chain_new_entries(keys: list[tuple[str, str]]) -> int:
    """Link new entries (``(WIB day, entry id)``, in the order they were written) into their days' chains.

    Safe to repeat: an entry linked already is left as it is. Returns how many were linked now.
    """
    chain = stores().audit_chain
    linked = 0
    for day_text, entry_id in keys:
        day = date.fromisoformat(day_text)
        entry = stores().audit.get(day, entry_id)
        if entry is None or chain.is_linked(day, entry_id):
            continue
        body = entry.model_dump(mode="json")
        for _ in range(CHAIN_ATTEMPTS):
            seq, previous = chain.head(day)
            if chain.add_link(day, Link(entry_id, seq + 1, previous, link_hash(previous, body))):
                linked += 1
                break
            if chain.is_linked(day, entry_id):
                break
        else:
            raise RuntimeError(f"the audit chain of {day} kept moving; {entry_id} is retried with its batch")
    return linked


def seal_day(day: date, now: datetime | None = None) -> bool:
    """Sign the day's last link (and how many there are) with the evidence key; False if sealed before."""
    from chalicelib.adapters.evidence import public_key, sign

    count, last_hash = stores().audit_chain.head(day)
    written = len(stores().audit.whole_day(day))
    if written != count:  # the chain follows a stream: a seal before it caught up would exclude the rest
        raise RuntimeError(f"{written - count} entries of {day} are not linked yet; the seal waits for them")
    signature = sign(seal_message(day, count, last_hash))
    key_id, _ = public_key()
    sealed = stores().audit_chain.put_seal(day, Seal(count, last_hash, signature), key_id, now or datetime.now(UTC))
    if sealed:
        logger.info("audit day sealed", extra={"day": day.isoformat(), "entries": count})
    return sealed


def seal_previous_day(now: datetime | None = None) -> bool:
    """The schedule's work, after WIB midnight: seal the day that just ended."""
    now = now or datetime.now(UTC)
    return seal_day(wib_day_of(now) - timedelta(days=1), now)


def verify_day(day: date, now: datetime | None = None) -> AuditDayCheck:
    """Recompute a day's chain from its entries and check it against its links and its seal."""
    from chalicelib.adapters.evidence import public_key
    from chalicelib.domain.evidence import public_key_verifier

    now = now or datetime.now(UTC)
    entries = stores().audit.whole_day(day)
    found = stores().audit_chain.seal(day)
    seal = found[0] if found else None
    holds = False
    if seal is not None:
        _, pem = public_key()
        holds = public_key_verifier(pem)(seal_message(day, seal.count, seal.last_hash), seal.signature)
    checked = check_day(
        day,
        {entry.id: entry.model_dump(mode="json") for entry in entries},
        stores().audit_chain.links(day),
        seal=seal,
        signature_holds=holds,
        now=now,
        written_at={entry.id: entry.at for entry in entries},
    )
    return AuditDayCheck(
        day=day,
        intact=not checked.problems,
        entries=checked.entries,
        linked=checked.linked,
        pending=checked.pending,
        sealed=seal is not None,
        problems=checked.problems,
    )
