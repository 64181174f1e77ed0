"""The audit trail's hash chain, pure: each WIB day's entries linked in the order they were written.

A link names an entry, its place in the day (``seq`` from 1), the previous link's hash and its own:
``SHA-256(previous hash + "\\n" + the entry as canonical JSON)``; the first link's previous hash is
the day's genesis. After the day a seal signs ``(day, count, last hash)`` with the evidence key. An
edited entry breaks its link's hash; a deleted one leaves a link without an entry (or, with its
link, a gap in ``seq``); an entry slipped in has no link; the last entries removed with their links
no longer reach the sealed count and hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

PENDING_GRACE = timedelta(minutes=5)  # an entry this recent may not be linked yet: the chain follows a stream


def genesis(day: date) -> str:
    return hashlib.sha256(f"saring-audit|{day.isoformat()}".encode()).hexdigest()


def canonical(entry: Mapping[str, Any]) -> bytes:
    """The entry's bytes as hashed: its JSON form, keys sorted, no spaces."""
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def link_hash(previous: str, entry: Mapping[str, Any]) -> str:
    return hashlib.sha256(previous.encode() + b"\n" + canonical(entry)).hexdigest()


def seal_message(day: date, count: int, last_hash: str) -> bytes:
    """What a day's seal signs."""
    return f"saring-audit-seal|{day.isoformat()}|{count}|{last_hash}".encode()


@dataclass(frozen=True)
class Link:
    entry_id: str
    seq: int
    previous: str
    hash: str


@dataclass(frozen=True)
class Seal:
    count: int
    last_hash: str
    signature: bytes


@dataclass(frozen=True)
class DayCheck:
    entries: int
    linked: int
    pending: int
    problems: list[str]


def check_day(
    day: date,
    entries: Mapping[str, Mapping[str, Any]],
    links: Sequence[Link],
    *,
    seal: Seal | None,
    signature_holds: bool,
    now: datetime,
    written_at: Mapping[str, datetime],
) -> DayCheck:
    """Whether a day's entries are whole: every entry linked, the links unbroken, the seal (if any) matched.

    ``entries`` by id, as canonical dicts; ``written_at`` when each was written (a recent one may
    wait for its link); ``signature_holds`` is the seal's signature verified by the caller.
    """
    problems: list[str] = []
    ordered = sorted(links, key=lambda link: link.seq)
    previous = genesis(day)
    for expected_seq, link in enumerate(ordered, start=1):
        if link.seq != expected_seq:
            problems.append(f"link {expected_seq} is missing (the chain jumps to {link.seq})")
            break
        if link.previous != previous:
            problems.append(f"link {link.seq} does not follow link {link.seq - 1}")
        entry = entries.get(link.entry_id)
        if entry is None:
            problems.append(f"entry {link.entry_id} (link {link.seq}) was deleted")
        elif link_hash(link.previous, entry) != link.hash:
            problems.append(f"entry {link.entry_id} (link {link.seq}) was changed")
        previous = link.hash
    linked_ids = {link.entry_id for link in ordered}
    pending = 0
    for entry_id in sorted(set(entries) - linked_ids):
        if now - written_at[entry_id] < PENDING_GRACE and seal is None:
            pending += 1
        else:
            problems.append(f"entry {entry_id} is in no link: it was added outside the trail")
    if seal is not None:
        if not signature_holds:
            problems.append("the day's seal is not signed by the evidence key")
        last = ordered[-1].hash if ordered else genesis(day)
        if (seal.count, seal.last_hash) != (len(ordered), last):
            problems.append(f"the day was sealed at {seal.count} entries; the chain now ends at {len(ordered)}")
    return DayCheck(entries=len(entries), linked=len(linked_ids & set(entries)), pending=pending, problems=problems)
