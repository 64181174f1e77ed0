"""The HTTP server of the local stack: ``chalice local``'s server, tuned to behave like API Gateway.

- TCP_NODELAY, so keep-alive clients do not stall ~40 ms a request (Nagle's algorithm).
- A path no route knows gets a 404 problem+json; on AWS the same comes from a gateway response.
- A request the gateway cannot even parse gets a 400 problem+json, never a dropped connection.
"""

from __future__ import annotations

import threading
from typing import Any

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    ForbiddenError,
    LocalChalice,
    LocalDevServer,
    RouteMatcher,
)

from chalicelib.api.problems import problem_response


class SaringRequestHandler(ChaliceRequestHandler):
    disable_nagle_algorithm = True  # sets TCP_NODELAY on every accepted connection

    def _generic_handle(self) -> None:
        try:
            super()._generic_handle()
        except Exception:  # noqa: BLE001 - whatever broke, the client gets an answer
            self._send_problem(400, "The request could not be read.")

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

    def __init__(self, app: Chalice, host: str, port: int) -> None:
        # What chalice's create_local_server does, with our handler: a thread-local current_request.
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
        config = Config.create(chalice_stage="local", app_name=app.app_name)
        self._server = LocalDevServer(app, config, host, port, handler_cls=SaringRequestHandler)
        self.port = self._server.server.server_address[1]
        self._thread = threading.Thread(target=self._server.server.serve_forever, name="http", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server.server_close()
