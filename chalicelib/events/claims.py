"""Event handlers of claims: a change in the claims table rebuilds the matching index."""

from __future__ import annotations

from typing import Any

from chalicelib.observability import flush_metrics, start_invocation
from chalicelib.services.claim_index import rebuild_claim_index


def on_claims_changed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One rebuild per batch of changes, however many claims changed; a failure retries the batch."""
    start_invocation(getattr(context, "aws_request_id", None))
    try:
        manifest = rebuild_claim_index()
        return {"changes": len(event.get("Records", [])), "index": manifest["version"]}
    finally:
        flush_metrics()


def on_sync_schedule(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The scheduled claim sync; its report is the invocation's answer (errors are counted, not raised)."""
    from chalicelib.services.claim_sync import sync_claims

    start_invocation(getattr(context, "aws_request_id", None))
    try:
        return sync_claims().summary()
    finally:
        flush_metrics()
