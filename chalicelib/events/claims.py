"""Event handlers of claims: a change in the claims table rebuilds the matching index."""

from __future__ import annotations

from typing import Any

from chalicelib.observability import event_handler
from chalicelib.services.claim_index import rebuild_claim_index


@event_handler
def on_claims_changed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One rebuild per batch of changes, however many claims changed; a failure retries the batch."""
    manifest = rebuild_claim_index()
    return {"changes": len(event.get("Records", [])), "index": manifest["version"]}


@event_handler
def on_sync_schedule(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The scheduled claim sync; its report is the invocation's answer (errors are counted, not raised)."""
    from chalicelib.services.claim_sync import sync_claims

    return sync_claims().summary()
