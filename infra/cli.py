"""Operator commands: ``python -m infra.cli import-claims FILE`` (``make import-claims FILE=…``).

Against the running local stack by default (it writes where its emulator listens to
``DATA_DIR/stack.json``), or against AWS with ``--aws`` (credentials and ``SARING_*`` settings from
the environment, as for any AWS tool).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def _progress(total: int) -> object:
    started = time.monotonic()

    def show(done: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        rate = done / max(time.monotonic() - started, 1e-6)
        sys.stderr.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows  {rate:,.0f}/s")
        sys.stderr.flush()

    return show


def import_claims_command(args: argparse.Namespace) -> int:
    if not args.aws:
        stack_file = args.data_dir / "stack.json"
        if not stack_file.exists():
            print(
                f"error: no local stack is running ({stack_file} is missing). Start `make run`, or use --aws.",
                file=sys.stderr,
            )
            return 2
        stack = json.loads(stack_file.read_text())
        os.environ.update({k: v for k, v in stack["environment"].items()})

    from chalicelib.domain.claim_formats import reader_for
    from chalicelib.services.claims import import_claims

    try:
        read = reader_for(args.file.name)
        content = args.file.read_text(encoding="utf-8")
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    rows = list(read(content))
    report = import_claims(rows, progress=_progress(len(rows)))  # type: ignore[arg-type]
    sys.stderr.write("\n")
    for line, reason in report.problems[: args.show]:
        print(f"  line {line}: {reason}")
    if len(report.problems) > args.show:
        print(f"  … and {len(report.problems) - args.show} more")
    print(f"imported {report.saved} claims from {args.file.name}; {len(report.problems)} rows refused")
    print("the matching index rebuilds from the claims' stream within seconds")
    return 0 if report.saved or not rows else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    importer = commands.add_parser("import-claims", help="import claims from .jsonl, .csv or ClaimReview .json")
    importer.add_argument("file", type=Path)
    importer.add_argument("--aws", action="store_true", help="import into AWS instead of the local stack")
    importer.add_argument("--data-dir", type=Path, default=Path(".local-data"))
    importer.add_argument("--show", type=int, default=20, help="bad rows to list (default 20)")
    importer.set_defaults(run=import_claims_command)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
