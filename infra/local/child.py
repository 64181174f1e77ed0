"""The stack's child processes (the emulator, the event sources): driven by their parent over a pipe.

The parent writes one word a line to the child's standard input and reads one JSON line back from
its standard output. Everything else the child prints goes to its standard error, so a log line
can never be taken for an answer. A child whose standard input closes without being told to stop
(the parent died, SIGKILL included) leaves at once: it owns nothing that is not on disk already.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping
from typing import IO, Any


class ChildProcess:
    """The parent's handle on one child: ``python -m <module> <arguments>``."""

    def __init__(self, module: str, *arguments: str) -> None:
        self.command = [sys.executable, "-m", module, *arguments]
        self.process: subprocess.Popen[str] | None = None

    def launch(self) -> None:
        self.process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, command: str) -> dict[str, Any]:
        """Send one command; returns the child's answer."""
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.read()

    def read(self) -> dict[str, Any]:
        """The child's next answer (raises when it exited instead)."""
        assert self.process is not None and self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.command[2]} exited (code {self.process.wait()})")
        return dict(json.loads(line))

    def wait(self, timeout: float) -> None:
        assert self.process is not None
        self.process.wait(timeout=timeout)


class ParentLink:
    """The child's side: the commands its parent sends, and a private channel for the answers."""

    def __init__(self) -> None:
        # Answers go to a private copy of standard output; anything else printed goes to standard error.
        self._out: IO[str] = os.fdopen(os.dup(sys.stdout.fileno()), "w")
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
        # Ctrl-C reaches the whole process group; the parent stops its children in its own time.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def answer(self, message: dict[str, Any]) -> None:
        self._out.write(json.dumps(message) + "\n")
        self._out.flush()

    def obey(self, commands: Mapping[str, Callable[[], dict[str, Any]]]) -> int:
        """Answer each command the parent sends with what its function returns; 0 once ``stop`` is answered.

        When the parent's end of the pipe closes without ``stop``, the process leaves at once,
        whatever threads still run.
        """
        for line in sys.stdin:
            command = line.strip()
            if command in commands:
                self.answer(commands[command]())
                if command == "stop":
                    return 0
        os._exit(1)
