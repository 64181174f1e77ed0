"""The daily export for agencies: one row per report received on a WIB day, written as CSV and
gzipped JSON Lines in one pass, with a manifest that lets anyone verify the files.

Pure: rows come from any iterator and bytes go to any sink, so the same code writes to S3 in the
app and to local files in the benchmark. The same rows in the same order give the same bytes.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import heapq
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple, Protocol

from chalicelib.domain.access import WIB
from chalicelib.domain.provinces import province_name

EXCERPT_CHARS = 280
FIRST_DAY = date(2020, 1, 1)  # no report is older than the service: earlier days have no export
CSV_NAME = "reports.csv"
JSONL_NAME = "reports.jsonl.gz"
MANIFEST_NAME = "manifest.json"
BOM = "\ufeff".encode()  # so spreadsheets read the CSV as UTF-8


class ExportRow(NamedTuple):
    """One report as the export shows it: never personal data."""

    id: str
    received_at_utc: str
    received_at_wib: str
    platform: str
    province_code: str
    province_name: str
    content_type: str  # text, url, image, or several joined by "+"
    text_excerpt: str
    url: str
    case_id: str
    status: str
    label: str
    decided_by: str
    claim_id: str
    claim_url: str
    image_sha256: str  # each picture's clean copy, "|" between pictures
    image_phash: str  # each picture's PDQ hash
    image_text_excerpt: str  # the text read in the pictures, " | " between pictures


COLUMNS = list(ExportRow._fields)


class ExportPicture(NamedTuple):
    """What an export shows of a picture: never its bytes, never its metadata."""

    sha256: str
    phash: str
    text_excerpt: str


# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0``, ``@SUM(…)``); tab and carriage return start one too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_MAYBE_FORMULA = frozenset(FORMULA_STARTS) | {" "}


def spreadsheet_safe(cell: str) -> str:
    """A CSV cell that a spreadsheet shows as the text it is, never runs as a formula.

    OWASP's advice: prefix a single quote, which spreadsheets hide and treat as "this is text".
    Leading spaces are looked through, since some spreadsheets trim them before parsing. Only
    the CSV gets this (every cell); the JSON Lines file keeps every value exactly as it was reported.
    """
    return "'" + cell if cell.lstrip(" ").startswith(FORMULA_STARTS) else cell


def export_row(
    *,
    report_id: str,
    received_at: datetime,
    platform: str,
    province: str,
    text: str | None,
    url: str | None,
    case_id: str | None,
    status: str,
    label: str | None,
    decided_by: str | None,
    claim_id: str | None,
    claim_url: str | None,
    pictures: Iterable[ExportPicture] = (),
) -> ExportRow:
    received = received_at.astimezone(UTC)
    shown = list(pictures)
    kinds = [kind for kind, value in (("text", text), ("url", url), ("image", shown)) if value]
    return ExportRow(
        id=report_id,
        received_at_utc=received.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        received_at_wib=received.astimezone(WIB).isoformat(timespec="milliseconds"),
        platform=platform,
        province_code=province,
        province_name=province_name(province),
        content_type="+".join(kinds),
        text_excerpt=(text or "")[:EXCERPT_CHARS],
        url=url or "",
        case_id=case_id or "",
        status=status,
        label=label or "",
        decided_by=decided_by or "",
        claim_id=claim_id or "",
        claim_url=claim_url or "",
        image_sha256="|".join(picture.sha256 for picture in shown),
        image_phash="|".join(picture.phash for picture in shown),
        image_text_excerpt=" | ".join(picture.text_excerpt for picture in shown if picture.text_excerpt)[
            :EXCERPT_CHARS
        ],
    )


def merge_shards(shards: Iterable[Iterator[ExportRow]]) -> Iterator[ExportRow]:
    """Rows of a day's shards (each in time order) as one stream in time order, holding one row a shard."""
    return heapq.merge(*shards, key=lambda row: (row.received_at_utc, row.id))


def wib_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a WIB day starts at (inclusive) and ends at (exclusive)."""
    start = datetime.combine(day, time(0), tzinfo=WIB)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def wib_day_of(moment: datetime) -> date:
    return moment.astimezone(WIB).date()


def buildable_on_demand(day: date, now: datetime) -> bool:
    """Only today (not over yet) and yesterday (late reports) are rebuilt on request.

    Older days were built by the schedule and do not change; building any day since 1970 on
    request let one key keep the export function busy.
    """
    today = wib_day_of(now)
    return today - timedelta(days=1) <= day <= today


class Sink(Protocol):
    """Where an export file's bytes go (an S3 multipart upload, a local file)."""

    def write(self, data: bytes) -> object: ...


class _Counted:
    """Counts and hashes what passes to the sink, so the manifest describes the very bytes written."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        if data:
            self.sha256.update(data)
            self.size += len(data)
            self.sink.write(data)
        return len(data)

    def flush(self) -> None:
        return None


def write_export(rows: Iterable[ExportRow], csv_sink: Sink, jsonl_sink: Sink) -> dict[str, dict[str, object]]:
    """Write both files in one pass over ``rows``; returns per file its rows, bytes and SHA-256."""
    counted_csv, counted_jsonl = _Counted(csv_sink), _Counted(jsonl_sink)
    counted_csv.write(BOM)
    line = io.StringIO()
    writer = csv.writer(line, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)  # RFC 4180
    writer.writerow(COLUMNS)
    counted_csv.write(line.getvalue().encode())
    count = 0
    # mtime=0 and no file name in the header: a re-run writes the same bytes.
    with gzip.GzipFile(fileobj=counted_jsonl, mode="wb", mtime=0, filename="", compresslevel=6) as packed:
        for row in rows:
            line.seek(0)
            line.truncate()
            # The first character decides; most cells are passed over without a call.
            writer.writerow([cell if cell[:1] not in _MAYBE_FORMULA else spreadsheet_safe(cell) for cell in row])
            counted_csv.write(line.getvalue().encode())
            fields = dict(zip(COLUMNS, row, strict=True))
            packed.write(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
            count += 1
    return {
        CSV_NAME: {"rows": count, "bytes": counted_csv.size, "sha256": counted_csv.sha256.hexdigest()},
        JSONL_NAME: {"rows": count, "bytes": counted_jsonl.size, "sha256": counted_jsonl.sha256.hexdigest()},
    }


def manifest(
    day: date, files: dict[str, dict[str, object]], generated_at: datetime, code_version: str, *, complete: bool
) -> dict[str, object]:
    """What ``manifest.json`` says: enough to check each file and to know how it was made."""
    start, end = wib_day_bounds(day)
    return {
        "date": day.isoformat(),
        "timezone": "WIB (UTC+07:00)",
        "from_utc": start.isoformat().replace("+00:00", "Z"),
        "until_utc": end.isoformat().replace("+00:00", "Z"),
        "complete": complete,
        "rows": next(iter(files.values()))["rows"] if files else 0,
        "files": [{"name": name, **info} for name, info in files.items()],
        "columns": COLUMNS,
        "generated_at": generated_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "code_version": code_version,
    }
