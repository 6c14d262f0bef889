"""A bounded local load run: fresh database, seeded data, gunicorn, both mixes, one verdict.

``python -m loadtests.run`` (the tox ``load`` env) does, on 127.0.0.1:

1. creates a fresh database on the PostgreSQL server of ``--database-url`` / ``DATABASE_URL``
   (else a throwaway server from the local binaries) and leases a Redis logical database of
   ``--redis-url`` / ``TEST_REDIS_URL`` / ``REDIS_URL`` (else a throwaway redis-server);
2. migrates it and seeds it (``loadtests.seed``: cadets with accounts, grades and attendance,
   training days, merit history, notifications, staff accounts, an admin), which also writes the
   scenarios' data fixture (LOAD_DATA_FILE);
3. starts gunicorn as Render does (``backend/gunicorn.conf.py``, sync workers) under
   ``config.settings.production`` with a complete production environment, serving
   ``loadtests.proxied_wsgi`` (the Django application plus the ``X-Forwarded-Proto: https``
   header Render's TLS-terminating proxy adds);
4. runs locust headless, the read mix then the write mix, each for ``--run-time`` with
   ``--users`` users (statistics reset once all are spawned), judged from raw response times by
   ``loadtests.common.thresholds`` (read p95 < 500 ms, write p95 < 2000 ms, errors < 1 %, at least
   200 samples per class); the server's read-cache counters (``/api/v1/metrics/summary``, read as
   the admin through a loopback relay given to locust as LOAD_CACHE_STATS_URL) give the hit rate;
5. prints per-class and per-endpoint figures, leaves JSON, CSV and HTML results per mix in
   ``--results-dir``, removes the database and exits with the verdict's code: 0 pass, 1 breach,
   2 tool error, 3 inconclusive (of both mixes, the worst: breach > tool error > inconclusive).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final

from loadtests.common.thresholds import ExitCode

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
MIXES: Final = {
    "read": "loadtests/locustfiles/read_mix.py",
    "write": "loadtests/locustfiles/write_mix.py",
}
DEFAULT_RESULTS_DIR: Final = "var/load-results"
HTTP_TIMEOUT_S: Final = 30.0
# Locust gets this long beyond --run-time (spawning, stop timeout, writing results).
LOCUST_GRACE_S: Final = 120
# Worst first: a measured breach beats a broken tool, which beats too little data.
_SEVERITY: Final = (ExitCode.BREACH, ExitCode.TOOL_ERROR, ExitCode.INCONCLUSIVE, ExitCode.PASS)


class RunError(RuntimeError):
    """The run could not be set up (no server, migration or seeding failed...): a tool error."""


def worst_exit_code(codes: Sequence[int]) -> ExitCode:
    """The run's exit code from the mixes' codes; an unknown code counts as a tool error."""
    valid = {int(code) for code in ExitCode}
    known = [ExitCode(c) if c in valid else ExitCode.TOOL_ERROR for c in codes]
    if not known:
        return ExitCode.TOOL_ERROR
    return min(known, key=_SEVERITY.index)


def run_seconds(text: str) -> int:
    """Locust's run-time syntax (``30s``, ``2m``, ``1h30m``, bare seconds) in seconds."""
    text = text.strip().lower()
    if text.isdigit() and int(text) > 0:
        return int(text)
    total, number = 0, ""
    for char in text:
        if char.isdigit():
            number += char
        elif char in "hms" and number:
            total += int(number) * {"h": 3600, "m": 60, "s": 1}[char]
            number = ""
        else:
            raise ValueError(f"not a run time: {text!r}")
    if number or total <= 0:
        raise ValueError(f"not a run time: {text!r}")
    return total


# --- the servers ----------------------------------------------------------------------------


@contextlib.contextmanager
def postgres_server(url: str | None) -> Iterator[str]:
    """A PostgreSQL server URL: the given one, or a throwaway server from the local binaries."""
    if url:
        yield url
        return
    from verification.infra import servers

    if not servers.postgres_available():
        raise RunError("no DATABASE_URL and no local PostgreSQL binaries (initdb, pg_ctl)")
    server = servers.ThrowawayPostgres().start()
    try:
        yield server.url
    finally:
        server.stop()


@contextlib.contextmanager
def redis_server(url: str | None) -> Iterator[str]:
    """A Redis server URL: the given one, or a throwaway redis-server."""
    if url:
        yield url
        return
    from verification.infra import servers

    if not servers.redis_available():
        raise RunError("no REDIS_URL/TEST_REDIS_URL and no local redis-server binary")
    server = servers.ThrowawayRedis().start()
    try:
        yield server.url
    finally:
        server.stop()


