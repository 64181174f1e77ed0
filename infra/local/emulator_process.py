"""The emulator in a process of its own, owning the local stack's data on disk.

moto and the app are both pure Python: in one process they take turns on one core. Here the
emulator (``emulator.py``), its journal and its snapshots run in a child process, so that the API
and the event sources use the other core.

The child is driven over its standard input, one word a line, and answers one JSON line on its
standard output: ``snapshot`` (save one now), ``stop`` (a last snapshot, then exit). When its
standard input closes without ``stop`` — the stack died, SIGKILL included — it exits at once
without a snapshot: everything acknowledged is in the journal already. A lock file keeps a new
child from loading the data while a dying one still holds it.

    python -m infra.local.emulator_process --port 4566 --data-dir .local-data   (started by the stack)
"""

from __future__ import annotations

import argparse
import fcntl
import gc
import os
import sys
from pathlib import Path
from typing import Any

from infra.local import share_the_gil_often
from infra.local.child import ChildProcess

LOCK_FILE = "emulator.lock"


class DiskCopy:
    """The emulator's data on disk: the last snapshot, and the journal of every write since it.

    Loading restores the snapshot and replays the journal without journaling or streaming them
    again; a snapshot starts a new journal segment first and removes the segments it covers.
    """

    def __init__(self, emulator: Any, data_dir: Path) -> None:
        from infra.local.journal import Journal

        self.emulator = emulator
        self.data_dir = data_dir
        self.journal: Journal | None = None

    def load(self) -> tuple[dict[str, Any] | None, int]:
        """(the restored snapshot's manifest or None, the journaled writes replayed over it)."""
        from chalicelib.config import get_settings
        from infra.local.emulator import load_item, replay_journal, resume_plan
        from infra.local.journal import Journal, read_consumed, read_stream_records
        from infra.local.resources import create_resources
        from infra.local.snapshot import restore_snapshot

        create_resources(get_settings())
        self.data_dir.mkdir(parents=True, exist_ok=True)
        journal = self.data_dir / "journal"
        with self.emulator.quietly() as backend:
            restored = restore_snapshot(
                get_settings(), self.data_dir, put_item=lambda table, image: load_item(backend, table, image)
            )
            replayed = replay_journal(
                backend, journal, (get_settings().bucket_name, get_settings().uploads_bucket_name)
            )
            # The streams go on where their consumers stopped: what was not consumed is handed over again.
            floors = {str(table): int(next_one) for table, next_one in ((restored or {}).get("streams") or {}).items()}
            consumed = read_consumed(self.data_dir) or {}
            self.emulator.resume_streams(resume_plan(read_stream_records(journal), consumed, floors))
        self.journal = Journal(self.data_dir / "journal")
        self.emulator.journal_to(self.journal)
        if restored is None:
            self.snapshot()  # a fresh start: the new contacts key and pepper are on disk at once
        return restored, replayed

    def snapshot(self) -> dict[str, Any]:
        """Save a snapshot; drop the journal it covers, but for stream records not consumed yet."""
        from chalicelib.config import get_settings
        from infra.local.journal import read_consumed
        from infra.local.snapshot import save_snapshot

        assert self.journal is not None
        segment, streams = self.emulator.rotate_journal(self.journal)
        manifest = save_snapshot(get_settings(), self.data_dir, streams=streams, lines_of=self.emulator.table_lines)
        self.journal.drop_before(segment, still_streaming=read_consumed(self.data_dir) or {})
        return manifest

    def close(self) -> None:
        self.emulator.journal_to(None)
        if self.journal is not None:
            self.journal.close()


def serve(port: int, data_dir: Path, region: str) -> int:
    """The child: load the data, serve the emulator, obey the parent's lines until stop or EOF."""
    import logging

    from infra.local.child import ParentLink
    from infra.local.emulator import Emulator

    parent = ParentLink()
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = (data_dir / LOCK_FILE).open("w")
    fcntl.flock(lock, fcntl.LOCK_EX)  # waits for a dying predecessor to let go
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the emulator's access log is noise here
    emulator = Emulator(ip_address="127.0.0.1", port=port, verbose=False, region=region)
    emulator.start()
    disk = DiskCopy(emulator, data_dir)
    restored, replayed = disk.load()
    # What was loaded lives until the stop: out of the collector's sight, its full passes no longer walk
    # every held item (a million objects at 100,000 reports) while requests wait.
    gc.freeze()
    parent.answer({"ready": True, "restored": restored, "replayed": replayed})

    def stop() -> dict[str, Any]:
        manifest = disk.snapshot()
        disk.close()
        emulator.stop()
        return {"manifest": manifest}

    # Without a stop (the parent died) it leaves at once: whatever it was told is in the journal.
    return parent.obey({"snapshot": lambda: {"manifest": disk.snapshot()}, "stop": stop})


class EmulatorProcess(ChildProcess):
    """The parent's handle on the child: start it, ask for snapshots, stop it."""

    def __init__(self, port: int, data_dir: Path) -> None:
        super().__init__(
            "infra.local.emulator_process",
            *("--port", str(port), "--data-dir", str(data_dir), "--region", os.environ["AWS_REGION"]),
        )
        self.port = port
        self.data_dir = data_dir

    def ready(self) -> dict[str, Any]:
        """Wait until the launched child has loaded the data; returns its ready message."""
        return self.read()

    def snapshot(self) -> dict[str, Any]:
        return dict(self.ask("snapshot")["manifest"])

    def stop(self) -> dict[str, Any]:
        """A last snapshot, then the child exits; returns the snapshot's manifest."""
        manifest = dict(self.ask("stop")["manifest"])
        self.wait(timeout=60)
        return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.emulator_process", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--region", required=True)
    args = parser.parse_args(argv)
    share_the_gil_often()
    return serve(args.port, args.data_dir, args.region)


if __name__ == "__main__":
    sys.exit(main())
