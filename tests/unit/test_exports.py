"""The export's files and counters: WIB days, RFC 4180 CSV with BOM, gzipped JSON Lines, same bytes again."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.exports import (
    BOM,
    COLUMNS,
    CSV_NAME,
    JSONL_NAME,
    ExportRow,
    export_row,
    manifest,
    spreadsheet_safe,
    wib_day_bounds,
    wib_day_of,
    write_export,
)
from chalicelib.domain.stats import ReportFacts, counted_together, counter_changes, trending


def _row(n: int, text: str = "Pesan biasa") -> ExportRow:
    return export_row(
        report_id=f"rpt_{n:026d}",
        received_at=datetime(2026, 11, 28, 3, 0, n % 60, tzinfo=UTC),
        platform="whatsapp",
        province="31",
        text=text,
        url="https://contoh.id/a?b=1,2" if n % 2 else None,
        case_id="case_x",
        status="matched",
        label="HOAKS",
        decided_by="auto",
        claim_id="clm_1",
        claim_url="https://cekfakta.id/1",
    )


def _write(rows: list[ExportRow]) -> tuple[bytes, bytes, dict[str, dict[str, object]]]:
    csv_out, jsonl_out = io.BytesIO(), io.BytesIO()
    files = write_export(iter(rows), csv_out, jsonl_out)
    return csv_out.getvalue(), jsonl_out.getvalue(), files


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2026, 11, 28, 16, 59, 59, 999_999, tzinfo=UTC), date(2026, 11, 28)),  # 23:59:59.999 WIB
        (datetime(2026, 11, 28, 17, 0, 0, tzinfo=UTC), date(2026, 11, 29)),  # 00:00:00 WIB
        (datetime(2026, 11, 27, 17, 0, 0, tzinfo=UTC), date(2026, 11, 28)),
    ],
)
def test_a_moment_belongs_to_its_wib_day(moment: datetime, day: date) -> None:
    assert wib_day_of(moment) == day
    start, end = wib_day_bounds(day)
    assert start <= moment < end


def test_the_csv_has_a_bom_a_header_and_parses_back_with_awkward_text() -> None:
    # Given texts with commas, quotes, line breaks and non-ASCII
    awkward = 'Kata "resmi", katanya\r\nbaris dua; tinta babi 🐷'
    rows = [_row(1, awkward), _row(2)]
    # When written
    csv_bytes, _, files = _write(rows)
    # Then the file opens as UTF-8 with a BOM and reads back to the same values
    assert csv_bytes.startswith(BOM)
    parsed = list(csv.DictReader(io.StringIO(csv_bytes[len(BOM) :].decode(), newline="")))
    assert list(parsed[0]) == COLUMNS
    assert parsed[0]["text_excerpt"] == awkward
    assert parsed[0]["received_at_wib"] == "2026-11-28T10:00:01.000+07:00"
    assert parsed[0]["province_name"] == "DKI Jakarta"
    assert parsed[1]["content_type"] == "text"
    assert files[CSV_NAME]["rows"] == 2
    assert files[CSV_NAME]["sha256"] == hashlib.sha256(csv_bytes).hexdigest()


def test_the_json_lines_are_gzipped_rows_and_the_hashes_are_of_the_bytes_written() -> None:
    rows = [_row(n) for n in range(5)]
    _, packed, files = _write(rows)
    lines = gzip.decompress(packed).decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [row.id for row in rows]
    assert files[JSONL_NAME] == {"rows": 5, "bytes": len(packed), "sha256": hashlib.sha256(packed).hexdigest()}


def test_the_same_rows_give_the_same_bytes() -> None:
    rows = [_row(n) for n in range(50)]
    assert _write(rows) == _write(rows)


def test_an_empty_day_is_a_header_and_an_empty_archive() -> None:
    csv_bytes, packed, files = _write([])
    assert csv_bytes == BOM + (",".join(COLUMNS) + "\r\n").encode()
    assert gzip.decompress(packed) == b""
    described = manifest(date(2026, 11, 28), files, datetime(2026, 11, 29, tzinfo=UTC), "0.2.0", complete=True)
    assert described["rows"] == 0
    assert described["from_utc"] == "2026-11-27T17:00:00Z"
    assert described["until_utc"] == "2026-11-28T17:00:00Z"


def test_counters_count_a_report_once_and_move_its_label() -> None:
    received = datetime(2026, 11, 28, 17, 30, tzinfo=UTC)  # 00:30 WIB on the 29th
    new = ReportFacts(received, "x", "32", None, None)
    assert counter_changes(None, new) == {
        ("2026-11-29", "total"): 1,
        ("2026-11-29", "platform#x"): 1,
        ("2026-11-29", "province#32"): 1,
    }
    grouped = ReportFacts(received, "x", "32", "case_a", "HOAKS")
    assert counter_changes(new, grouped) == {
        ("hour#2026-11-28T17", "case_a"): 1,
        ("case#case_a", "platform#x"): 1,
        ("case#case_a", "province#32"): 1,
        ("2026-11-29", "label#HOAKS"): 1,
    }
    relabelled = ReportFacts(received, "x", "32", "case_a", "BENAR")
    assert counter_changes(grouped, relabelled) == {("2026-11-29", "label#HOAKS"): -1, ("2026-11-29", "label#BENAR"): 1}
    assert counter_changes(relabelled, relabelled) == {}


def test_trending_ranks_by_growth_then_volume() -> None:
    ranked = trending({"a": 10, "b": 30, "c": 5}, {"a": 0, "b": 25, "c": 0}, 2)
    assert ranked == [("a", 10, 0), ("b", 30, 25)]  # b and c both grew by 5; b is bigger


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("https://x.example")', '\'=HYPERLINK("https://x.example")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("Pesan biasa", "Pesan biasa"),
        ("", ""),
        ("rpt_abc", "rpt_abc"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_quoted(cell: str, safe: str) -> None:
    assert spreadsheet_safe(cell) == safe


def test_changes_are_counted_together_within_a_transaction_s_items() -> None:
    # Given 40 new reports of one day, each moving the day's total and its own case's hour counter,
    # one change that moves nothing, one change seen twice, and a label moved there and back
    day, hour = "2026-11-28", "hour#2026-11-28T09"
    changes = [(f"seq-{n}", {(day, "total"): 1, (hour, f"case_{n}"): 1}) for n in range(40)]
    changes += [("seq-idle", {}), ("seq-0", {(day, "total"): 1})]
    changes += [("seq-there", {(day, "label#HOAKS"): 1}), ("seq-back", {(day, "label#HOAKS"): -1})]

    # When they are grouped for writing
    groups = counted_together(changes, limit=50)

    # Then no group passes the limit of markers and counters, each change is counted once, in order,
    # and what sums to nothing moves nothing
    assert [len(ids) + len(summed) for ids, summed in groups] == [49, 35]
    ids = [change_id for group_ids, _ in groups for change_id in group_ids]
    assert ids == [f"seq-{n}" for n in range(40)] + ["seq-there", "seq-back"]
    assert groups[0][1][(day, "total")] == 24 and groups[1][1][(day, "total")] == 16
    assert (day, "label#HOAKS") not in groups[1][1]
