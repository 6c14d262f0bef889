"""Sentry end to end, against a loopback stand-in of Sentry's envelope endpoint.

A real gunicorn (two sync workers) and a real Celery worker run with SENTRY_DSN pointing at
``http://public@127.0.0.1:<port>/1``. The stand-in accepts ``POST /api/1/envelope/`` as Sentry
does (gzip, brotli or plain body; an envelope header line, then items: an item header line and its
payload, of the given ``length`` or up to the next newline) and keeps what arrives. Then:

* an unhandled error in a view arrives as an event with its stack trace, the release (the
  commit, RENDER_GIT_COMMIT), the environment (ENVIRONMENT), the tag ``service: web`` and the
  request id, and without the password or bearer token the request carried;
* a task that fails in the worker arrives with its stack trace and ``service: worker``.
"""

from __future__ import annotations

import gzip
import json
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from verification.infra import processes
from verification.tests.integration.observability_support import write_overlay_settings

pytestmark = [pytest.mark.needs_redis, pytest.mark.slow]

RELEASE = "obs-release-4f2a9c31"
ENVIRONMENT = "staging"
PASSWORD = "Sentry-Must-Not-See 9921"
BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjo0Mn0.bm90LWEtcmVhbC1zaWduYXR1cmU"
WORKER_ARGV = [sys.executable, "-m", "celery", "-A", "config", "--quiet", "worker",
               "--loglevel=INFO", "-P", "solo", "--without-gossip", "--without-mingle"]  # fmt: skip


@dataclass
class Envelope:
    header: dict[str, Any]
    items: list[tuple[dict[str, Any], bytes]]
    raw: bytes

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(payload) for header, payload in self.items if header["type"] == "event"]


def parse_envelope(body: bytes) -> Envelope:
    """Sentry's envelope format: header line, then (item header line, payload) pairs."""
    header_line, _, rest = body.partition(b"\n")
    items: list[tuple[dict[str, Any], bytes]] = []
    while rest.strip():
        item_line, _, rest = rest.partition(b"\n")
        if not item_line.strip():
            continue
        item_header = json.loads(item_line)
        length = item_header.get("length")
        if length is None:
            payload, _, rest = rest.partition(b"\n")
        else:
            payload, rest = rest[:length], rest[length:]
            rest = rest.removeprefix(b"\n")
        items.append((item_header, payload))
    return Envelope(json.loads(header_line), items, body)


