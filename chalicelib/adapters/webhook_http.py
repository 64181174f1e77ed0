"""Sending webhook deliveries over HTTP, only ever to the public address the guard approved.

The host is resolved here, every address it resolves to is checked, and the connection goes to
the checked address (the name is kept for TLS and the Host header), so a DNS answer that changes
between check and connect cannot point a delivery at an internal service. Redirects are not
followed.
"""

from __future__ import annotations

import socket
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
    problem = url_problem(url, allow_plain_http=local)
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


def post_json(url: str, body: bytes, headers: dict[str, str]) -> Attempt:
    """POST ``body`` to ``url`` through the guard; never raises for network trouble."""
    import ssl

    import urllib3  # lazy: only the delivery function sends

    try:
        address = checked_address(url)
    except UnsafeCallback as refused:
        return Attempt(None, str(refused))
    parts = urlsplit(url)
    host = parts.hostname or ""
    seconds = get_settings().webhook_timeout_seconds
    timeout = urllib3.Timeout(connect=seconds, read=seconds)
    pool: urllib3.HTTPConnectionPool
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port=parts.port or 443,
            timeout=timeout,
            retries=False,
            server_hostname=host,
            assert_hostname=host,
            ssl_context=ssl.create_default_context(),
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port=parts.port or 80, timeout=timeout, retries=False)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    netloc_host = host if parts.port is None else f"{host}:{parts.port}"
    try:
        with pool:
            response = pool.urlopen(
                "POST",
                path,
                body=body,
                headers={**headers, "Host": netloc_host},
                redirect=False,
                preload_content=False,
            )
            response.drain_conn()
            return Attempt(response.status, None if 200 <= response.status < 300 else f"HTTP {response.status}")
    except urllib3.exceptions.HTTPError as error:
        return Attempt(None, type(error).__name__)
