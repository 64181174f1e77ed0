"""``make run``: the whole app on one machine, on an AWS emulator on loopback.

Starts moto in server mode in a process of its own (``emulator_process.py``: it restores the last
snapshot and the journal), creates every resource from the app's definitions, loads the demo
claims, serves the HTTP API, and runs the event sources (streams, queues, schedules) against the
app's own handlers in a third process (``events_process.py``). Ctrl-C (or SIGTERM) stops
everything it started: new requests are answered 503 with Retry-After, the running ones finish, the
event sources finish their batches, then a last snapshot.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra.local import share_the_gil_often

if TYPE_CHECKING:
    from infra.local.emulator_process import EmulatorProcess

DEMO_CLAIMS = Path(__file__).with_name("demo_claims.jsonl")


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to serve the API on (loopback)")
    parser.add_argument("--port", type=int, default=8000, help="API port (default 8000)")
    parser.add_argument("--emulator-port", type=int, default=0, help="moto port (default: any free one)")
    parser.add_argument("--data-dir", type=Path, default=Path(".local-data"), help="where snapshots live")
    parser.add_argument(
        "--smtp-port", type=int, default=2525, help="SMTP listener for complaints by e-mail (0: any free port)"
    )
    parser.add_argument("--snapshot-seconds", type=float, default=300.0, help="time between snapshots")
    parser.add_argument("--stale-after-seconds", type=int, default=None, help="sweep threshold override")
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo claims")
    parser.add_argument("--no-events", action="store_true", help="serve HTTP only (no streams, queues, schedules)")
    parser.add_argument(
        "--demo-key",
        default=os.environ.get("SARING_DEMO_KEY") or None,
        help="the demo admin key's value (default: $SARING_DEMO_KEY, else a new one each start)",
    )
    return parser.parse_args(argv)


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _configure_environment(args: argparse.Namespace, emulator_port: int) -> None:
    """The app reads its settings from the environment, exactly as on Lambda; set them first."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_REGION", "ap-southeast-3")
    os.environ["SARING_STAGE"] = "local"
    os.environ["SARING_AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{emulator_port}"
    # The emulator keeps its tables in one process without locks: one verdict write at a time.
    os.environ.setdefault("SARING_VERDICT_WRITERS", "1")
    if args.stale_after_seconds is not None:
        os.environ["SARING_STALE_AFTER_SECONDS"] = str(args.stale_after_seconds)
    # Answers to complaints by e-mail: into the data directory's outbox, linking to this page.
    os.environ["SARING_MAIL_OUTBOX"] = str(args.data_dir / "outbox")
    os.environ.setdefault("SARING_PUBLIC_PAGE_URL", f"http://{args.host}:{args.port}/")


def load_demo_claims() -> int:
    """Save the demo claims through the importer (idempotent: same external ids update, never duplicate)."""
    from chalicelib.domain.claim_formats import read_json_lines
    from chalicelib.services.claims import import_claims

    report = import_claims(read_json_lines(DEMO_CLAIMS.read_text(encoding="utf-8")))
    if report.problems:
        raise RuntimeError(f"demo claims are invalid: {report.problems}")
    return report.saved + report.unchanged


DEMO_KEY_ID_PART = "localdemoadmin22"
DEMO_FACT_CHECK_KEY = "local-demo-fact-check-key"  # the fake Fact Check Tools API's key (not a secret)


def install_fact_check_key(value: str) -> None:
    """Give the claim sync its API key, as an operator does on AWS (``SARING_FACT_CHECK_KEY_SECRET``)."""
    from chalicelib.adapters.aws import client
    from chalicelib.config import get_settings

    secrets = client("secretsmanager")
    name = get_settings().fact_check_key_secret
    try:
        secrets.put_secret_value(SecretId=name, SecretString=value)
    except secrets.exceptions.ResourceNotFoundException:
        secrets.create_secret(Name=name, SecretString=value)


def install_demo_key(value: str | None) -> str:
    """The demo admin key: the given value, or a fresh one (same id, so restarts never pile keys up)."""
    from chalicelib.domain.access import Role
    from chalicelib.domain.models import KeyRequest
    from chalicelib.services.access import install_key

    key = value or f"saring_{DEMO_KEY_ID_PART}_{secrets.token_hex(20)}"
    install_key(key, KeyRequest(partner_id="saring-demo", roles=[Role.admin], name="demo admin (make run)"))
    return key


def _banner(url: str, emulator_port: int, data_dir: Path, loaded: _Loaded, *, events: bool, smtp_port: int) -> str:
    restored, demo, admin_key = loaded.restored, loaded.demo_claims, loaded.admin_key
    restored_text = (
        f"restored {sum(restored['tables'].values())} items from {data_dir}/snapshot"
        f" and {loaded.replayed} journaled writes"
        if restored
        else f"no snapshot in {data_dir} (fresh start)"
    )
    return "\n".join(
        [
            "",
            "  Saring local stack is up",
            f"  API        {url}   (try: curl {url}/v1/health)",
            f"  OpenAPI    {url}/v1/openapi.json",
            f"  Emulator   http://127.0.0.1:{emulator_port}  (moto: DynamoDB, SQS, S3, KMS)",
            f"  Data       {restored_text}; {demo} demo claims loaded",
            f"  Admin key  {admin_key}",
            f"             (try: curl -H 'X-Api-Key: {admin_key}' {url}/v1/keys)",
            f"  Events     {'streams, queues and schedules running' if events else 'off (--no-events)'}",
            f"  Pictures   POST {url}/v1/uploads, then the form POST to the emulator's S3 it names"
            f" ({'analysed by the picture function' if events else 'not analysed: --no-events'}; see README)",
            f"  Page       {url}/   (cek dulu, aduan, lacak: the public's page)",
            f"  Console    {url}/console/   (fact-checkers, agencies, admins: sign in with a key)",
            f"  E-mail     SMTP 127.0.0.1:{smtp_port} takes complaints; answers are written to {data_dir}/outbox",
            "  Import     make import-claims FILE=claims.jsonl   (JSON Lines, CSV, ClaimReview or claims:search JSON)",
            f"  Sync       make sync-claims   (Fact Check Tools API: {os.environ.get('SARING_FACT_CHECK_API_URL')})",
            "  Ctrl-C stops everything (a snapshot is saved first).",
            "",
        ]
    )


@dataclass(frozen=True)
class _Loaded:
    restored: dict[str, Any] | None
    replayed: int
    demo_claims: int
    admin_key: str


def _prepare_while_the_emulator_loads() -> None:
    """Import the app and build the AWS clients on this process's core while the emulator's loads
    the data on the other (a few seconds of a restart)."""
    import app  # noqa: F401 - imported for its cost
    import infra.local.http  # noqa: F401
    from chalicelib.adapters.aws import client
    from chalicelib.services import claim_index, claims  # noqa: F401

    for service in ("dynamodb", "dynamodbstreams", "sqs", "s3", "kms", "secretsmanager"):
        client(service)


def _load_data(args: argparse.Namespace, emulator: EmulatorProcess) -> _Loaded:
    """Start the emulator (it restores the last snapshot and the journal), add the demo claims and
    admin key, index."""
    from chalicelib.services.claim_index import rebuild_claim_index

    emulator.launch()
    _prepare_while_the_emulator_loads()
    ready = emulator.ready()
    restored, replayed = ready["restored"], int(ready["replayed"])
    if args.fact_check_fake:
        install_fact_check_key(DEMO_FACT_CHECK_KEY)
    demo = 0 if args.no_demo else load_demo_claims()
    admin_key = install_demo_key(args.demo_key)
    rebuild_claim_index()  # serve lookups at once, whether or not the event sources run
    return _Loaded(restored, replayed, demo, admin_key)


def _write_stack_file(data_dir: Path, url: str) -> Path:
    """Tells operator commands (make import-claims, make key) where this stack and its emulator listen."""
    shared = (
        "SARING_STAGE",
        "SARING_AWS_ENDPOINT_URL",
        "SARING_FACT_CHECK_API_URL",
        "AWS_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    )
    environment = {name: os.environ[name] for name in shared if name in os.environ}
    stack_file = data_dir / "stack.json"
    stack_file.write_text(json.dumps({"api": url, "environment": environment}))
    return stack_file


def _fact_check_api(args: argparse.Namespace) -> contextlib.ExitStack:
    """The demo fake of the Fact Check Tools API on loopback, unless SARING_FACT_CHECK_API_URL names one.

    Sets ``args.fact_check_fake``; closing the returned stack stops the fake.
    """
    running = contextlib.ExitStack()
    args.fact_check_fake = "SARING_FACT_CHECK_API_URL" not in os.environ
    if args.fact_check_fake:
        from infra.local.fact_check_fake import demo_api, serving

        os.environ["SARING_FACT_CHECK_API_URL"] = running.enter_context(serving(demo_api(DEMO_FACT_CHECK_KEY))).url
    return running


def _ports(args: argparse.Namespace) -> int | None:
    """The emulator's port, or None (after saying why) when a port is taken."""
    if not _port_is_free(args.host, args.port):
        print(
            f"error: port {args.port} on {args.host} is busy (is another `make run` running?). "
            f"Stop it, or choose another port: make run PORT=8001",
            file=sys.stderr,
        )
        return None
    emulator_port = args.emulator_port or _free_port("127.0.0.1")
    if not _port_is_free("127.0.0.1", emulator_port):
        print(f"error: emulator port {emulator_port} is busy; choose another: EMULATOR_PORT=…", file=sys.stderr)
        return None
    args.smtp_port_chosen = bool(args.smtp_port)  # else any free one, taken again if another grabs it first
    args.smtp_port = args.smtp_port or _free_port("127.0.0.1")
    if not _port_is_free("127.0.0.1", args.smtp_port):
        print(f"error: SMTP port {args.smtp_port} is busy; choose another: make run SMTP_PORT=2526", file=sys.stderr)
        return None
    return int(emulator_port)


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    # From the first moment: a Ctrl-C while the stack starts stops it, gracefully, once it is up
    # (the API answers before the SMTP listener exists, so a client may already be waiting on it).
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    share_the_gil_often()
    emulator_port = _ports(args)
    if emulator_port is None:
        return 2
    from chalicelib.domain.access import key_id_of

    if args.demo_key and key_id_of(args.demo_key) is None:
        print(
            "error: SARING_DEMO_KEY must look like saring_<16 of a-z and 2-7>_<20 to 64 letters or digits>",
            file=sys.stderr,
        )
        return 2
    _configure_environment(args, emulator_port)
    with _fact_check_api(args):  # stopped however this ends: its server thread would keep the process alive
        return _serve(args, emulator_port, stop)


def _smtp_listener(args: argparse.Namespace) -> Any:
    """The SMTP listener, started; a free port picked at start may be taken by then: pick another."""
    from infra.local.smtp import SmtpListener

    for attempt in range(5):
        smtp = SmtpListener("127.0.0.1", args.smtp_port)
        try:
            smtp.start()
        except OSError:
            if args.smtp_port_chosen or attempt == 4:
                raise
            args.smtp_port = _free_port("127.0.0.1")
            continue
        return smtp
    raise AssertionError("unreachable")


def _serve(args: argparse.Namespace, emulator_port: int, stop: threading.Event) -> int:
    from chalicelib.config import get_settings
    from infra.local.emulator_process import EmulatorProcess
    from infra.local.events_process import EventsProcess

    settings = get_settings()
    emulator = EmulatorProcess(emulator_port, args.data_dir)
    events = None if args.no_events else EventsProcess(args.data_dir)
    if events is not None:
        events.launch()  # it imports the app on the other core while this process loads the data
    loaded = _load_data(args, emulator)

    from app import app  # reads the settings above
    from infra.local.http import LocalHttpServer

    # The API first: the event sources start by re-driving what waits, which reads the pending index
    # item by item in moto (its time grows with the reports held), and nothing the API answers depends on it.
    server = LocalHttpServer(app, args.host, args.port, upload_origin=settings.aws_endpoint_url or "")
    server.start()
    if events is not None:
        events.start()

    smtp = _smtp_listener(args)

    url = f"http://{args.host}:{server.port}"
    stack_file = _write_stack_file(args.data_dir, url)
    print(
        _banner(url, emulator_port, args.data_dir, loaded, events=events is not None, smtp_port=args.smtp_port),
        flush=True,
    )

    next_snapshot = time.monotonic() + args.snapshot_seconds
    while not stop.wait(1.0):
        if time.monotonic() >= next_snapshot:
            emulator.snapshot()
            next_snapshot = time.monotonic() + args.snapshot_seconds

    print("stopping: new requests get 503, running ones finish…", flush=True)
    smtp.stop()  # first: a message being read is answered 451 by nobody, and retried by its sender
    unfinished = server.stop()
    if unfinished:
        print(f"warning: {unfinished} requests were still running after 30 s", flush=True)
    if events is not None:
        events.stop()
    stack_file.unlink(missing_ok=True)
    manifest = emulator.stop()
    print(f"snapshot saved: {sum(manifest['tables'].values())} items in {args.data_dir}/snapshot", flush=True)
    return 0
