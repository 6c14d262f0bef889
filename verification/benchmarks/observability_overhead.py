"""Overhead of the observability middleware: req/s of a tiny endpoint with and without it.

Prints figures; asserts nothing. In one run, two gunicorn servers start exactly as Render
starts the web service (backend/gunicorn.conf.py, sync workers, multiprocess metrics, JSON
logs), on 127.0.0.1, from the same test settings overlay:

* ``with``: the project's MIDDLEWARE, i.e. rgms.observability's middleware first: request id,
  Prometheus metrics (multiprocess files), the DB query counter, one JSON request line on
  stdout, and a sample into the Redis reservoir (one Lua call per request, as in production);
* ``without``: the same list minus that middleware (no metrics, no request line).

The endpoint is ``/__debug__/observability/ok`` (a view that returns 11 bytes, no database),
so the middleware's cost is as large a share of the request as it can be; on real endpoints
(a database read: 1-4 ms) the share is smaller. Load comes from ``wrk`` when it is on PATH,
else from client processes that each run a bounded loop of HTTP GETs (one connection per
request: gunicorn's sync workers close after each answer). The two servers are loaded in
alternating rounds, so drift on the machine hits both alike; the median round counts.

Usage (from the repository root)::

    .venv/bin/python -m verification.benchmarks.observability_overhead
    .venv/bin/python -m verification.benchmarks.observability_overhead --duration 3 --rounds 3

Needs a PostgreSQL URL for the settings (DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/postgres; the endpoint never queries it) and a Redis server
(REDIS_URL, default redis://127.0.0.1:6379/0; a free logical database is leased and flushed).
``--no-redis`` measures with the in-process sample store instead.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from verification.infra import processes
from verification.infra.ports import free_port
from verification.tests.integration.observability_support import write_overlay_settings

PATH = "/__debug__/observability/ok"
ME_PATH = "/api/v1/auth/me"
BENCH_USER, BENCH_PASSWORD = "obs-bench-cadet", "Obs Bench Password 2024"
SEED_USER = f"""
from rgms.users.models import User
User.objects.create_user("{BENCH_USER}", "{BENCH_PASSWORD}", role="cadet", is_approved=True)
"""


@dataclass(frozen=True)
class Target:
    path: str
    headers: tuple[tuple[str, str], ...] = ()


# In a Django shell of the "with" settings: CPU time of the middleware around a view that does
# nothing, against the view alone; best of several runs, so a busy machine disturbs it little.
IN_PROCESS = """
import json, time
from django.http import HttpResponse
from django.test import RequestFactory
from rgms.observability.middleware import RequestObservabilityMiddleware

def view(request):
    return HttpResponse(b'{"ok":true}', content_type="application/json")

middleware = RequestObservabilityMiddleware(view)
factory = RequestFactory()

def per_call(handler, n=2000):
    requests = [factory.get("/__debug__/observability/ok") for _ in range(n)]
    start = time.process_time()  # CPU time of this process (all its threads)
    for request in requests:
        handler(request)
    return (time.process_time() - start) / n

for handler in (view, middleware):
    per_call(handler, 200)
bare = min(per_call(view) for _ in range(7))
wrapped = min(per_call(middleware) for _ in range(7))
print("RESULT " + json.dumps({"view_us": bare * 1e6, "with_middleware_us": wrapped * 1e6}))
"""
# As production: psycopg's connection pool (the test settings open one connection per request).
POOLED_DATABASE = """
from config.settings.base import DATABASE_URL as _URL, postgres_database as _database
DATABASES = {"default": _database(_URL)}
"""
WITHOUT_MIDDLEWARE = """
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("rgms.observability.")]  # noqa: F405
"""


@dataclass
class Round:
    variant: str
    requests: int
    errors: int
    seconds: float
    worker_cpu_seconds: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_us_per_request(self) -> float:
        return self.worker_cpu_seconds / self.requests * 1e6 if self.requests else 0.0


def _worker_cpu_seconds(master_pid: int) -> float:
    """User + system CPU time of gunicorn's worker processes (children of the master).

    Less sensitive than req/s to whatever else the machine is running: a busy neighbour
    slows the workers down but does not make them spend more CPU per request.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == master_pid:  # ppid
            total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / ticks


