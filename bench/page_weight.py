"""The public page's weight: every file it loads, as sent and gzipped (the budget is 100 KB gzipped)."""

from __future__ import annotations

import gzip
from dataclasses import dataclass

from infra.web import PUBLIC_PAGE

BUDGET_GZIPPED_BYTES = 100 * 1024


@dataclass(frozen=True)
class PageWeight:
    files: int
    raw_bytes: int
    gzipped_bytes: int


def page_weight() -> PageWeight:
    """All of ``web/public``: the page loads every file there (HTML, script, style, icon, lists)."""
    files = sorted(path for path in PUBLIC_PAGE.rglob("*") if path.is_file())
    raw = [path.read_bytes() for path in files]
    return PageWeight(len(files), sum(map(len, raw)), sum(len(gzip.compress(data, 9)) for data in raw))


def table() -> str:
    weight = page_weight()
    return "\n".join(
        (
            "| public page | files | bytes | gzipped | budget |",
            "|---|---|---|---|---|",
            f"| web/public | {weight.files} | {weight.raw_bytes:,} | {weight.gzipped_bytes:,} | "
            f"{BUDGET_GZIPPED_BYTES:,} gzipped |",
        )
    )


if __name__ == "__main__":
    print(table())
