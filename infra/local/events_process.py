"""The event sources in a process of their own: what Lambda's event source mappings and schedules do.

The API and the checks are both pure Python. In one process, a submission's thread waited for the
GIL behind the check pollers' threads, and a busy day's submissions slowed down with the checks
they caused. Here the event sources (``runner.py``: streams, queues, schedules, and the picture
function) run in a child process of the stack, on the app's own handlers, as separate Lambda
functions do on AWS. They share nothing with the API but the emulator: the claim index reaches
them through S3, as it reaches every Lambda container.

The child imports the app at once and waits for ``start`` (sent once the emulator holds the data):
it then re-drives what a previous run left waiting, starts polling and answers. ``stop`` stops
polling, lets the running batches finish, and answers. When its standard input closes without
``stop`` — the stack died, SIGKILL included — it leaves at once: a batch cut off is delivered
again, as on AWS.

    python -m infra.local.events_process --data-dir .local-data   (started by the stack)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from infra.local import share_the_gil_often
from infra.local.child import ChildProcess

# The reports stream's batch in up to four sub-batches at once (DynamoDB spreads a busy table's
# stream over shards and Lambda reads them in parallel; moto has one shard a table). The claims
# stream rebuilds the index from scratch: once a batch.
STREAM_PARALLELISM = {"report_stream": 4}
# Checks in up to twelve batches at once. A check mostly waits for the emulator, so more at once keep up:
# with six, a busy day's backlog grew through the run and drained at the same ~45 checks/s after it.
QUEUE_POLLERS_BY_FUNCTION = {"check_reports": 12}
PICTURE_POLLERS = 2  # pictures analysed at once: one Tesseract each, on a 2-core machine


def redrive_after_restart(data_dir: Path) -> None:
    """Ask again for the work whose messages died with the last run (queues are not kept on disk)."""
    from chalicelib.config import get_settings
    from chalicelib.services.checks import redrive_every_waiting_report
    from chalicelib.services.mail import redrive_waiting_mail
    from chalicelib.services.uploads import redrive_waiting_uploads
    from infra.local.runner import inserts_not_consumed

    # Every report still waiting for its check, but those whose new-report record the stream still
    # holds: it hands them over again, and their check is asked for from there.
    reports_table = get_settings().table_name("reports")
    redrive_every_waiting_report(requested_anyway=lambda: inserts_not_consumed(data_dir, reports_table))
    redrive_waiting_uploads()  # the announcements of uploads not analysed yet
    redrive_waiting_mail()  # mail stored but not taken


def _start(data_dir: Path) -> list[Any]:
    """Re-drive what the last run left waiting, then start every event source; returns the runners."""
    from app import app
    from chalicelib.config import get_settings
    from chalicelib.events.pictures import worker
    from infra.local.runner import EventSourceRunner

    redrive_after_restart(data_dir)
    settings = get_settings()
    runners = [
        EventSourceRunner(
            app,
            settings,
            data_dir=data_dir,
            stream_parallelism=STREAM_PARALLELISM,
            queue_pollers=QUEUE_POLLERS_BY_FUNCTION,
        ),
        # The picture function is an app of its own (its own Lambda function on AWS).
        EventSourceRunner(worker, settings, queue_pollers={"process_pictures": PICTURE_POLLERS}),
    ]
    for runner in runners:
        runner.start()
    return runners


def serve(data_dir: Path) -> int:
    """The child: import the app, then obey the parent's lines until stop or EOF."""
    from infra.local.child import ParentLink

    parent = ParentLink()
    import app  # noqa: F401 - imported now, while the emulator loads the data
    import chalicelib.events.pictures  # noqa: F401
    import infra.local.runner  # noqa: F401

    runners: list[Any] = []

    def start() -> dict[str, Any]:
        if not runners:
            runners.extend(_start(data_dir))
        return {"started": True}

    def stop() -> dict[str, Any]:
        for runner in runners:
            runner.stop()
        return {"stopped": True}

    return parent.obey({"start": start, "stop": stop})


class EventsProcess(ChildProcess):
    """The parent's handle on the child: launch it early, start it once the data is there, stop it."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__("infra.local.events_process", "--data-dir", str(data_dir))

    def start(self) -> None:
        self.ask("start")

    def stop(self) -> None:
        """Stop polling; returns once the running batches have finished and the child has exited."""
        self.ask("stop")
        self.wait(timeout=60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.events_process", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    share_the_gil_often()
    return serve(args.data_dir)


if __name__ == "__main__":
    sys.exit(main())
