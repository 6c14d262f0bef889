"""Metrics, request ids and logs of the real processes: gunicorn with two sync workers in
prometheus-client's multiprocess mode, and a Celery worker, over PostgreSQL and Redis.

What is shown, scraping GET /metrics (bearer token) before and after known requests:

* responses are counted per route pattern and status class and the latency histogram moves
  (count and buckets) whichever worker answered; both workers answered (two pids), and the
  scrape adds them up; read-cache hits and misses are counted; nothing is left in flight;
* a task the worker ran shows up in the web's /metrics too (one multiprocess directory);
* the request id sent in X-Request-ID comes back in the response, is in the web's request
  line, and in the log line of the task that request started, written by the worker;
* every line both services write is JSON, and a password posted to the login is in none;
* /metrics refuses a missing or wrong token; the summary endpoint reads the Redis store that
  both workers write.
"""

from __future__ import annotations

import concurrent.futures
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from verification.infra import processes
from verification.tests.integration.observability_support import (
    json_lines,
    scrape,
    value,
    write_overlay_settings,
)

pytestmark = [pytest.mark.needs_redis, pytest.mark.slow]

TOKEN = "metrics-" + "t" * 32
ADMIN_PASSWORD = "Observability Admin 2024!"
WORKER_ARGV = [sys.executable, "-m", "celery", "-A", "config", "--quiet", "worker",
               "--loglevel=INFO", "-P", "solo", "--without-gossip", "--without-mingle"]  # fmt: skip
SEED = """
from rgms.users.models import User
User.objects.create_superuser("obs-admin", "Observability Admin 2024!", email=None)
"""


@dataclass
class Stack:
    web: processes.ManagedProcess
    worker: processes.ManagedProcess
    metrics_dir: Path

    @property
    def url(self) -> str:
        return self.web.url


