"""Sending webhook deliveries over HTTP, only ever to the public address the guard approved.

The host is resolved here, every address it resolves to is checked, and the connection goes to
the checked address (the name is kept for TLS and the Host header), so a DNS answer that changes
between check and connect cannot point a delivery at an internal service. Redirects are not
followed. A try has one hard deadline from connect to the last header byte: a receiver that
trickles its answer a byte at a time is cut off at it. The answer's body is never read.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from chalicelib.config import get_settings
from chalicelib.domain.addresses import forbidden_reason, url_problem


class UnsafeCallback(ValueError):
    """The callback URL may not be called; the message says why."""


@dataclass(frozen=True)
class Attempt:
    """What one delivery attempt got back."""

    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def checked_address(url: str) -> str:
    """The address to connect to for ``url``; raises UnsafeCallback when any of its addresses is forbidden."""
    local = get_settings().is_local
    problem = url_problem(url, local=local)
    if problem:
        raise UnsafeCallback(f"the URL {problem}")
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeCallback("the host does not resolve") from None
    addresses = sorted({str(answer[4][0]) for answer in answers})
    for address in addresses:
        reason = forbidden_reason(address, allow_loopback=local)
        if reason:
            raise UnsafeCallback(f"the host resolves to {reason} ({address})")
    if not addresses:
        raise UnsafeCallback("the host does not resolve")
    return addresses[0]


class _Pinned(http.client.HTTPSConnection):
    """An HTTP(S) connection to a checked address that speaks to the server by its name.

    ``http.client`` would resolve the name again when connecting; this connects to the address the
    guard approved, and for https presents the name for SNI and certificate checks.
    """

    def __init__(self, address: str, host: str, port: int, *, tls: bool, deadline: float) -> None:
        super().__init__(host, port, timeout=max(0.001, deadline - time.monotonic()))
        self._address, self._tls, self._deadline = address, tls, deadline
        self.cut_off = False

    def connect(self) -> None:
        timeout = max(0.001, self._deadline - time.monotonic())
        sock = socket.create_connection((self._address, self.port), timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host) if self._tls else sock  # type: ignore[attr-defined]

    def cut(self) -> None:
        """Called at the deadline from a timer: wakes a read blocked on a slow receiver."""
        self.cut_off = True
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def post_json(url: str, body: bytes, headers: dict[str, str]) -> Attempt:
    """POST ``body`` to ``url`` through the guard, within the try's deadline; never raises for network trouble."""
    try:
        address = checked_address(url)
    except UnsafeCallback as refused:
        return Attempt(None, str(refused))
    parts = urlsplit(url)
    host = parts.hostname or ""
    tls = parts.scheme == "https"
    seconds = get_settings().webhook_timeout_seconds
    port = parts.port or (443 if tls else 80)
    connection = _Pinned(address, host, port, tls=tls, deadline=time.monotonic() + seconds)
    path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    netloc_host = host if parts.port is None else f"{host}:{parts.port}"
    watchdog = threading.Timer(seconds, connection.cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request("POST", path, body=body, headers={**headers, "Host": netloc_host})
        status = connection.getresponse().status
    except (OSError, http.client.HTTPException) as error:
        if connection.cut_off or isinstance(error, TimeoutError):
            return Attempt(None, f"no answer within {seconds:g} s")
        return Attempt(None, type(error).__name__)
    finally:
        watchdog.cancel()
        connection.close()
    return Attempt(status, None if 200 <= status < 300 else f"HTTP {status}")
