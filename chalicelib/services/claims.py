"""Use cases of fact-checked claims."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from chalicelib.domain.checking import claim_match
from chalicelib.domain.ids import claim_id_for
from chalicelib.domain.models import ClaimInput, LookupRequest, LookupResult, MatchLevel
from chalicelib.services.claim_index import current_index
from chalicelib.store import stores


def save_claim(claim: ClaimInput) -> str:
    """Create or update a claim by its external id; returns the claim's id.

    The claims table's stream rebuilds the matching index after the change.
    """
    claim_id = claim_id_for(claim.external_id)
    stores().claims.put(claim_id, claim, datetime.now(UTC))
    return claim_id


def lookup_claims(request: LookupRequest) -> LookupResult:
    """Claims that may debunk a text or link, best first; answered from the loaded index only."""
    since = request.since.isoformat() if request.since else None
    found = current_index().search(text=request.text, url=request.url, limit=request.limit, since=since)
    matches = [claim_match(match) for match in found]
    hint = matches[0].claim.label if matches and matches[0].level is MatchLevel.match else None
    return LookupResult(matches=matches, verdict_hint=hint)


@dataclass
class ImportReport:
    """What an import did: good rows saved, bad rows named by line and reason."""

    saved: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


IMPORT_BATCH = 100


def import_claims(
    rows: Iterable[tuple[int, ClaimInput | str]], progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Save every valid row (by external id: a re-import updates, never duplicates)."""
    report = ImportReport()
    pending: dict[str, ClaimInput] = {}  # by claim id: the last row of an external id wins

    def flush() -> None:
        stores().claims.put_many(list(pending.items()), datetime.now(UTC))
        report.saved += len(pending)
        pending.clear()
        if progress:
            progress(report.saved + len(report.problems))

    for line, row in rows:
        if isinstance(row, str):
            report.problems.append((line, row))
            continue
        pending[claim_id_for(row.external_id)] = row
        if len(pending) >= IMPORT_BATCH:
            flush()
    flush()
    return report
