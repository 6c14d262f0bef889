"""The local platform over a process control, and the legacy health check."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cutover.platform.base import ServiceState, check_legacy_health
from cutover.platform.local import LocalPlatform


class FakeControl:
    def __init__(self) -> None:
        self.running = {"web": True, "channels": True, "worker": True, "beat": True}
        self.calls: list[tuple[str, str]] = []

    def state(self, role: str) -> ServiceState:
        up = self.running[role]
        return ServiceState(role, f"local-{role}", up, "running" if up else "stopped", "abc")

    def stop(self, role: str) -> None:
        self.calls.append(("stop", role))
        self.running[role] = False

    def start(self, role: str) -> None:
        self.calls.append(("start", role))
        self.running[role] = True


def test_stop_and_start_in_order(tmp_path: Path) -> None:
    control = FakeControl()
    platform = LocalPlatform(control)
    assert platform.deploy_status().all_live
    stopped = platform.stop_services()
    assert list(control.calls) == [
        ("stop", "web"), ("stop", "channels"), ("stop", "beat"), ("stop", "worker")
    ]  # fmt: skip
    assert not any(s.live for s in stopped)
    assert not platform.deploy_status().all_live
    platform.start_services()
    assert control.calls[4:] == [
        ("start", "worker"), ("start", "beat"), ("start", "channels"), ("start", "web")
    ]  # fmt: skip
    assert platform.deploy_status().same_commit is True


def test_point_frontend_rewrites_the_config(tmp_path: Path) -> None:
    config = tmp_path / "frontend.json"
    platform = LocalPlatform(FakeControl(), frontend_config=config)
    first = platform.point_frontend("http://127.0.0.1:8000")
    assert first.previous is None
    second = platform.point_frontend("http://127.0.0.1:3000")
    assert second.previous == "http://127.0.0.1:8000"
    assert json.loads(config.read_text())["api_url"] == "http://127.0.0.1:3000"


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.end_headers()
        self.wfile.write(b'{"status":"ok"}')

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def health_server() -> Iterator[tuple[str, type[_Health]]]:
    handler = type("H", (_Health,), {"status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/health", handler
    server.shutdown()
    server.server_close()


def test_legacy_health(health_server: tuple[str, type[_Health]]) -> None:
    url, handler = health_server
    assert check_legacy_health(url).ok
    handler.status = 503
    result = check_legacy_health(url, attempts=2, pause=0)
    assert not result.ok
    assert result.status == 503
    down = check_legacy_health("http://127.0.0.1:9/", attempts=1, timeout=1)
    assert not down.ok
    assert down.status is None
    assert "no answer" in down.detail
