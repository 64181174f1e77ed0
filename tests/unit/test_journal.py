"""The local stack's journal (infra/local/journal.py): appended, on disk, rotated, read back."""

from __future__ import annotations

from pathlib import Path

from infra.local.journal import Journal, read_changes, read_objects


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
    # Given an object written, then written again, then a snapshot, then another object deleted
    journal = Journal(tmp_path)
    journal.sync(journal.append_object("bucket", "exports/a.csv", "text/csv", b"first"))
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
