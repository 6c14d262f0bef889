"""A loopback stand-in for Render's REST API, following its documented contract.

Only what the adapter uses, with Render's shapes: bearer API key (401 otherwise), list
endpoints wrapping each object with a cursor (``[{"service": {...}, "cursor": "..."}]``),
``limit``/``cursor`` pagination, suspend/resume answering 202 with no body, deploy and rollback
answering 201 with the deploy, env vars listed wrapped and replaced by PUT, and errors as
``{"id": ..., "message": ...}``.

Tests script faults with :meth:`RenderStandIn.fail_next` (e.g. two 503s then success, or a
429 with ``Retry-After``) and read every request from :attr:`RenderStandIn.requests`.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class StandInService:
    id: str
    name: str
    type: str
    suspended: bool = False
    deploys: list[dict[str, Any]] = field(default_factory=list)  # newest first
    env: dict[str, str] = field(default_factory=dict)

    def as_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "suspended": "suspended" if self.suspended else "not_suspended",
            "autoDeploy": "yes",
            "serviceDetails": {},
        }


def _deploy(commit: str, status: str = "live", trigger: str = "api") -> dict[str, Any]:
    return {
        "id": f"dep-{uuid.uuid4().hex[:20]}",
        "commit": {
            "id": commit,
            "message": f"commit {commit[:7]}",
            "createdAt": "2026-01-01T00:00:00Z",
        },
        "status": status,
        "trigger": trigger,
        "createdAt": "2026-01-01T00:00:00Z",
        "updatedAt": "2026-01-01T00:00:00Z",
        "finishedAt": "2026-01-01T00:05:00Z" if status == "live" else None,
    }


class RenderStandIn:
    """``with RenderStandIn(api_key) as api: api.add_service(...); api.url`` (…/v1)."""

    def __init__(self, api_key: str = "rnd_test_key") -> None:
        self.api_key = api_key
        self.services: dict[str, StandInService] = {}
        self.requests: list[tuple[str, str, Any]] = []
        self._faults: dict[str, deque[tuple[int, dict[str, str]]]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- set-up ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def add_service(
        self, name: str, type: str = "web_service", *, commit: str = "a" * 40, status: str = "live"
    ) -> StandInService:
        service = StandInService(f"srv-{uuid.uuid4().hex[:20]}", name, type)
        service.deploys.insert(0, _deploy(commit, status))
        self.services[service.id] = service
        return service

    def by_name(self, name: str) -> StandInService:
        return next(s for s in self.services.values() if s.name == name)

    def fail_next(self, path: str, *statuses: int, headers: dict[str, str] | None = None) -> None:
        """The next requests to ``path`` (any method) answer these statuses, in order."""
        queue = self._faults.setdefault(path, deque())
        for status in statuses:
            queue.append((status, headers or {}))

    def start(self) -> RenderStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> RenderStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the API ---------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(
                self, status: int, body: Any = None, headers: dict[str, str] | None = None
            ) -> None:
                raw = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                if raw:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _error(
                self, status: int, message: str, headers: dict[str, str] | None = None
            ) -> None:
                self._send(status, {"id": str(uuid.uuid4()), "message": message}, headers)

            def _handle(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    self._error(400, "invalid JSON body")
                    return
                path = parts.path.removeprefix("/v1")
                with api._lock:
                    api.requests.append((method, path, body))
                if self.headers.get("Authorization") != f"Bearer {api.api_key}":
                    self._error(401, "unauthorized")
                    return
                with api._lock:
                    fault = api._faults.get(path)
                    forced = fault.popleft() if fault else None
                if forced is not None:
                    self._error(forced[0], "injected fault", forced[1])
                    return
                with api._lock:
                    api._route(self, method, path, parse_qs(parts.query), body)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PUT(self) -> None:
                self._handle("PUT")

        return Handler

    @staticmethod
    def _page(items: list[Any], key: str, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        limit = min(int((query.get("limit") or ["20"])[0]), 100)
        cursor = (query.get("cursor") or [None])[0]
        start = int(cursor) if cursor else 0
        chunk = items[start : start + limit]
        return [{key: item, "cursor": str(start + i + 1)} for i, item in enumerate(chunk)]

    def _route(
        self, h: Any, method: str, path: str, query: dict[str, list[str]], body: Any
    ) -> None:
        parts = [p for p in path.split("/") if p]
        if parts == ["services"] and method == "GET":
            names = query.get("name")
            items = [s.as_api() for s in self.services.values() if not names or s.name in names]
            h._send(200, self._page(items, "service", query))
            return
        if len(parts) < 2 or parts[0] != "services" or parts[1] not in self.services:
            h._error(404, "not found")
            return
        service = self.services[parts[1]]
        rest = parts[2:]
        if rest == [] and method == "GET":
            h._send(200, service.as_api())
        elif rest == ["deploys"] and method == "GET":
            h._send(200, self._page(service.deploys, "deploy", query))
        elif rest == ["deploys"] and method == "POST":
            commit = (body or {}).get("commitId") or service.deploys[0]["commit"]["id"]
            deploy = _deploy(commit, "build_in_progress", "api")
            service.deploys.insert(0, deploy)
            h._send(201, deploy)
        elif rest == ["rollbacks"] and method == "POST":
            target = next(
                (d for d in service.deploys if d["id"] == (body or {}).get("deployId")), None
            )
            if target is None:
                h._error(404, "deploy not found")
                return
            deploy = _deploy(target["commit"]["id"], "update_in_progress", "rollback")
            service.deploys.insert(0, deploy)
            h._send(201, deploy)
        elif rest == ["suspend"] and method == "POST":
            service.suspended = True
            h._send(202)
        elif rest == ["resume"] and method == "POST":
            service.suspended = False
            h._send(202)
        elif rest == ["env-vars"] and method == "GET":
            items = [{"key": k, "value": v} for k, v in service.env.items()]
            h._send(200, self._page(items, "envVar", query))
        elif rest == ["env-vars"] and method == "PUT":
            if not isinstance(body, list):
                h._error(400, "body must be a list of {key, value}")
                return
            service.env = {str(v["key"]): str(v.get("value", "")) for v in body}
            h._send(200, [{"envVar": {"key": k, "value": v}} for k, v in service.env.items()])
        elif len(rest) == 2 and rest[0] == "env-vars" and method == "PUT":
            if not isinstance(body, dict) or "value" not in body:
                h._error(400, "body must be {value}")
                return
            service.env[rest[1]] = str(body["value"])
            h._send(200, {"key": rest[1], "value": service.env[rest[1]]})
        else:
            h._error(404, "not found")

    def finish_deploys(self, status: str = "live") -> None:
        """Every in-progress latest deploy finishes (as Render would, some minutes later)."""
        with self._lock:
            for service in self.services.values():
                if service.deploys and service.deploys[0]["status"] != "live":
                    service.deploys[0]["status"] = status
