"""The claim index's lifecycle: built from the claims table, snapshotted to S3, loaded once per container.

Requests never read the claims table: they use the container's copy, which checks the S3 pointer
at most every ``SARING_INDEX_REFRESH_SECONDS`` and loads a newer snapshot when there is one.
"""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters import index_snapshots
from chalicelib.config import get_settings
from chalicelib.domain.matching.index import ClaimIndex
from chalicelib.observability import logger
from chalicelib.store import stores

_EMPTY = ClaimIndex.build([])


class _Loaded:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index = _EMPTY
        self.version: str | None = None
        self.checked_at = float("-inf")


_loaded = _Loaded()


def rebuild_claim_index() -> dict[str, Any]:
    """Build the index from every claim and publish it; returns the snapshot's manifest."""
    started = time.perf_counter()
    index = ClaimIndex.build(stores().claims.all_for_index())
    blob = index.to_bytes()
    manifest = {
        "version": datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + hashlib.sha256(blob).hexdigest()[:12],
        "claims": len(index),
        "bytes": len(blob),
        "build_seconds": round(time.perf_counter() - started, 3),
    }
    index_snapshots.publish(blob, manifest)
    logger.info("claim index published", extra=manifest)
    return manifest


def current_index() -> ClaimIndex:
    """This container's index, refreshed from S3 when a newer snapshot is published."""
    with _loaded.lock:
        now = time.monotonic()
        if now - _loaded.checked_at < get_settings().index_refresh_seconds:
            return _loaded.index
        _loaded.checked_at = now
        pointer = index_snapshots.current_pointer()
        if pointer is None:
            logger.warning("no claim index published yet; matching against no claims")
        elif pointer["version"] != _loaded.version:
            _loaded.index = ClaimIndex.from_bytes(index_snapshots.fetch(pointer["key"]))
            _loaded.version = pointer["version"]
            logger.info("claim index loaded", extra={"version": pointer["version"], "claims": len(_loaded.index)})
        return _loaded.index


def forget_loaded_index() -> None:
    """Drop this container's copy (tests; a fresh emulator)."""
    with _loaded.lock:
        _loaded.index, _loaded.version, _loaded.checked_at = _EMPTY, None, float("-inf")
