"""Unit tests of the local load run's own logic: exit codes, run times, figures, the relay."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from loadtests.common.results import render_json
from loadtests.common.thresholds import (
    CacheStats,
    EndpointSamples,
    ExitCode,
    RequestClass,
    evaluate_run,
)
from loadtests.proxied_wsgi import application as proxied_application
from loadtests.run import (
    CacheStatsRelay,
    MixResult,
    _parse,
    run_seconds,
    summary_lines,
    worst_exit_code,
)


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ([0, 0], ExitCode.PASS),
        ([0, 3], ExitCode.INCONCLUSIVE),
        ([3, 2], ExitCode.TOOL_ERROR),
        ([2, 1], ExitCode.BREACH),
        ([1, 0], ExitCode.BREACH),
        ([0, 137], ExitCode.TOOL_ERROR),  # locust killed: not a verdict
        ([], ExitCode.TOOL_ERROR),
    ],
)
def test_the_worst_mix_decides_the_exit_code(codes: list[int], expected: ExitCode) -> None:
    assert worst_exit_code(codes) is expected


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("45", 45), ("2m", 120), ("1h30m", 5400), ("1m5s", 65)]
)
def test_run_time_in_locust_syntax(text: str, seconds: int) -> None:
    assert run_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "abc", "5x", "m", "10s5"])
def test_bad_run_times_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="run time"):
        run_seconds(text)


def test_arguments_refuse_unknown_mixes() -> None:
    with pytest.raises(SystemExit):
        _parse(["--mixes", "read,soak"])
    assert _parse(["--mixes", "write"]).mixes == ["write"]


def test_summary_lines_give_per_class_figures_and_the_hit_rate() -> None:
    # given a judged read run with cache counters
    result = evaluate_run(
        [
            EndpointSamples(
                "/api/v1/auth/me", "GET", RequestClass.READ, [10.0] * 150 + [20.0] * 50, 0
            )
        ],
        judged_classes=(RequestClass.READ,),
        duration_s=20.0,
        cache=CacheStats(hits=90, misses=10),
        run={"users": 50},
    )
    doc = json.loads(render_json(result))
    # when it is summarised for the console
    lines = summary_lines(MixResult("read", 0, doc, Path("x.json")))
    text = "\n".join(lines)
    # then the verdict, the class figures, the endpoint and the hit rate are there
    assert lines[0].startswith("read mix: PASS (exit 0)")
    assert "read   full" in text
    assert "200" in text
    assert "10.0" in text
    assert "/api/v1/auth/me" in text
    assert "hit rate 90.0 %" in text


def test_summary_of_a_mix_without_result() -> None:
    assert summary_lines(MixResult("write", 2, None, Path("x.json"))) == [
        "write mix: no result (exit 2)"
    ]


def test_proxied_application_adds_the_proxy_header_only_when_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import loadtests.proxied_wsgi as module

    seen: list[str] = []
    monkeypatch.setattr(
        module,
        "_django_application",
        lambda environ, start: seen.append(environ["HTTP_X_FORWARDED_PROTO"]) or [],
    )
    proxied_application({}, lambda *a: None)
    proxied_application({"HTTP_X_FORWARDED_PROTO": "http"}, lambda *a: None)
    assert seen == ["https", "http"]


@pytest.fixture
def fake_backend() -> Iterator[tuple[str, list[str]]]:
    """A loopback stand-in for login and /api/v1/metrics/summary."""
    calls: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: Any) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length))
            calls.append(f"login {body['username']}")
            self._send(200, {"access": "token-1", "refresh": "r", "user": {}})

        def do_GET(self) -> None:
            calls.append(f"GET {self.path} {self.headers.get('Authorization')}")
            self._send(200, {"cache": {"hits": 7, "misses": 3, "hit_rate": 0.7}})

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host}:{port}", calls
    finally:
        server.shutdown()
        server.server_close()


def test_cache_relay_reads_the_admin_summary(fake_backend: tuple[str, list[str]]) -> None:
    base, calls = fake_backend
    # given the relay in front of the backend
    # when locust's hook reads it without credentials
    with (
        CacheStatsRelay(base, "load-admin", "pw") as relay,
        urllib.request.urlopen(relay.url, timeout=10) as response,  # noqa: S310
    ):
        body = json.loads(response.read())
    # then it logged in as the admin and answered the summary's cache counters
    assert body == {"hits": 7, "misses": 3, "hit_rate": 0.7}
    assert calls == ["login load-admin", "GET /api/v1/metrics/summary Bearer token-1"]
