"""The load run fails when the API is slow or failing: locust against real servers, bounded.

* A deliberately slowed endpoint (``TEST_RESPONSE_DELAYS``, honoured under the test settings
  only) on the real backend under gunicorn: the read mix ends with the breach exit code, on p95.
* A server answering errors (a loopback stand-in: the real backend has no switch for that, and
  should not): the read mix ends with the breach exit code, on the error ratio.

Locust runs as a subprocess (it monkey-patches the process with gevent), exactly as
``python -m loadtests.run`` starts it.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from loadtests.common.thresholds import ExitCode
from loadtests.run import run_mix

pytestmark = pytest.mark.slow


def _database_url(settings_dict: dict[str, Any]) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD")
    auth = f"{user}:{password}" if password else user
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgresql://{auth}@{host}:{port}/{settings_dict['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_slowed_endpoint_fails_the_run_on_p95(tmp_path: Path, redis_url: str) -> None:
    from django.db import connection

    from loadtests.seed import random_passwords, seed
    from verification.infra import processes

    # given the real backend under gunicorn, one endpoint slowed by 600 ms, on seeded data
    data = seed(cadets=40, days=3, login_cadets=20, staff_accounts=2, passwords=random_passwords())
    data_file = tmp_path / "load-data.json"
    data_file.write_text(json.dumps(data))
    lease = processes.lease_redis_db(redis_url)
    env = processes.backend_env(
        database_url=_database_url(connection.settings_dict),
        redis_url=lease.url,
        secret_key=processes.random_secret_key(),
        settings="loadtests.tests.slow_settings",
        PYTHONPATH=f"{processes.BACKEND_DIR}:{processes.REPO_ROOT}",
        LOG_LEVEL="WARNING",
    )
    connection.close()  # the server's requests must not wait on this process's connection
    web = processes.gunicorn(env, workers=2, log_dir=tmp_path)
    try:
        # when the read mix runs against it
        result = run_mix(
            "read",
            host=web.url,
            data_file=data_file,
            results_dir=tmp_path,
            users=12,
            spawn_rate=12,
            run_time="20s",
        )
    finally:
        web.stop()
        lease.release()

    # then the run is a breach, on the read class's p95 (no errors, so on latency alone)
    assert result.exit_code == ExitCode.BREACH, result.document
    read = result.document["classes"]["read"]
    assert read["verdict"] == "BREACH"
    assert read["failures"] == 0
    assert read["p95_ms"] >= 600
    assert any("p95" in reason for reason in read["reasons"])
    slowed = [e for e in result.document["endpoints"] if e["name"] == "/api/v1/auth/me"]
    assert slowed
    assert slowed[0]["p50_ms"] >= 600


def _token(lifetime_s: int = 3600) -> str:
    def part(doc: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()

    claims = {"exp": int(time.time()) + lifetime_s, "user_id": 1}
    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


@pytest.fixture
def failing_server() -> Iterator[str]:
    """Logs anyone in; then answers every fourth read with a 500."""
    counter = {"reads": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _send(self, status: int, body: Any) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._send(200, {"access": _token(), "refresh": _token(), "user": {"id": 1}})

        def do_GET(self) -> None:
            with lock:
                counter["reads"] += 1
                failing = counter["reads"] % 4 == 0
            if failing:
                self._send(500, {"code": "server_error", "message": "boom", "errors": {}})
            elif ("/cadets/" in self.path and "page" not in self.path) or "/auth/me" in self.path:
                self._send(200, {"id": 1})
            else:
                self._send(200, {"count": 0, "next": None, "previous": None, "results": []})

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_answering_errors_fails_the_run_on_the_error_ratio(
    tmp_path: Path, failing_server: str
) -> None:
    # given a server that answers a quarter of the reads with 500
    data_file = tmp_path / "load-data.json"
    data_file.write_text(
        json.dumps(
            {
                "cadets": [{"username": "c1", "password": "pw", "cadet_id": 1}],
                "staff": [{"username": "s1", "password": "pw"}],
                "training_day_ids": [1],
                "grade_ids": [1],
            }
        )
    )
    # when the read mix runs against it
    result = run_mix(
        "read",
        host=failing_server,
        data_file=data_file,
        results_dir=tmp_path,
        users=10,
        spawn_rate=10,
        run_time="10s",
    )
    # then the run is a breach on the error ratio, not on latency
    assert result.exit_code == ExitCode.BREACH, result.document
    read = result.document["classes"]["read"]
    assert read["verdict"] == "BREACH"
    assert read["failures"] > 0
    assert any("error ratio" in reason and "not below" in reason for reason in read["reasons"])
