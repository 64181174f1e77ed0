"""A stand-in for Google's Fact Check Tools API on loopback, serving recorded ``claims:search`` answers.

The local stack runs one with the demo answers (``fact_check_demo.json``) so that ``make
sync-claims`` works without the internet; the tests run one with answers and faults of their own.
It answers like the real API where the sync can tell: pages chained by ``nextPageToken``, ``{}``
for nothing found, 403 for a wrong key, and whatever faults it is told to serve first (a 429 with
Retry-After, a 500, a body that is not JSON).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

DEMO_ANSWERS = Path(__file__).with_name("fact_check_demo.json")
PATH = "/v1alpha1/claims:search"


@dataclass
class Fault:
    """One answer to give instead of a page: a status, its headers, and a raw body."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeFactCheckApi:
    """Pages per search (``"query=pemilu"`` or ``"publisher=turnbackhoax.id"``) and faults to serve first."""

    key: str
    pages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def answer(self, params: dict[str, str]) -> Fault:
        """What the API says to one request."""
        self.requests.append(params)
        if self.faults:
            return self.faults.pop(0)
        if params.get("key") != self.key:
            return Fault(403, json.dumps({"error": {"code": 403, "message": "API key not valid"}}).encode())
        search = (
            f"query={params['query']}"
            if "query" in params
            else f"publisher={params.get('reviewPublisherSiteFilter', '')}"
        )
        pages = self.pages.get(search, [])
        number = int(params.get("pageToken", "page-0").removeprefix("page-") or 0)
        if number >= len(pages):
            return Fault(200, b"{}")  # what the API answers when nothing matches
        page = dict(pages[number])
        if number + 1 < len(pages):
            page["nextPageToken"] = f"page-{number + 1}"
        return Fault(200, json.dumps(page).encode())


def demo_api(key: str) -> FakeFactCheckApi:
    """The fake with the demo answers the local stack serves."""
    return FakeFactCheckApi(key=key, pages=json.loads(DEMO_ANSWERS.read_text(encoding="utf-8")))


@contextmanager
def serving(api: FakeFactCheckApi, port: int = 0) -> Iterator[FakeFactCheckApi]:
    """Serve ``api`` on 127.0.0.1 until the block ends; ``api.url`` is the claims:search address."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != PATH:
                self._send(Fault(404, b'{"error": {"code": 404}}'))
                return
            params = {name: values[-1] for name, values in parse_qs(parts.query).items()}
            self._send(api.answer(params))

        def _send(self, fault: Fault) -> None:
            self.send_response(fault.status)
            for name, value in {"Content-Type": "application/json", **fault.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(fault.body)))
            self.end_headers()
            self.wfile.write(fault.body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    api.url = f"http://127.0.0.1:{server.server_address[1]}{PATH}"
    thread = threading.Thread(target=server.serve_forever, name="fact-check-fake", daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
