"""The local stack's journal (infra/local/journal.py): appended, on disk, rotated, read back."""

from __future__ import annotations

from pathlib import Path

from infra.local.journal import Journal, read_changes, read_consumed, read_objects, read_stream_records, write_consumed


def _change(n: int) -> list[object]:
    return ["saring-local-reports", {"id": {"S": f"rpt_{n}"}}, {"id": {"S": f"rpt_{n}"}, "n": {"N": str(n)}}]


def test_entries_read_back_in_order_across_segments_and_a_torn_line_is_skipped(tmp_path: Path) -> None:
    # Given two writes, a rotation (a snapshot), a third write, then a line cut short by a crash
    journal = Journal(tmp_path)
    journal.sync(journal.append([_change(1)]))
    journal.sync(journal.append([_change(2), ["saring-local-reports", {"id": {"S": "rpt_0"}}, None]]))
    second = journal.rotate()
    journal.sync(journal.append([_change(3)]))
    journal.close()
    with journal.segments()[-1].open("ab") as segment:
        segment.write(b'{"w": [["saring-local-reports", {"id"')
    # Then the changes read back oldest first, the deletion kept, the torn line left out
    changes = list(read_changes(tmp_path))
    assert [change[1]["id"]["S"] for change in changes] == ["rpt_1", "rpt_2", "rpt_0", "rpt_3"]
    assert changes[2][2] is None
    # And dropping what a snapshot covers leaves only the newer segment; a new journal continues after it
    again = Journal(tmp_path)
    assert again.drop_before(second) == 1
    assert [change[1]["id"]["S"] for change in read_changes(tmp_path)] == ["rpt_3"]
    assert len(again.segments()) == 2  # the covered one gone; the one after it, and the new one
    again.close()


def test_one_sync_covers_every_entry_before_it(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    positions = [journal.append([_change(n)]) for n in range(5)]
    journal.sync(positions[-1])
    journal.sync(positions[0])  # already on disk: returns at once
    assert len(list(read_changes(tmp_path))) == 5
    journal.close()


def test_objects_are_kept_while_a_segment_needs_them(tmp_path: Path) -> None:
    # Given an object written, then written again (an item's write between), then a snapshot, then
    # another object deleted
    journal = Journal(tmp_path)
    journal.sync(journal.append_object("bucket", "exports/a.csv", "text/csv", b"first"))
    journal.sync(journal.append([["reports", {"id": {"S": "rpt_1"}}, {"id": {"S": "rpt_1"}}]]))
    journal.sync(journal.append_object("bucket", "exports/a.csv", "text/csv", b"second"))
    after_snapshot = journal.rotate()
    journal.sync(journal.append_object("bucket", "exports/b.csv", "", None))
    # Then both versions read back in order with their bytes on disk
    changes = list(read_objects(tmp_path))
    assert [(c[1], c[3] is None) for c in changes] == [("exports/a.csv", False)] * 2 + [("exports/b.csv", True)]
    assert (tmp_path / "objects" / changes[1][3]).read_bytes() == b"second"
    # And once the snapshot covers the first segment, its object files go too
    journal.drop_before(after_snapshot)
    assert list((tmp_path / "objects").glob("*")) == []
    assert [c[1] for c in read_objects(tmp_path)] == ["exports/b.csv"]
    journal.close()


def _record(table: str, sequence: int) -> list[object]:
    return [table, sequence, "INSERT", {"id": {"S": f"rpt_{sequence}"}}, None, {"id": {"S": f"rpt_{sequence}"}}]


def test_stream_records_are_kept_until_their_consumer_finished_them(tmp_path: Path) -> None:
    # Given writes with stream records 10 and 11, a snapshot, then record 12
    journal = Journal(tmp_path)
    journal.sync(journal.append([_change(1)], [_record("reports", 10)]))
    journal.sync(journal.append([_change(2)], [_record("reports", 11)]))
    covered = journal.rotate()
    journal.sync(journal.append([_change(3)], [_record("reports", 12)]))
    # When the snapshot drops what it covers while the consumer has finished only record 10
    journal.drop_before(covered, still_streaming={"reports": 10})
    # Then record 11 (and everything after it) is still there to be handed over
    assert [record[1] for record in read_stream_records(tmp_path)] == [10, 11, 12]
    # And once the consumer finished 11, the next snapshot lets the covered segment go
    journal.drop_before(covered, still_streaming={"reports": 11})
    assert [record[1] for record in read_stream_records(tmp_path)] == [12]
    journal.close()


def test_what_the_consumers_finished_is_read_back_and_an_unreadable_file_hands_everything_over(tmp_path: Path) -> None:
    assert read_consumed(tmp_path) is None
    write_consumed(tmp_path, {"saring-local-reports": 41})
    assert read_consumed(tmp_path) == {"saring-local-reports": 41}
    (tmp_path / "stream-checkpoints.json").write_text("{not json")
    assert read_consumed(tmp_path) == {}


def test_a_restart_hands_over_what_was_not_consumed_with_the_numbers_it_had() -> None:
    from infra.local.emulator import resume_plan

    records = [_record("reports", n) for n in (100, 101, 102, 103)] + [_record("claims", 7)]
    plan = resume_plan(iter(records), consumed={"reports": 101, "claims": 7}, floors={"audit": 5})
    start, handed = plan["reports"]
    assert (start, [record[1] for record in handed]) == (102, [102, 103])
    assert plan["claims"] == (8, [])  # all consumed: numbering goes on after the last
    assert plan["audit"] == (5, [])  # nothing journaled: numbering goes on from the snapshot's
    # A gap (records lost before they were consumed) can't be numbered by position: the run after it is handed over
    gapped = resume_plan(iter([_record("reports", n) for n in (5, 6, 9, 10)]), consumed={}, floors={})
    assert (gapped["reports"][0], [record[1] for record in gapped["reports"][1]]) == (9, [9, 10])
