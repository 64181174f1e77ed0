"""The local stack: the app on an AWS emulator on loopback, started by ``make run``."""

import sys

# Both of the stack's processes run many threads that mostly wait on sockets and then need the GIL
# for a moment. With CPython's default 5 ms switch interval such a thread waits for a busy one to
# give the GIL up, several times a request; at 0.5 ms the same soak accepted 14-19% more reports a
# second with lower latency (docs/testing.md).
GIL_SWITCH_SECONDS = 0.0005


def share_the_gil_often() -> None:
    """Let threads that waited on a socket have the GIL sooner (this process, from now on)."""
    sys.setswitchinterval(GIL_SWITCH_SECONDS)
