"""Statistics counters: which counters one change of a report moves, and by how much.

Counters are kept per WIB day (of the report's receipt) by platform, province and verdict label,
per UTC hour by case (for trending and the review queue), and per case by platform and province.
The reports stream drives them; nothing is ever scanned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.domain.exports import wib_day_of

GROUPS = ("label", "province", "platform")
HOUR_KEPT = timedelta(days=3)  # hourly case counters serve the last 48 hours, then expire


@dataclass(frozen=True)
class ReportFacts:
    """What the counters need to know of a report, as one stream image shows it."""

    received_at: datetime
    platform: str
    province: str
    case_id: str | None
    label: str | None


Counter = tuple[str, str]  # (partition, key): ("2026-11-28", "label#HOAKS"), ("hour#2026-11-28T09", "case_…")


def day_partition(moment: datetime) -> str:
    return wib_day_of(moment).isoformat()


def hour_partition(moment: datetime) -> str:
    return "hour#" + moment.astimezone(UTC).strftime("%Y-%m-%dT%H")


def case_partition(case_id: str) -> str:
    return "case#" + case_id


def counter_changes(old: ReportFacts | None, new: ReportFacts) -> dict[Counter, int]:
    """The increments one change makes: a new report counts once, a case once, a label moves."""
    changes: dict[Counter, int] = {}
    day = day_partition(new.received_at)
    if old is None:
        for key in ("total", f"platform#{new.platform}", f"province#{new.province}"):
            changes[(day, key)] = 1
    if new.case_id and (old is None or not old.case_id):
        changes[(hour_partition(new.received_at), new.case_id)] = 1
        for key in (f"platform#{new.platform}", f"province#{new.province}"):
            changes[(case_partition(new.case_id), key)] = 1
    old_label = old.label if old else None
    if new.label != old_label:
        if old_label:
            changes[(day, f"label#{old_label}")] = changes.get((day, f"label#{old_label}"), 0) - 1
        if new.label:
            changes[(day, f"label#{new.label}")] = changes.get((day, f"label#{new.label}"), 0) + 1
    return changes


TRANSACTION_ITEMS = 100  # DynamoDB's limit of items in one transaction


def counted_together(
    changes: list[tuple[str, dict[Counter, int]]], limit: int = TRANSACTION_ITEMS
) -> list[tuple[list[str], dict[Counter, int]]]:
    """Changes grouped to be counted in one write each: (their ids, the summed counters).

    A group's ids (one marker each) and distinct counters never exceed ``limit`` items; counters
    that sum to nothing are left out; a change that moves no counter, or repeats an id, is in no group.
    """
    groups: list[tuple[list[str], dict[Counter, int]]] = []
    ids: list[str] = []
    summed: dict[Counter, int] = {}
    seen: set[str] = set()
    for change_id, moves in changes:
        if not moves or change_id in seen:
            continue
        seen.add(change_id)
        added = {counter for counter in moves if counter not in summed}
        if ids and len(ids) + 1 + len(summed) + len(added) > limit:
            groups.append((ids, summed))
            ids, summed = [], {}
        ids.append(change_id)
        for counter, delta in moves.items():
            summed[counter] = summed.get(counter, 0) + delta
    if ids:
        groups.append((ids, summed))
    return [(group_ids, {c: d for c, d in group.items() if d}) for group_ids, group in groups]


def trending(last_24h: dict[str, int], previous_24h: dict[str, int], limit: int) -> list[tuple[str, int, int]]:
    """Cases growing fastest: (case, reports in the last 24 h, in the 24 h before), by growth."""
    growth = [(case, count, previous_24h.get(case, 0)) for case, count in last_24h.items()]
    growth.sort(key=lambda item: (-(item[1] - item[2]), -item[1], item[0]))
    return growth[:limit]