def _client(port: int, target: Target, seconds: float, results: multiprocessing.Queue) -> None:
    """One client process: GET in a loop until the time is up; reports (ok, errors)."""
    ok = errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", target.path, headers=dict(target.headers))
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                ok += 1
            else:
                errors += 1
        except OSError:
            errors += 1
        finally:
            connection.close()
    results.put((ok, errors))


def _python_load(port: int, target: Target, clients: int, seconds: float) -> tuple[int, int, float]:
    results: multiprocessing.Queue = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=_client, args=(port, target, seconds, results))
        for _ in range(clients)
    ]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    totals = [results.get(timeout=seconds + 60) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)
    elapsed = time.perf_counter() - start
    return sum(ok for ok, _ in totals), sum(err for _, err in totals), elapsed


def _wrk_load(port: int, target: Target, clients: int, seconds: float) -> tuple[int, int, float]:
    headers = [arg for name, value in target.headers for arg in ("-H", f"{name}: {value}")]
    output = subprocess.run(
        [
            shutil.which("wrk") or "wrk",
            "-t",
            str(min(clients, os.cpu_count() or 1)),
            "-c",
            str(clients),
            "-d",
            f"{max(1, round(seconds))}s",
            *headers,
            f"http://127.0.0.1:{port}{target.path}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(m?s)", output)
    if done is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    elapsed = float(done.group(2)) / (1000 if done.group(3) == "ms" else 1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = int(bad.group(1)) if bad else 0
    return int(done.group(1)) - errors, errors, elapsed


def _start(name: str, env: dict[str, str], root: Path, workers: int) -> processes.ManagedProcess:
    """gunicorn with Render's config file; workers are not recycled (--max-requests 0) so that
    their CPU time can be read for a whole round."""
    port = free_port()
    argv = [
        sys.executable, "-m", "gunicorn", "-c", str(processes.BACKEND_DIR / "gunicorn.conf.py"),
        "--bind", f"127.0.0.1:{port}", "--max-requests", "0", "config.wsgi:application",
    ]  # fmt: skip
    return processes.start(
        name,
        argv,
        {**env, "SERVICE_NAME": "web", "LOG_LEVEL": "INFO", "WEB_CONCURRENCY": str(workers)},
        port=port,
        ready_path=PATH,
        ready_ok=[200],
        log_dir=root,
    )


def _login(server: processes.ManagedProcess) -> str:
    body = json.dumps({"username": BENCH_USER, "password": BENCH_PASSWORD}).encode()
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"{server.url}/api/v1/auth/login",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
        return str(json.loads(response.read())["access"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per variant")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up each")
    parser.add_argument("--no-redis", action="store_true", help="in-process sample store")
    parser.add_argument("--python-client", action="store_true", help="ignore wrk if present")
    parser.add_argument(
        "--endpoint",
        choices=["ok", "me"],
        default="ok",
        help=f"ok: {PATH} (no database); me: {ME_PATH} as a cadet (JWT check + one query)",
    )
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    use_wrk = bool(shutil.which("wrk")) and not args.python_client
    load = _wrk_load if use_wrk else _python_load

    root = Path(tempfile.mkdtemp(prefix="rgms-obs-bench-"))
    lease = None if args.no_redis else processes.lease_redis_db(redis_url)
    servers: dict[str, processes.ManagedProcess] = {}
    envs: dict[str, dict[str, str]] = {}
    secret_key = processes.random_secret_key()  # one key: a token from one server works on both
    database = processes.create_database(database_url) if args.endpoint == "me" else None
    try:
        for variant, extra in (("with", ""), ("without", WITHOUT_MIDDLEWARE)):
            overlay = root / variant
            module = write_overlay_settings(overlay, extra=POOLED_DATABASE + extra)
            env = processes.backend_env(
                database_url=database or database_url,
                redis_url=lease.url if lease else None,
                secret_key=secret_key,
                settings=module,
                PYTHONPATH=f"{processes.BACKEND_DIR}:{overlay}",
                ENVIRONMENT="test",
                METRICS_TOKEN="bench-" + "m" * 32,
            )
            envs[variant] = env
            if database and variant == "with":
                processes.manage(["migrate", "--noinput", "-v0"], env)
                processes.manage(["shell", "-c", SEED_USER], env)
            servers[variant] = _start(f"web-{variant}", env, root, args.workers)

        target = Target(PATH)
        if args.endpoint == "me":
            target = Target(ME_PATH, (("Authorization", f"Bearer {_login(servers['with'])}"),))
        for server in servers.values():  # warm-up: imports, connections, first files
            load(server.port or 0, target, args.clients, args.warmup)

        rounds: list[Round] = []
        for index in range(args.rounds):
            order = ("with", "without") if index % 2 == 0 else ("without", "with")
            for variant in order:
                server = servers[variant]
                cpu_before = _worker_cpu_seconds(server.pid)
                ok, errors, elapsed = load(server.port or 0, target, args.clients, args.duration)
                cpu = _worker_cpu_seconds(server.pid) - cpu_before
                rounds.append(Round(variant, ok, errors, elapsed, cpu))

        shell_env = {**envs["with"], "PROMETHEUS_MULTIPROC_DIR": str(root / "in-process-metrics")}
        output = processes.manage(["shell", "-c", IN_PROCESS], shell_env).stdout
        in_process = json.loads(output.rsplit("RESULT ", 1)[1].splitlines()[0])
        _report(rounds, args, use_wrk, servers["with"], in_process, target)
    finally:
        for server in servers.values():
            server.stop()
        if lease is not None:
            lease.release()
        if database is not None:
            processes.drop_database(database)
        shutil.rmtree(root, ignore_errors=True)


def _report(
    rounds: list[Round],
    args: argparse.Namespace,
    use_wrk: bool,
    with_server: processes.ManagedProcess,
    in_process: dict[str, float],
    target: Target,
) -> None:
    by_variant = {
        variant: [r for r in rounds if r.variant == variant] for variant in ("without", "with")
    }
    rps = {v: statistics.median(r.rps for r in rs) for v, rs in by_variant.items()}
    cpu = {v: statistics.median(r.cpu_us_per_request for r in rs) for v, rs in by_variant.items()}
    print("Observability middleware overhead")
    print(
        f"  machine: {platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}; gunicorn sync "
        f"x{args.workers}; load: {'wrk' if use_wrk else 'Python client processes'} "
        f"x{args.clients}, {args.rounds} rounds of {args.duration:g}s per variant "
        f"(alternating); sample store: {'in-process' if args.no_redis else 'Redis'}"
    )
    print(f"  endpoint: GET {target.path}" + (" (JWT of a cadet)" if target.headers else ""))
    for variant, variant_rounds in by_variant.items():
        figures = ", ".join(f"{r.rps:.0f}" for r in variant_rounds)
        errors = sum(r.errors for r in variant_rounds)
        print(
            f"  {variant:>8} middleware: median {rps[variant]:7.1f} req/s "
            f"(rounds: {figures}; non-200: {errors}); "
            f"worker CPU {cpu[variant]:.0f} us per request"
        )
    rps_overhead = (rps["without"] - rps["with"]) / rps["without"] * 100
    cpu_overhead = (cpu["with"] - cpu["without"]) / cpu["without"] * 100
    print(f"  overhead: {rps_overhead:.1f} % of req/s; {cpu_overhead:.1f} % more worker CPU "
          f"per request ({cpu['with'] - cpu['without']:.0f} us)")  # fmt: skip
    added = in_process["with_middleware_us"] - in_process["view_us"]
    print(
        f"  in process, CPU time (best of 7 x 2000 calls): view {in_process['view_us']:.0f} us, "
        f"with the middleware {in_process['with_middleware_us']:.0f} us: {added:.0f} us added "
        "per request (request id, metrics, sample, JSON line written to a pipe)"
    )
    lines = [line for line in with_server.log_text().splitlines() if '"rgms.request"' in line]
    print(f"  request lines written by the 'with' server: {len(lines)}")


if __name__ == "__main__":
    main()