@dataclass
class SentryStandIn:
    port: int = 0
    envelopes: list[Envelope] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def dsn(self) -> str:
        return f"http://public@127.0.0.1:{self.port}/1"

    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [event for envelope in self.envelopes for event in envelope.events()]

    def raw(self) -> bytes:
        with self.lock:
            return b"".join(envelope.raw for envelope in self.envelopes)

    def wait_for(self, predicate: Any, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events():
                if predicate(event):
                    return event
            time.sleep(0.2)
        raise AssertionError(f"no such event within {timeout:.0f}s; got {self.summary()}")

    def summary(self) -> list[str]:
        return [
            f"{e.get('tags', {}).get('service')}: {_exception_types(e)} {e.get('message', '')}"
            for e in self.events()
        ]


def _decode(body: bytes, encoding: str | None) -> bytes:
    """Sentry's SDK sends gzip, or brotli when the brotli module is installed."""
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        import brotli  # only there when the SDK itself could use it

        return bytes(brotli.decompress(body))
    return body


def _handler(standin: SentryStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = _decode(body, self.headers.get("Content-Encoding"))
            with standin.lock:
                standin.paths.append(self.path)
            if self.path.rstrip("/") == "/api/1/envelope":
                envelope = parse_envelope(body)
                with standin.lock:
                    standin.envelopes.append(envelope)
                self._answer(200, {"id": envelope.header.get("event_id")})
            else:
                self._answer(404, {"detail": "unknown endpoint"})

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def sentry() -> Iterator[SentryStandIn]:
    standin = SentryStandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(standin))
    standin.port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Stack:
    web: processes.ManagedProcess
    worker: processes.ManagedProcess


@pytest.fixture(scope="module")
def stack(
    sentry: SentryStandIn,
    postgres_url: str,
    redis_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    root: Path = tmp_path_factory.mktemp("obs-sentry")
    settings_module = write_overlay_settings(root / "overlay")
    database = processes.create_database(postgres_url)
    lease = processes.lease_redis_db(redis_url)
    env = processes.backend_env(
        database_url=database,
        redis_url=lease.url,
        secret_key=processes.random_secret_key(),
        settings=settings_module,
        PYTHONPATH=f"{processes.BACKEND_DIR}:{root / 'overlay'}",
        SENTRY_DSN=sentry.dsn,
        SENTRY_TRACES_SAMPLE_RATE="0",
        RENDER_GIT_COMMIT=RELEASE,
        ENVIRONMENT=ENVIRONMENT,
    )
    started: list[processes.ManagedProcess] = []
    try:
        processes.manage(["migrate", "--noinput", "-v0"], env)
        web = processes.gunicorn({**env, "SERVICE_NAME": "web"}, workers=2, log_dir=root)
        started.append(web)
        worker = processes.start(
            "worker",
            [*WORKER_ARGV, "--hostname", f"sentry-{uuid.uuid4().hex[:6]}@%h"],
            {**env, "SERVICE_NAME": "worker"},
            log_dir=root,
            ready_log=r"\bready\.",
        )
        started.append(worker)
        yield Stack(web, worker)
    finally:
        for proc in reversed(started):
            proc.stop()
        lease.release()
        processes.drop_database(database)


def _exception_types(event: dict[str, Any]) -> list[str]:
    return [value.get("type") for value in event.get("exception", {}).get("values", [])]


def _frames(event: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        frame
        for value in event.get("exception", {}).get("values", [])
        for frame in (value.get("stacktrace") or {}).get("frames", [])
    ]


def _request(url: str, *, data: bytes | None = None, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_unhandled_view_error_reaches_sentry(stack: Stack, sentry: SentryStandIn) -> None:
    # given a request carrying a password and a bearer token, with a known request id
    request_id = f"sentry-{uuid.uuid4().hex}"
    body = json.dumps({"username": "cadet", "password": PASSWORD}).encode()
    # when the view fails with an unhandled error
    status = _request(
        f"{stack.web.url}/__debug__/observability/error",
        data=body,
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {BEARER}",
            "X-Request-ID": request_id,
        },
    )
    assert status == 500
    # then Sentry receives the event with its stack trace, release, environment and tags
    event = sentry.wait_for(lambda e: "DebugViewError" in _exception_types(e))
    assert event["release"] == RELEASE
    assert event["environment"] == ENVIRONMENT
    assert event["tags"]["service"] == "web"
    assert event["tags"]["request_id"] == request_id
    frames = _frames(event)
    assert any(frame.get("function") == "debug_error" for frame in frames), frames
    assert any((frame.get("module") or "").startswith("rgms.observability") for frame in frames)
    assert event["request"]["method"] == "POST"
    # and the secrets the request carried are nowhere in what was sent
    raw = sentry.raw()
    assert PASSWORD.encode() not in raw
    assert BEARER.encode() not in raw
    # and personal data stays off: no user IP, no cookies
    assert "ip_address" not in event.get("user", {})


def test_failing_task_reaches_sentry(stack: Stack, sentry: SentryStandIn) -> None:
    # when a request starts a task that fails in the worker
    note = uuid.uuid4().hex
    status = _request(
        f"{stack.web.url}/__debug__/observability/task?fail=1",
        headers={"X-Request-ID": f"task-{note}"},
    )
    assert status == 200
    # then the worker's failure arrives with its stack trace and the worker's tag
    event = sentry.wait_for(
        lambda e: "ProbeFailure" in _exception_types(e) and e["tags"].get("service") == "worker"
    )
    assert event["release"] == RELEASE
    assert event["environment"] == ENVIRONMENT
    frames = _frames(event)
    assert any(frame.get("function") == "observability_probe" for frame in frames), frames
    assert "rgms.observability.tasks.observability_probe" in json.dumps(event)
    # and it went to the envelope endpoint of project 1, nowhere else
    assert set(sentry.paths) == {"/api/1/envelope/"}
