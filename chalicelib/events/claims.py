"""Event handlers of claims: a change in the claims table reaches the matching index, then the open cases."""

from __future__ import annotations

from typing import Any

from chalicelib.observability import event_handler
from chalicelib.services.checks import recheck_open_cases
from chalicelib.services.claim_index import publish_claim_changes


@event_handler
def on_claims_changed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One change set per batch, however many claims changed; a failure retries the batch.

    A retried batch publishes its claims again (the same state: harmless) and re-checks again (a
    case decided the first time is no longer open).
    """
    claim_ids = [record["dynamodb"]["Keys"]["id"]["S"] for record in event.get("Records", [])]
    index = publish_claim_changes(claim_ids)
    rechecked = recheck_open_cases(index, claim_ids)
    return {"changes": len(claim_ids), "claims": len(index), **rechecked}


@event_handler
def on_sync_schedule(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The scheduled claim sync; its report is the invocation's answer (errors are counted, not raised)."""
    from chalicelib.services.claim_sync import sync_claims

    return sync_claims().summary()
