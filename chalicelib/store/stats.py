"""Statistics counters in DynamoDB, moved exactly once per stream change."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.domain.stats import HOUR_KEPT, Counter
from chalicelib.store.tables import StatRecord, committed

MARKER_KEPT = timedelta(days=2)  # longer than a stream keeps a record (24 h)


class StatsStore:
    """The only code that reads or writes the counters."""

    def apply(self, change_ids: list[str], changes: dict[Counter, int], now: datetime) -> bool:
        """Move the counters and mark the changes counted, all or nothing; False if any was already counted.

        The markers make a retried stream batch count nothing twice. A change id once, and at most
        ``TRANSACTION_ITEMS`` markers and counters together (``domain.stats.counted_together``).
        """
        if not change_ids:
            return True

        def write(writes: TransactWrite) -> None:
            for change_id in change_ids:
                writes.save(
                    StatRecord("applied#" + change_id, "-", expires_at=now + MARKER_KEPT),
                    condition=StatRecord.partition.does_not_exist(),
                )
            for (partition, key), delta in changes.items():
                actions: list[Action] = [StatRecord.tally.add(delta)]
                if partition.startswith("hour#"):
                    actions.append(StatRecord.expires_at.set(now + HOUR_KEPT))
                writes.update(StatRecord(partition, key), actions=actions)

        return committed(write)  # only the markers have a condition: refused means one was counted

    def partition(self, partition: str) -> dict[str, int]:
        """Every counter of one partition (a day, or an hour of cases), by key."""
        return {str(record.key): int(record.tally) for record in StatRecord.query(partition)}

    def counters(self, wanted: list[Counter]) -> dict[Counter, int]:
        """Some counters by (partition, key), in batched reads; a counter never moved is left out."""
        found: dict[Counter, int] = {}
        for record in StatRecord.batch_get(wanted):
            found[(str(record.partition), str(record.key))] = int(record.tally)
        return found
