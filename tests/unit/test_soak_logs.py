"""The soak's hold on the stack's logs: a traceback is shown and its logs outlive the soak's folder."""

from pathlib import Path

from bench.soak import Stack


def test_a_traceback_is_shown_to_its_last_line_and_every_log_is_kept(tmp_path: Path) -> None:
    first, second = tmp_path / "stack-0.log", tmp_path / "stack-1.log"
    first.write_text("Saring local stack is up\n")
    second.write_text(
        "report received\nTraceback (most recent call last):\n"
        '  File "x.py", line 1, in <module>\nKeyboardInterrupt\nstopping\n'
    )
    stack = Stack(tmp_path / "data", log_parts=[first, second])

    assert stack.tracebacks() == 1
    assert stack.first_traceback().splitlines()[-1] == "KeyboardInterrupt"
    kept = stack.keep_logs(into=tmp_path / "kept")
    assert sorted(path.name for path in kept.iterdir()) == ["stack-0.log", "stack-1.log"]
    assert (kept / "stack-1.log").read_text() == second.read_text()
