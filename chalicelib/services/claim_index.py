"""The claim index's lifecycle: built from the claims table, changed claims published within seconds,
loaded once per container and kept current.

Requests never read the claims table. A container reads the S3 pointer at most every
``SARING_INDEX_REFRESH_SECONDS``: a new snapshot is loaded whole, new change sets alone are
applied to the copy it holds. A change in the claims table publishes a change set (the changed
claims, analysed when they were written); every ``COMPACT_AFTER_CHANGES`` changed claims, or when
the snapshot is a day old, the whole index is rebuilt instead (compaction).
"""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.adapters import index_snapshots
from chalicelib.config import get_settings
from chalicelib.domain.matching.documents import decode_changes, encode_changes
from chalicelib.observability import logger
from chalicelib.store import stores

if TYPE_CHECKING:  # numpy and the engine load with the first lookup, not with the API
    from chalicelib.domain.matching.index import ClaimIndex

COMPACT_AFTER_CHANGES = 1_000  # changed claims carried beside a snapshot before it is rebuilt
COMPACT_AFTER_SECONDS = 24 * 3600


class _Loaded:
    """A copy of the index, kept up to date with the S3 pointer."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index: ClaimIndex | None = None
        self.version: str | None = None
        self.changes_applied = 0
        self.checked_at = float("-inf")

    def current(self, refresh_seconds: float) -> ClaimIndex:
        """The copy, after reading the pointer if it was last read ``refresh_seconds`` ago or more."""
        with self.lock:
            now = time.monotonic()
            if self.index is not None and now - self.checked_at < refresh_seconds:
                return self.index
            self.checked_at = now
            pointer = index_snapshots.current_pointer()
            if pointer is None:
                logger.warning("no claim index published yet; matching against no claims")
            elif pointer.get("format") != _format():
                logger.warning("claim index of another format; keeping this one until a rebuild", extra=pointer)
            else:
                self._catch_up(pointer)
            if self.index is None:
                self.index = _engine().build([])
            return self.index

    def _catch_up(self, pointer: dict[str, Any]) -> None:
        """Load a new snapshot, then apply the change sets not applied yet."""
        if pointer["version"] != self.version:
            self.index = _engine().from_bytes(index_snapshots.fetch(pointer["key"]))
            self.version, self.changes_applied = pointer["version"], 0
            logger.info("claim index loaded", extra={"version": pointer["version"], "claims": len(self.index)})
        fresh = pointer["changes"][self.changes_applied :]
        if fresh and self.index is not None:
            changes = {}
            for key in fresh:
                changes.update(decode_changes(index_snapshots.fetch(key)))
            self.index = self.index.with_changes(changes)
            self.changes_applied = len(pointer["changes"])

    def forget(self) -> None:
        with self.lock:
            self.index, self.version, self.changes_applied, self.checked_at = None, None, 0, float("-inf")


_serving = _Loaded()  # what this container's lookups and checks use
_publishing = _Loaded()  # what the claims handler re-checks open cases with (its own copy, read at once)


def _engine() -> type[ClaimIndex]:
    from chalicelib.domain.matching.index import ClaimIndex

    return ClaimIndex


def _format() -> int:
    """The snapshot format this code reads (a pointer to another is left alone until a rebuild)."""
    from chalicelib.domain.matching.index import FORMAT

    return FORMAT


def rebuild_claim_index() -> dict[str, Any]:
    """Build the index from every claim and publish it (compaction); returns the pointer."""
    started = time.perf_counter()
    index = _engine().build(stores().claims.all_for_index())
    blob = index.to_bytes()
    now = datetime.now(UTC)
    version = now.strftime("%Y%m%dT%H%M%S%fZ") + "-" + hashlib.sha256(blob).hexdigest()[:12]
    manifest: dict[str, Any] = {
        "version": version,
        "format": _format(),
        "built_at": now.timestamp(),
        "claims": len(index),
        "bytes": len(blob),
        "build_seconds": round(time.perf_counter() - started, 3),
        "changed_claims": 0,
    }
    pointer = index_snapshots.publish(blob, manifest)
    logger.info("claim index published", extra=manifest)
    return pointer


def publish_claim_changes(claim_ids: list[str]) -> ClaimIndex:
    """Publish these claims as they are now (added, changed or gone) for every container; returns
    the index with them, as the containers will have it.

    Reads only the changed claims; rebuilds the whole index instead when the snapshot has carried
    enough changes, is a day old, or is of another format.
    """
    pointer = index_snapshots.current_pointer()
    unique = list(dict.fromkeys(claim_ids))
    if (
        pointer is None
        or pointer.get("format") != _format()
        or pointer.get("changed_claims", 0) + len(unique) > COMPACT_AFTER_CHANGES
        or time.time() - pointer.get("built_at", 0) > COMPACT_AFTER_SECONDS
    ):
        rebuild_claim_index()
    else:
        found = stores().claims.analysed(unique)
        changes = {claim_id: found.get(claim_id) for claim_id in unique}
        changed = {**pointer, "changed_claims": pointer.get("changed_claims", 0) + len(unique)}
        pointer = index_snapshots.publish_changes(changed, encode_changes(changes))
        logger.info("claim changes published", extra={"claims": len(unique), "change_sets": len(pointer["changes"])})
    return _publishing.current(refresh_seconds=0)


def current_index() -> ClaimIndex:
    """This container's index, brought up to date with S3 at most every refresh period."""
    return _serving.current(get_settings().index_refresh_seconds)


def forget_loaded_index() -> None:
    """Drop this process's copies (tests; a fresh emulator)."""
    _serving.forget()
    _publishing.forget()
