"""A loopback stand-in for the legacy Node backend's health check, for the rehearsal.

There is no Node backend here, yet a rollback ends by checking the legacy backend is healthy on
the database it restored. The stand-in answers ``GET /api/health`` by reading that database:
200 ``{"status": "ok", "users": N}`` when its ``users`` table reads, 503 with the error when it
does not (file gone, table missing, server down). So "legacy healthy" after a rollback means
"the restored legacy database serves reads", which is what the Node backend needs.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cutover.sources import open_source


class LegacyStandIn:
    def __init__(self, legacy_url: str) -> None:
        self.legacy_url = legacy_url
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def health_url(self) -> str:
        return f"{self.url}/api/health"

    def health(self) -> tuple[int, dict[str, Any]]:
        try:
            with open_source(self.legacy_url) as source:
                users = source.count("users")
        except Exception as exc:
            return 503, {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
        return 200, {"status": "ok", "users": users}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                if self.path.split("?")[0] != "/api/health":
                    status, body = 404, {"error": "not found"}
                else:
                    status, body = standin.health()
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        return Handler

    def __enter__(self) -> LegacyStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