def start_web(env: dict[str, str], *, workers: int, log_dir: Path) -> Any:
    """gunicorn exactly as ``verification.infra.processes.gunicorn`` starts it, serving the
    proxied application (``loadtests.proxied_wsgi``)."""
    from verification.infra import processes
    from verification.infra.ports import free_port

    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(processes.BACKEND_DIR / "gunicorn.conf.py"),
        "--bind",
        f"{processes.HOST}:{port}",
        "loadtests.proxied_wsgi:application",
    ]
    env = {"SERVICE_NAME": "web", **env, "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    return processes.start("web", argv, env, port=port, ready_path="/api/health", log_dir=log_dir)


# --- the cache counters relay ---------------------------------------------------------------


def _request_json(url: str, *, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 - our URL
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:  # noqa: S310
        return json.loads(response.read())


class CacheStatsRelay:
    """A loopback URL answering the server's cache counters (what LOAD_CACHE_STATS_URL expects).

    ``/api/v1/metrics/summary`` is for admins only, and locust's hook reads the URL without
    credentials; the relay logs in as the seeded admin for every read (two per mix).
    """

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self._base = base_url
        self._credentials = {"username": username, "password": password}
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                try:
                    payload = json.dumps(relay.fetch()).encode()
                    status = 200
                except (urllib.error.URLError, OSError, ValueError, KeyError) as exc:
                    payload = json.dumps({"error": str(exc)}).encode()
                    status = 502
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/cache-stats"

    def fetch(self) -> Any:
        login = _request_json(f"{self._base}/api/v1/auth/login", body=self._credentials)
        summary = _request_json(f"{self._base}/api/v1/metrics/summary", token=login["access"])
        return summary["cache"]

    def __enter__(self) -> CacheStatsRelay:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


# --- locust ---------------------------------------------------------------------------------


@dataclass
class MixResult:
    mix: str
    exit_code: int
    document: dict[str, Any] | None
    json_path: Path


def run_mix(
    mix: str,
    *,
    host: str,
    data_file: Path,
    results_dir: Path,
    users: int,
    spawn_rate: float,
    run_time: str,
    cache_stats_url: str | None = None,
    log_dir: Path | None = None,
) -> MixResult:
    """One headless locust run of a mix (a subprocess: locust monkey-patches with gevent)."""
    stem = f"load-{mix}"
    argv = [
        sys.executable,
        "-m",
        "locust",
        "--config",
        str(REPO_ROOT / "loadtests" / "locust.conf"),
        "-f",
        str(REPO_ROOT / MIXES[mix]),
        "-H",
        host,
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        run_time,
    ]
    env = {
        **os.environ,
        "LOAD_DATA_FILE": str(data_file),
        "LOAD_RESULTS_DIR": str(results_dir),
        "LOAD_RUN_NAME": stem,
        "PYTHONPATH": str(REPO_ROOT),
    }
    env.pop("LOAD_CACHE_STATS_URL", None)
    if cache_stats_url:
        env["LOAD_CACHE_STATS_URL"] = cache_stats_url
    json_path = results_dir / f"{stem}.json"
    json_path.unlink(missing_ok=True)
    log_path = (log_dir or results_dir) / f"{stem}.locust.log"
    with log_path.open("wb") as log:
        try:
            completed = subprocess.run(
                argv,
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=run_seconds(run_time) + LOCUST_GRACE_S,
                check=False,
            )
            code = completed.returncode
        except subprocess.TimeoutExpired:
            code = int(ExitCode.TOOL_ERROR)
    document = json.loads(json_path.read_text()) if json_path.exists() else None
    if document is None:
        code = int(ExitCode.TOOL_ERROR)
        sys.stderr.write(f"{mix} mix wrote no result; locust log {log_path}:\n")
        sys.stderr.write(log_path.read_text(errors="replace")[-3000:] + "\n")
    return MixResult(mix, code, document, json_path)


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}{unit}"
    return f"{value}{unit}"


def summary_lines(result: MixResult) -> list[str]:
    """Per-class and per-endpoint figures of one mix, for the console."""
    doc = result.document
    if doc is None:
        return [f"{result.mix} mix: no result (exit {result.exit_code})"]
    lines = [
        f"{result.mix} mix: {doc['verdict']} (exit {doc['exit_code']}), "
        f"{_fmt(doc.get('duration_s'), ' s')} measured, users {doc['run'].get('users')}",
        f"  {'class':<6} {'scope':<12} {'requests':>8} {'fail':>5} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'req/s':>7}  verdict",
    ]
    for name, row in sorted(doc["classes"].items()):
        lines.append(
            f"  {name:<6} {row['scope']:<12} {row['count']:>8} {row['failures']:>5} "
            f"{_fmt(row['p50_ms']):>8} {_fmt(row['p95_ms']):>8} {_fmt(row['p99_ms']):>8} "
            f"{_fmt(row['rps']):>7}  {row['verdict']}"
        )
    lines.extend(
        f"    {row['class']:<5} {row['method']:<5} {row['name']:<42} {row['count']:>6} "
        f"p50 {_fmt(row['p50_ms'])} p95 {_fmt(row['p95_ms'])} p99 {_fmt(row['p99_ms'])} "
        f"{_fmt(row['rps'])} req/s, {row['failures']} failed"
        for row in doc["endpoints"]
    )
    cache = doc.get("cache")
    if cache is None:
        lines.append("  read cache: counters unavailable")
    elif cache.get("hit_rate") is None:
        lines.append("  read cache: not consulted during the mix")
    else:
        lines.append(
            f"  read cache: {cache['hits']} hits, {cache['misses']} misses, "
            f"hit rate {cache['hit_rate'] * 100:.1f} %"
        )
    lines.extend(f"  reason: {reason}" for reason in doc.get("reasons", []))
    return lines


# --- the run --------------------------------------------------------------------------------


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m loadtests.run",
        description="Seed a fresh database, start gunicorn, run the read and write mixes.",
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=10.0)
    parser.add_argument("--run-time", default="45s", help="per mix, locust syntax (45s, 2m)")
    parser.add_argument("--mixes", default="read,write", help="comma-separated: read, write")
    parser.add_argument("--cadets", type=int, default=600)
    parser.add_argument("--days", type=int, default=8, help="training days")
    parser.add_argument("--login-cadets", type=int, default=100)
    parser.add_argument("--staff", type=int, default=5, help="training staff accounts")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--settings", default="config.settings.production")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument(
        "--redis-url", default=os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL")
    )
    parser.add_argument("--results-dir", type=Path, default=Path(DEFAULT_RESULTS_DIR))
    parser.add_argument("--keep", action="store_true", help="keep the database; print its URL")
    args = parser.parse_args(argv)
    args.mixes = [m.strip() for m in args.mixes.split(",") if m.strip()]
    unknown = [m for m in args.mixes if m not in MIXES]
    if unknown or not args.mixes:
        parser.error(f"--mixes: unknown {unknown or 'none given'}; choose from {sorted(MIXES)}")
    try:
        run_seconds(args.run_time)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def _seed(env: dict[str, str], data_file: Path, args: argparse.Namespace) -> None:
    from verification.infra import processes

    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "loadtests.seed",
            "--out",
            str(data_file),
            "--cadets",
            str(args.cadets),
            "--days",
            str(args.days),
            "--login-cadets",
            str(args.login_cadets),
            "--staff",
            str(args.staff),
        ],
        cwd=REPO_ROOT,
        env=processes.clean_env(env),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if completed.returncode != 0:
        raise RunError(f"seeding failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-3000:]}")
    print(completed.stdout.strip())  # noqa: T201 - a CLI


