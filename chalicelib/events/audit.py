"""Event handlers of the audit trail: new entries linked into their day's hash chain; each day sealed."""

from __future__ import annotations

from typing import Any

from chalicelib.observability import event_handler


@event_handler
def on_audit_stream(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Each new entry, in the order written, linked into its day's chain; a failure retries the batch
    (entries linked already are left as they are)."""
    from chalicelib.services.audit import chain_new_entries

    keys = [
        (record["dynamodb"]["Keys"]["day"]["S"], record["dynamodb"]["Keys"]["id"]["S"])
        for record in event.get("Records", [])
        if record.get("eventName") == "INSERT"
    ]
    return {"entries": len(keys), "linked": chain_new_entries(keys)}


@event_handler
def on_seal_schedule(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """00:20 WIB: the day that just ended gets its seal."""
    from chalicelib.services.audit import seal_previous_day

    return {"sealed": seal_previous_day()}
