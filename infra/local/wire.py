"""The emulator's HTTP server: HTTP/1.1 on loopback, connections kept open, each answer one write.

moto ships werkzeug's development server, which parses every request through ``http.server``'s
e-mail header parser, builds a large environ, closes the connection after each request and writes
an answer's headers and body separately. Per AWS call that cost more than moto's own work. This
server does what the emulator needs and no more: the requests botocore sends (a Content-Length
body, or a chunked one), a WSGI environ with what moto and Flask read, and the answer's status,
headers and body in one ``sendall``, with TCP_NODELAY. It serves loopback clients only.
"""

from __future__ import annotations

import io
import socketserver
import sys
import traceback
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

MAX_LINE = 65_536
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _latin1(text: str) -> str:
    """WSGI's native strings: UTF-8 bytes seen as Latin-1 (as werkzeug hands them over)."""
    return text.encode("utf-8").decode("latin-1")


class _Connection(socketserver.StreamRequestHandler):
    """One client's connection: requests in turn until the client closes it or asks to."""

    rbufsize = MAX_LINE
    disable_nagle_algorithm = True  # StreamRequestHandler then sets TCP_NODELAY
    server: Server

    def handle(self) -> None:
        while True:
            line = self.rfile.readline(MAX_LINE + 1)
            if not line:
                return
            if line in (b"\r\n", b"\n"):
                continue
            method, _, rest = line.decode("latin-1").rstrip("\r\n").partition(" ")
            target, _, version = rest.partition(" ")
            if not (method and target and version):
                return
            headers = self._headers()
            if headers is None or not self._serve(method, target, version, headers):
                return

    def _headers(self) -> list[tuple[str, str]] | None:
        headers: list[tuple[str, str]] = []
        while True:
            line = self.rfile.readline(MAX_LINE + 1)
            if not line:
                return None
            if line in (b"\r\n", b"\n"):
                return headers
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name.strip(), value.strip()))

    def _body(self, environ: dict[str, Any]) -> bytes:
        if environ.get("HTTP_EXPECT", "").lower() == "100-continue":
            # The SDKs ask before sending an S3 object's body; unanswered, each waits a while first.
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.wfile.flush()
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            chunks = []
            while size := int(self.rfile.readline(MAX_LINE + 1).split(b";", 1)[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline(MAX_LINE + 1)
            while self.rfile.readline(MAX_LINE + 1) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            body = b"".join(chunks)
            del environ["HTTP_TRANSFER_ENCODING"]
            environ["CONTENT_LENGTH"] = str(len(body))
            return body
        return self.rfile.read(int(environ.get("CONTENT_LENGTH") or 0))

    def _environ(self, method: str, target: str, version: str, headers: list[tuple[str, str]]) -> dict[str, Any]:
        url = urlsplit(target)
        host, port = self.server.server_address[:2]
        environ: dict[str, Any] = {
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": _latin1(unquote(url.path)),
            "QUERY_STRING": _latin1(url.query),
            "REQUEST_URI": _latin1(target),
            "RAW_URI": _latin1(target),
            "REMOTE_ADDR": self.client_address[0],
            "REMOTE_PORT": self.client_address[1],
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": version,
        }
        for name, value in headers:
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ

    def _serve(self, method: str, target: str, version: str, headers: list[tuple[str, str]]) -> bool:
        """Answer one request; True when the connection stays open for the next."""
        environ = self._environ(method, target, version, headers)
        environ["wsgi.input"] = io.BytesIO(self._body(environ))
        started: list[Any] = []
        written: list[bytes] = []

        def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [status, response_headers]
            return written.append

        try:
            answer = self.server.app(environ, start_response)
            try:
                written.extend(answer)
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()
        except Exception:  # noqa: BLE001 - an emulator bug answers 500, as werkzeug's server did
            traceback.print_exc()
            started[:] = ["500 Internal Server Error", [("Content-Type", "text/plain")]]
            written[:] = [b"emulator error"]
        status, response_headers = started
        body = b"".join(written)
        keep = version == "HTTP/1.1" and environ.get("HTTP_CONNECTION", "").lower() != "close"
        lines = [f"HTTP/1.1 {status}"]
        lines += [f"{name}: {value}" for name, value in response_headers if name.lower() != "connection"]
        code = int(status.split(" ", 1)[0])
        if (
            code >= 200
            and code not in (204, 304)
            and not any(n.lower() == "content-length" for n, _ in response_headers)
        ):
            lines.append(f"Content-Length: {len(body)}")
        lines.append("Connection: " + ("keep-alive" if keep else "close"))
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if method == "HEAD" else head + body)
        return keep


class Server(socketserver.ThreadingTCPServer):
    """A thread per connection; ``shutdown()`` stops it as it does werkzeug's."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: WsgiApp) -> None:
        self.app = app
        super().__init__(address, _Connection)
