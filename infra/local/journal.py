"""The local stack's write-ahead journal: every DynamoDB write the emulator answered, on disk first.

The emulator keeps its tables in memory, and a snapshot is only taken every few minutes. So that
a report (or key, claim, verdict, webhook) answered with success survives a SIGKILL at any moment,
the emulator appends the image of every item a write changed to this journal and flushes it to
disk (fsync) before its answer leaves. On start, the last snapshot is loaded and the journal
replayed over it; each snapshot starts a new segment and removes the segments it covers.

A segment is JSON Lines, one write a line: ``{"w": [[table, key, image or null], …], "s": […]}`` —
the items as they are after the write (null: deleted), and the stream records the write made
(``[table, sequence number, event name, keys, old image, new image]``), so that a restart can hand
the event sources what they had not consumed yet — or, for an S3 object written or deleted,
``{"o": [bucket, key, content type, file or null]}`` with the object's bytes in ``objects/<file>``.
Replaying images is idempotent, so a write both in a snapshot and in a segment replays to the same
item. A line cut short by a crash was never acknowledged (its fsync had not returned) and is
skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

Change = list[Any]  # [table name, key (DynamoDB JSON), image (DynamoDB JSON) or None]
StreamEntry = list[Any]  # [table name, sequence number, event name, keys, old image or None, new image or None]
ObjectChange = list[Any]  # [bucket, key, content type, file name under objects/ or None (deleted)]


SEGMENTS_KEPT_FOR_STREAMS = 12  # at most this many covered segments wait for a consumer (an hour of snapshots)
CONSUMED_FILE = "stream-checkpoints.json"  # in the data folder: table → last sequence number consumed


_OBJECT_LINE = b'{"o":'  # how an object change's line starts (``_append``, compact JSON)


def read_consumed(data_dir: Path) -> dict[str, int] | None:
    """What the event sources finished of each table's stream (None: no consumer ever ran here)."""
    path = data_dir / CONSUMED_FILE
    try:
        return {str(table): int(sequence) for table, sequence in json.loads(path.read_text()).items()}
    except FileNotFoundError:
        return None
    except (ValueError, AttributeError):
        return {}  # unreadable: hand everything over again (consumers are idempotent)


def write_consumed(data_dir: Path, consumed: dict[str, int]) -> None:
    """Record (durably, atomically) what the event sources finished of each stream."""
    path = data_dir / CONSUMED_FILE
    partial = path.with_suffix(".partial")
    with partial.open("w") as out:
        json.dump(consumed, out)
        out.flush()
        os.fsync(out.fileno())
    partial.replace(path)


def _segment_number(path: Path) -> int:
    return int(path.stem.rsplit("-", 1)[1])


