"""The HTTP server of the local stack: ``chalice local``'s server, tuned to behave like API Gateway.

- TCP_NODELAY, so keep-alive clients do not stall ~40 ms a request (Nagle's algorithm).
- A path no route knows gets a 404 problem+json; on AWS the same comes from a gateway response.
- A request the gateway cannot even parse gets a 400 problem+json, never a dropped connection.
- Stopping drains: from the moment a stop begins, every request (on a new or a kept-alive
  connection) is answered 503 problem+json with ``Retry-After``, and the stop waits for the
  requests already running to finish, so nothing answered 2xx is cut off before the last snapshot.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    ForbiddenError,
    LocalChalice,
    LocalDevServer,
    LocalGateway,
    RouteMatcher,
)

from chalicelib.api.problems import problem_response

API_TIMEOUT_SECONDS = 29
RETRY_AFTER_SECONDS = 5  # what a client is told while the stack stops (a restart takes about this)


class Gate:
    """Counts the requests in flight, and once closed lets no new one in."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._in_flight = 0
        self._closed = False

    def enter(self) -> bool:
        """False once the gate is closed: the request must be refused."""
        with self._changed:
            if self._closed:
                return False
            self._in_flight += 1
            return True

    def leave(self) -> None:
        with self._changed:
            self._in_flight -= 1
            self._changed.notify_all()

    def close_and_drain(self, timeout_seconds: float) -> int:
        """Refuse new requests, wait for the running ones; returns how many were still running at the timeout."""
        deadline = time.monotonic() + timeout_seconds
        with self._changed:
            self._closed = True
            while self._in_flight and time.monotonic() < deadline:
                self._changed.wait(max(0.0, deadline - time.monotonic()))
            return self._in_flight


class AddressedGateway(LocalGateway):
    """chalice local's gateway, telling the app the client's real address (chalice says 127.0.0.1).

    The public's limits count per address: a test from several loopback addresses must be seen as
    several clients, as API Gateway would see them.
    """

    def __init__(self, app: Chalice, config: Config, address: str) -> None:
        super().__init__(app, config)
        self._address = address

    def _generate_lambda_event(self, method: str, path: str, headers: Any, body: bytes | None) -> Any:
        event = super()._generate_lambda_event(method, path, headers, body)
        event["requestContext"]["identity"]["sourceIp"] = self._address
        return event


class SaringRequestHandler(ChaliceRequestHandler):
    disable_nagle_algorithm = True  # sets TCP_NODELAY on every accepted connection

    def __init__(self, request: Any, client_address: Any, server: Any, app_object: Chalice, config: Config) -> None:
        # What chalice's handler does, with the gateway that knows the client's address.
        self.local_gateway = AddressedGateway(app_object, config, str(client_address[0]))
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def _generic_handle(self) -> None:
        gate: Gate = self.server.gate
        if not gate.enter():
            self.close_connection = True
            self._send_problem(
                503,
                "Saring sedang berhenti sebentar; coba lagi. (The stack is stopping; try again shortly.)",
                {"Retry-After": str(RETRY_AFTER_SECONDS), "Connection": "close"},
            )
            return
        try:
            if self.command in ("GET", "HEAD") and not self.path.startswith("/v1/"):
                self._send_page_file()
            else:
                super()._generic_handle()
        except Exception:  # noqa: BLE001 - whatever broke, the client gets an answer
            self._send_problem(400, "The request could not be read.")
        finally:
            gate.leave()

    # The base class binds its verbs to its own _generic_handle: bind them to this one.
    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def _send_page_file(self) -> None:
        """A file of the public page (``web/public``), with the page's security headers."""
        from infra.web import CONTENT_TYPES, page_file, security_headers

        self._parse_payload()  # a GET may carry a body; read it so the connection stays usable
        found = page_file(self.path)
        if found is None:
            self._send_problem(404, "There is no such resource.")
            return
        body = found.read_bytes()
        headers = {
            **security_headers(self.server.upload_origin),
            "Content-Type": CONTENT_TYPES[found.suffix],
            "Cache-Control": "no-cache",
        }
        if self.command == "HEAD":
            self.send_response(200)
            headers["Content-Length"] = str(len(body))
            self._send_headers(headers)
            return
        self._send_http_response_with_body(200, headers, body)

    def _send_error_response(self, error: Any) -> None:
        if isinstance(error, ForbiddenError):
            # chalice local answers an unknown path as API Gateway does by default (403 "Missing
            # Authentication Token"); Saring's gateway maps that to a plain 404.
            self._send_problem(404, "There is no such resource.")
            return
        super()._send_error_response(error)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # The stdlib answers what it cannot parse itself (bad request line, unknown method, header
        # overflow) with HTML; answer as the API does. An unknown method is a 405, not a 501.
        self.close_connection = True
        if getattr(self, "request_version", "") == "HTTP/0.9":
            self.request_version = "HTTP/1.0"  # an unparsable line still gets a status line
        if code == 501:
            allowed = self._methods_of_path()
            headers = {"Allow": allowed} if allowed else None
            self._send_problem(405, f"The method {self.command} is not allowed here.", headers)
            return
        self._send_problem(code, message or "The request could not be read.")

    def _methods_of_path(self) -> str | None:
        """The methods the route at this path has (the Allow header of a 405), if any route matches."""
        routes = self.local_gateway._app_object.routes
        try:
            route = RouteMatcher(list(routes)).match_route(getattr(self, "path", "") or "").route
        except ValueError:
            return None
        return ", ".join(sorted(routes[route]))

    def _send_problem(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        path = getattr(self, "path", None)
        response = problem_response(status, detail, instance=path.split("?", 1)[0] if path else None, headers=headers)
        body = response.body.encode() if isinstance(response.body, str) else b""
        self._send_http_response_with_body(status, dict(response.headers), body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib's signature
        pass  # the app logs each request itself, as JSON, without query strings


class LocalHttpServer:
    """Serves the app on host:port in a background thread."""

    def __init__(self, app: Chalice, host: str, port: int, upload_origin: str = "") -> None:
        # What chalice's create_local_server does, with our handler: a thread-local current_request.
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
        # The API function's timeout on AWS (API Gateway gives up at 29 s), as its context reports it;
        # chalice's default says 15 minutes.
        config = Config.create(chalice_stage="local", app_name=app.app_name, lambda_timeout=API_TIMEOUT_SECONDS)
        self._server = LocalDevServer(app, config, host, port, handler_cls=SaringRequestHandler)
        self.gate = Gate()
        self._server.server.gate = self.gate
        self._server.server.upload_origin = upload_origin  # the page's CSP lets it send pictures there
        self.port = self._server.server.server_address[1]
        self._thread = threading.Thread(target=self._server.server.serve_forever, name="http", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, drain_seconds: float = 30.0) -> int:
        """Refuse new requests (503), let the running ones finish, then close; returns those cut off."""
        unfinished = self.gate.close_and_drain(drain_seconds)
        self._server.shutdown()
        self._server.server.server_close()
        return unfinished
