"""Operator commands: ``python -m infra.cli import-claims FILE`` (``make import-claims FILE=…``),
``sync-claims`` (``make sync-claims``), ``create-key``, ``list-keys`` and ``revoke-key`` (``make key ARGS=…``).

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
from typing import Any


def _progress(total: int) -> object:
    started = time.monotonic()

    def show(done: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        rate = done / max(time.monotonic() - started, 1e-6)
        sys.stderr.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows  {rate:,.0f}/s")
        sys.stderr.flush()

    return show


def _target(args: argparse.Namespace) -> bool:
    """Point the app's settings at the local stack (unless --aws); False when none is running.

    The app's own log lines go to stderr: stdout carries only what the command reports.
    """
    if args.aws:
        if not os.environ.get("SARING_STAGE"):
            print("error: with --aws, say which stage: SARING_STAGE=dev|prod", file=sys.stderr)
            return False
        _logs_to_stderr()
        return True
    stack_file = args.data_dir / "stack.json"
    if not stack_file.exists():
        print(
            f"error: no local stack is running ({stack_file} is missing). Start `make run`, or use --aws.",
            file=sys.stderr,
        )
        return False
    stack = json.loads(stack_file.read_text())
    os.environ.update({k: v for k, v in stack["environment"].items()})
    _logs_to_stderr()
    return True


class _Stderr:
    """Whatever ``sys.stderr`` is when a line is written (a test may swap it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _logs_to_stderr() -> None:
    import logging

    from chalicelib.observability import logger

    handler = logger.registered_handler
    if isinstance(handler, logging.StreamHandler):
        handler.setStream(_Stderr())


def create_key_command(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from chalicelib.domain.models import KeyLimits, KeyRequest

    try:
        request = KeyRequest(
            partner_id=args.partner,
            roles=args.roles.split(","),
            name=args.name,
            limits=KeyLimits(requests_per_minute=args.per_minute, submissions_per_day=args.per_day),
            expires_at=args.expires_at,
        )
    except ValidationError as error:
        for problem in error.errors(include_url=False):
            print(f"error: {'.'.join(map(str, problem['loc']))}: {problem['msg']}", file=sys.stderr)
        return 2
    if not _target(args):
        return 2
    from chalicelib.domain.audit import CLI
    from chalicelib.services.access import create_key
    from chalicelib.services.errors import InvalidField

    try:
        created = create_key(request, CLI)
    except InvalidField as invalid:
        print(f"error: {invalid.field}: {invalid.message}", file=sys.stderr)
        return 2
    print(f"created {created.id} for {created.partner_id} with roles {', '.join(created.roles)}")
    print(f"key (shown this once): {created.key}")
    return 0


def list_keys_command(args: argparse.Namespace) -> int:
    if not _target(args):
        return 2
    from chalicelib.services.access import list_keys

    cursor = None
    while True:
        page = list_keys(cursor, 100)
        for key in page.keys:
            state = "revoked" if key.revoked_at else "active"
            print(f"{key.id}  {key.partner_id:<24} {','.join(key.roles):<28} {state:<8} {key.name or ''}")
        if page.next_cursor is None:
            return 0
        cursor = page.next_cursor


def revoke_key_command(args: argparse.Namespace) -> int:
    if not _target(args):
        return 2
    from chalicelib.domain.audit import CLI
    from chalicelib.services.access import revoke_key

    view = revoke_key(args.key_id, CLI)
    if view is None:
        print(f"error: there is no key {args.key_id}", file=sys.stderr)
        return 1
    print(f"revoked {view.id} ({view.partner_id})")
    return 0


def import_claims_command(args: argparse.Namespace) -> int:
    if not _target(args):
        return 2

    from chalicelib.domain.claim_formats import reader_for
    from chalicelib.services.claims import import_claims

    try:
        read = reader_for(args.file.name)
        content = args.file.read_text(encoding="utf-8")
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    rows = list(read(content))
    report = import_claims(rows, progress=_progress(len(rows)), source=args.file.name)  # type: ignore[arg-type]
    sys.stderr.write("\n")
    for line, reason in report.problems[: args.show]:
        print(f"  line {line}: {reason}")
    if len(report.problems) > args.show:
        print(f"  … and {len(report.problems) - args.show} more")
    print(_import_summary(report, args.file.name))
    if report.saved:
        print("the matching index takes them from the claims' stream within seconds")
    return 0 if report.saved or report.unchanged or not rows else 1


def _import_summary(report: Any, source: str) -> str:
    """One line: what an import or a sync did."""
    return (
        f"imported {report.saved} claims from {source} ({report.added} new, {report.updated} updated, "
        f"{report.unchanged} unchanged); {len(report.problems)} rows refused; "
        f"{report.unknown_ratings} with a rating the label table does not know (kept as BELUM_TERBUKTI)"
    )


def sync_claims_command(args: argparse.Namespace) -> int:
    if not _target(args):
        return 2
    from chalicelib.services.claim_sync import sync_claims

    report = sync_claims()
    if not report.configured:
        print(
            "error: no Fact Check Tools API key: set the secret named by SARING_FACT_CHECK_KEY_SECRET", file=sys.stderr
        )
        return 2
    print(
        f"synced {report.pages} pages: {report.added} new, {report.updated} updated, {report.unchanged} unchanged; "
        f"{report.unknown_ratings} with a rating the label table does not know (kept as BELUM_TERBUKTI); "
        f"{report.refused} reviews refused"
    )
    for error in report.errors:
        print(f"  error: {error}")
    for search in report.unfinished:
        print(f"  not finished (continues next run): {search}")
    return 1 if report.errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    importer = commands.add_parser("import-claims", help="import claims from .jsonl, .csv or ClaimReview .json")
    importer.add_argument("file", type=Path)
    importer.add_argument("--aws", action="store_true", help="import into AWS instead of the local stack")
    importer.add_argument("--data-dir", type=Path, default=Path(".local-data"))
    importer.add_argument("--show", type=int, default=20, help="bad rows to list (default 20)")
    importer.set_defaults(run=import_claims_command)
    creator = commands.add_parser("create-key", help="create an API key (printed once)")
    creator.add_argument("--partner", required=True, help="partner id, e.g. kabar-app")
    creator.add_argument("--roles", required=True, help="comma-separated: partner,media,agency,checker,admin")
    creator.add_argument("--name", default=None)
    creator.add_argument("--per-minute", type=int, default=600, help="requests per minute (default 600)")
    creator.add_argument("--per-day", type=int, default=10_000, help="report submissions per WIB day")
    creator.add_argument("--expires-at", default=None, help="ISO-8601 time with offset")
    creator.set_defaults(run=create_key_command)
    lister = commands.add_parser("list-keys", help="list API keys (never their values)")
    lister.set_defaults(run=list_keys_command)
    revoker = commands.add_parser("revoke-key", help="revoke an API key for good")
    revoker.add_argument("key_id")
    revoker.set_defaults(run=revoke_key_command)
    syncer = commands.add_parser("sync-claims", help="fetch new fact-checks from the Fact Check Tools API now")
    syncer.set_defaults(run=sync_claims_command)
    for command in (importer, creator, lister, revoker, syncer):
        if command is not importer:
            command.add_argument("--aws", action="store_true", help="act on AWS instead of the local stack")
            command.add_argument("--data-dir", type=Path, default=Path(".local-data"))
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