class Journal:
    """Append, flush in groups, rotate at snapshots, read back at start."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._append_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        existing = self.segments()
        self._number = (_segment_number(existing[-1]) + 1) if existing else 1
        self._file: BinaryIO = self._open(self._number)
        self._appended = 0
        self._synced = 0

    def _path(self, number: int) -> Path:
        return self.directory / f"segment-{number:08d}.jsonl"

    def _open(self, number: int) -> BinaryIO:
        opened = self._path(number).open("ab")
        _sync_directory(self.directory)  # the new file's name is on disk too
        return opened

    def segments(self) -> list[Path]:
        return sorted(self.directory.glob("segment-*.jsonl"), key=_segment_number)

    def append(self, changes: list[Change], records: list[StreamEntry] | None = None) -> int:
        """Write one write's changes (and the stream records it made); returns its position for ``sync``."""
        return self._append({"w": changes, "s": records} if records else {"w": changes})

    def append_object(self, bucket: str, key: str, content_type: str, body: bytes | None) -> int:
        """An S3 object as written (``body``) or deleted (None); its bytes go to a file first."""
        name = None
        if body is not None:
            name = hashlib.sha256(body).hexdigest()
            path = self.directory / "objects" / name
            if not path.exists():
                path.parent.mkdir(exist_ok=True)
                partial = path.with_suffix(".partial")
                with partial.open("wb") as out:
                    out.write(body)
                    out.flush()
                    os.fsync(out.fileno())
                partial.rename(path)
                _sync_directory(path.parent)
        return self._append({"o": [bucket, key, content_type, name]})  # a line starting _OBJECT_LINE

    def _append(self, entry: dict[str, Any]) -> int:
        line = json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
        with self._append_lock:
            self._file.write(line)
            self._appended += 1
            return self._appended

    def sync(self, position: int) -> None:
        """Return once the entry at ``position`` is on disk; one fsync covers every entry before it."""
        with self._sync_lock:
            if self._synced >= position:
                return
            with self._append_lock:
                self._file.flush()
                target = self._appended
            os.fsync(self._file.fileno())
            self._synced = target

    def rotate(self) -> int:
        """Close the current segment (on disk) and start the next; returns the new segment's number.

        A snapshot taken after this holds every write of the earlier segments.
        """
        with self._sync_lock, self._append_lock:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._synced = self._appended
            self._number += 1
            self._file = self._open(self._number)
            return self._number

    def drop_before(self, number: int, still_streaming: dict[str, int] | None = None) -> int:
        """Remove the segments a snapshot covers (those numbered below ``number``); returns how many.

        ``still_streaming`` (table → the last sequence number its consumer finished): the oldest
        covered segment that holds a later stream record is kept, with every segment after it, so a
        restart can still hand those records over. Replaying the kept segments' items again is
        harmless: they are the newest part of the history, in order, so each item ends as it is.
        """
        covered = [path for path in self.segments() if _segment_number(path) < number]
        if still_streaming is not None:
            recent = [path for path in covered if _segment_number(path) >= number - SEGMENTS_KEPT_FOR_STREAMS]
            needed = [path for path in recent if _has_records_after(path, still_streaming)]
            if needed:
                covered = [path for path in covered if _segment_number(path) < _segment_number(needed[0])]
        for path in covered:
            path.unlink()
        dropped = len(covered)
        _sync_directory(self.directory)
        still_needed = {change[3] for change in read_objects(self.directory) if change[3]}
        for path in (self.directory / "objects").glob("*"):
            if path.name not in still_needed:
                path.unlink()
        return dropped

    def close(self) -> None:
        with self._sync_lock, self._append_lock:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()


def _entries(directory: Path, starting: bytes = b"") -> Iterator[dict[str, Any]]:
    if not directory.exists():
        return
    for path in sorted(directory.glob("segment-*.jsonl"), key=_segment_number):
        yield from _segment_entries(path, starting)


def _segment_entries(path: Path, starting: bytes = b"") -> Iterator[dict[str, Any]]:
    """The segment's entries; with ``starting``, only the lines that start so (the others are not parsed)."""
    with path.open("rb") as lines:
        for line in lines:
            if not line.startswith(starting):
                continue
            try:
                yield json.loads(line)
            except ValueError:
                continue  # torn by a crash: never acknowledged


def _has_records_after(path: Path, consumed: dict[str, int]) -> bool:
    return any(
        int(record[1]) > consumed.get(record[0], -1)
        for entry in _segment_entries(path)
        for record in entry.get("s", ())
    )


def read_changes(directory: Path) -> Iterator[Change]:
    """Every item change of every segment, oldest first; a line cut short by a crash is skipped."""
    for entry in _entries(directory):
        yield from entry.get("w", [])


def read_stream_records(directory: Path) -> Iterator[StreamEntry]:
    """Every stream record of every segment kept, oldest first."""
    for entry in _entries(directory):
        yield from entry.get("s", ())


def read_objects(directory: Path) -> Iterator[ObjectChange]:
    """Every S3 object change of every segment, oldest first.

    Only the lines of object changes are parsed (``_append`` writes them ``{"o":…``): the journal
    is mostly item writes, and parsing each line again for each bucket replayed took a second of
    a busy day's restart.
    """
    for entry in _entries(directory, starting=_OBJECT_LINE):
        yield entry["o"]


def _sync_directory(directory: Path) -> None:
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