def run(args: argparse.Namespace) -> ExitCode:
    from verification.infra import processes

    args.results_dir.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="rgms-load-"))
    started = time.monotonic()
    with postgres_server(args.database_url) as pg, redis_server(args.redis_url) as redis_url:
        database_url = processes.create_database(pg)
        lease = processes.lease_redis_db(redis_url)
        web = None
        try:
            env = processes.staging_env(
                database_url=database_url,
                redis_url=lease.url,
                settings=args.settings,
                PYTHONPATH=os.pathsep.join([str(processes.BACKEND_DIR), str(REPO_ROOT)]),
            )
            processes.manage(["migrate", "--noinput", "-v", "0"], env, timeout=900)
            data_file = workdir / "load-data.json"
            _seed(env, data_file, args)
            admin = json.loads(data_file.read_text())["admin"]
            web = start_web(env, workers=args.workers, log_dir=workdir)
            print(  # noqa: T201 - a CLI
                f"gunicorn x{args.workers} ({args.settings}) at {web.url}, ready after "
                f"{time.monotonic() - started:.0f} s; {args.users} users, {args.run_time} per mix"
            )
            results: list[MixResult] = []
            with CacheStatsRelay(web.url, admin["username"], admin["password"]) as relay:
                for mix in args.mixes:
                    result = run_mix(
                        mix,
                        host=web.url,
                        data_file=data_file,
                        results_dir=args.results_dir,
                        users=args.users,
                        spawn_rate=args.spawn_rate,
                        run_time=args.run_time,
                        cache_stats_url=relay.url,
                        log_dir=workdir,
                    )
                    results.append(result)
                    print("\n".join(summary_lines(result)))  # noqa: T201 - a CLI
            code = worst_exit_code([r.exit_code for r in results])
            print(  # noqa: T201 - a CLI
                f"load run: exit {int(code)} ({code.name.lower()}) after "
                f"{time.monotonic() - started:.0f} s; results in {args.results_dir}"
            )
            return code
        finally:
            if web is not None:
                web.stop()
            lease.release()
            if args.keep:
                print(f"database kept: {database_url}")  # noqa: T201 - a CLI
            else:
                processes.drop_database(database_url)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    from verification.infra.processes import ProcessFailed

    try:
        return int(run(args))
    except (RunError, ProcessFailed, OSError) as exc:
        sys.stderr.write(f"load run: tool error: {exc}\n")
        return int(ExitCode.TOOL_ERROR)


if __name__ == "__main__":
    sys.exit(main())