@pytest.fixture(scope="module")
def stack(
    postgres_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("obs-metrics")
    settings_module = write_overlay_settings(root / "overlay")
    metrics_dir = root / "prometheus"
    database = processes.create_database(postgres_url)
    lease = processes.lease_redis_db(redis_url)
    env = processes.backend_env(
        database_url=database,
        redis_url=lease.url,
        secret_key=processes.random_secret_key(),
        settings=settings_module,
        PYTHONPATH=f"{processes.BACKEND_DIR}:{root / 'overlay'}",
        METRICS_TOKEN=TOKEN,
        ENVIRONMENT="test",
    )
    # gunicorn and the worker share one metrics directory, as on one machine
    served = {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    started: list[processes.ManagedProcess] = []
    try:
        processes.manage(["migrate", "--noinput", "-v0"], env)
        processes.manage(["shell", "-c", SEED], env)
        web = processes.gunicorn({**served, "SERVICE_NAME": "web"}, workers=2, log_dir=root)
        started.append(web)
        # Started after gunicorn, which empties the metrics directory when it starts; as
        # render.yaml starts it (--quiet: no banner, every line is a log record).
        worker = processes.start(
            "worker",
            [*WORKER_ARGV, "--hostname", f"obs-{uuid.uuid4().hex[:6]}@%h"],
            {**served, "SERVICE_NAME": "worker"},
            log_dir=root,
            ready_log=r"\bready\.",
        )
        started.append(worker)
        yield Stack(web, worker, metrics_dir)
    finally:
        for proc in reversed(started):
            proc.stop()
        lease.release()
        processes.drop_database(database)


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _post_json(url: str, body: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _both_workers_answer(base: str, rounds: int = 10) -> tuple[set[int], int]:
    """Slow requests, four at a time, until two different worker pids answered."""
    pids: set[int] = set()
    sent = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(rounds):
            results = list(
                pool.map(lambda _: _get(f"{base}/__debug__/observability/sleep?ms=300"), range(4))
            )
            sent += len(results)
            pids |= {json.loads(body)["pid"] for status, _, body in results if status == 200}
            if len(pids) >= 2:
                break
    return pids, sent


def test_metrics_add_up_across_workers(stack: Stack) -> None:
    base = stack.url
    ok_route, error_route = "/__debug__/observability/ok", "/__debug__/observability/error"
    sleep_route, list_route = "/__debug__/observability/sleep", "/api/v1/cadets/"
    # given the figures before
    before = scrape(base, TOKEN)
    # when known requests are served by the two workers
    for _ in range(6):
        assert _get(base + ok_route)[0] == 200
    for _ in range(2):
        assert _get(base + error_route)[0] == 500
    for _ in range(3):
        assert _get(base + list_route)[0] == 401
    for path in ("/no/such/page", "/another/unknown/7"):
        assert _get(base + path)[0] == 404
    for _ in range(3):
        assert _get(base + "/__debug__/observability/cache")[0] == 200
    pids, slow_requests = _both_workers_answer(base)
    after = scrape(base, TOKEN)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # then two different workers answered, and both wrote their own metric files
    assert len(pids) >= 2, pids
    files = {p.name for p in stack.metrics_dir.glob("*.db")}
    assert all(any(str(pid) in name for name in files) for pid in pids), files
    # and each status class of each route counts exactly the requests sent
    responses = "rgms_http_responses_total"
    assert delta(responses, route=ok_route, method="GET", status_class="2xx") == 6
    assert delta(responses, route=error_route, method="GET", status_class="5xx") == 2
    assert delta(responses, route=list_route, method="GET", status_class="4xx") == 3
    assert delta(responses, route="<unmatched>", method="GET", status_class="4xx") == 2
    assert delta(responses, route=sleep_route, method="GET", status_class="2xx") == slow_requests
    # and the latency histogram moved: count, +Inf, and the buckets around 300 ms
    latency = "rgms_http_request_duration_seconds"
    assert delta(f"{latency}_count", route=ok_route, method="GET") == 6
    assert delta(f"{latency}_bucket", route=ok_route, method="GET", le="+Inf") == 6
    assert delta(f"{latency}_bucket", route=sleep_route, method="GET", le="0.25") == 0
    assert delta(f"{latency}_bucket", route=sleep_route, method="GET", le="5.0") == slow_requests
    assert delta(f"{latency}_sum", route=sleep_route, method="GET") >= 0.3 * slow_requests
    # and the database histogram saw the requests that reached a view with queries
    assert delta("rgms_db_queries_per_request_count", route=list_route) == 3
    # and each /cache request was one read-cache miss and one hit
    assert delta("rgms_read_cache_requests_total", result="miss") == 3
    assert delta("rgms_read_cache_requests_total", result="hit") == 3
    # and nothing is in flight once the answers are in
    assert value(after, "rgms_http_requests_in_flight") == 0


def test_metrics_endpoint_needs_the_token(stack: Stack) -> None:
    assert _get(f"{stack.url}/metrics")[0] == 401
    assert _get(f"{stack.url}/metrics", {"Authorization": "Bearer wrong"})[0] == 401
    status, headers, _ = _get(f"{stack.url}/metrics", {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")


def test_request_id_travels_into_the_workers_task_log(stack: Stack) -> None:
    # given a request id chosen by the caller (a proxy, a client)
    request_id = f"it-{uuid.uuid4().hex}"
    before = scrape(stack.url, TOKEN)
    # when a request starts a task
    status, headers, body = _get(
        f"{stack.url}/__debug__/observability/task", {"X-Request-ID": request_id}
    )
    # then the id comes back in the response
    assert status == 200
    assert headers["X-Request-ID"] == request_id
    assert json.loads(body)["request_id"] == request_id
    # and the worker's log line of that task carries it, with the task's id
    stack.worker.wait_for_log(rf'"request_id":"{request_id}"', timeout=60)
    worker_lines, _ = json_lines(stack.worker.log_text())
    [task_line] = [
        line
        for line in worker_lines
        if line.get("request_id") == request_id and line["message"] == "Observability probe ran"
    ]
    assert task_line["service"] == "worker"
    assert task_line["task_id"] == json.loads(body)["task_id"]
    # and the web's request line has it too
    stack.web.wait_for_log(rf'"request_id":"{request_id}"', timeout=10)
    web_lines, _ = json_lines(stack.web.log_text())
    [request_line] = [
        line
        for line in web_lines
        if line.get("request_id") == request_id and line["logger"] == "rgms.request"
    ]
    assert request_line["route"] == "/__debug__/observability/task"
    assert request_line["status"] == 200
    assert request_line["service"] == "web"
    # and the web's /metrics includes the task the worker ran (one multiprocess directory)
    deadline = time.monotonic() + 30
    probe = "rgms.observability.tasks.observability_probe"
    while time.monotonic() < deadline:
        after = scrape(stack.url, TOKEN)
        done = value(after, "rgms_celery_tasks_total", task=probe, state="SUCCESS")
        if done > value(before, "rgms_celery_tasks_total", task=probe, state="SUCCESS"):
            break
        time.sleep(0.5)
    else:
        pytest.fail("the worker's task never appeared in the web's /metrics")


def test_every_line_is_json_and_no_password_is_logged(stack: Stack) -> None:
    # given a login attempt with a password (wrong, and then the admin's right one)
    secret = "Not-In-Any-Log 31337"
    assert _post_json(f"{stack.url}/api/v1/auth/login", {"username": "x", "password": secret})[0]
    status, body = _post_json(
        f"{stack.url}/api/v1/auth/login", {"username": "obs-admin", "password": ADMIN_PASSWORD}
    )
    assert status == 200, body
    access = json.loads(body)["access"]
    time.sleep(0.5)  # let the last lines reach the log files
    for proc in (stack.web, stack.worker):
        text = proc.log_text()
        # then neither password nor token is anywhere in the output
        assert secret not in text
        assert ADMIN_PASSWORD not in text
        assert access not in text
        # and every log line is one JSON object with the documented fields
        parsed, other = json_lines(text)
        assert parsed
        assert other == [], other[:5]
        for line in parsed:
            assert {"timestamp", "service", "level", "logger", "message"} <= set(line), line
            assert line["service"] == proc.name


def test_summary_reads_the_store_both_workers_write(stack: Stack) -> None:
    # given an admin token from the real login
    status, body = _post_json(
        f"{stack.url}/api/v1/auth/login", {"username": "obs-admin", "password": ADMIN_PASSWORD}
    )
    assert status == 200, body
    token = json.loads(body)["access"]
    for _ in range(5):
        _get(f"{stack.url}/__debug__/observability/ok")
    for _ in range(2):
        _get(f"{stack.url}/__debug__/observability/error")
    _get(f"{stack.url}/__debug__/observability/cache")
    # when the summary is read (by whichever worker; samples reach Redis within a second,
    # the cache's hit and miss counts within rgms.core.cache.COUNT_INTERVAL)
    deadline = time.monotonic() + 15
    while True:
        status, _, raw = _get(
            f"{stack.url}/api/v1/metrics/summary?window=5", {"Authorization": f"Bearer {token}"}
        )
        assert status == 200, raw
        summary = json.loads(raw)
        routes = {(r["route"], r["method"]): r for r in summary["routes"]}
        ok = routes.get(("/__debug__/observability/ok", "GET"), {"count": 0})
        errors = routes.get(("/__debug__/observability/error", "GET"), {"count": 0})
        counted = ok["count"] >= 5 and errors["count"] >= 2 and summary["cache"]["hits"] >= 1
        if counted or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    # then it comes from Redis, shared by every worker, and counts what they all served
    assert summary["source"] == "redis"
    assert ok["count"] >= 5
    assert ok["p95_ms"] is not None
    assert errors["errors"] == errors["count"] >= 2
    assert summary["cache"]["hits"] >= 1
