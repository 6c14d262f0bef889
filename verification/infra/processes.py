"""Start and stop our own service processes on 127.0.0.1: gunicorn (web), daphne (channels),
the Celery worker and beat, plus the throwaway database and Redis slot they run against.

The core is general::

    proc = start("web", [sys.executable, "-m", "gunicorn", ...], env, port=8001,
                 ready_path="/api/health")
    ...
    proc.stop()

`start` runs the command in its own process group with a clean environment (PATH, HOME,
locale and temp dir of the caller plus the given variables: nothing else leaks in, notably
not pytest's DJANGO_SETTINGS_MODULE or DATABASE_URL), writes stdout and stderr to a log file,
waits until the process is ready (a port answers, an HTTP path answers, or a log line
appears), and fails with the log's tail if the process exits or the wait times out.
`stop()` sends SIGTERM to the whole group (gunicorn workers, prefork children), waits, then
SIGKILLs what is left. Every process still running at interpreter exit is stopped too.

On top: `backend_env`, `manage`, `gunicorn`, `daphne`, `celery_worker`, `celery_beat`,
`create_database` / `drop_database` and `lease_redis_db`, which the e2e tests, the
benchmarks and the rehearsal share.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from verification.infra.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
BACKEND_DIR = REPO_ROOT / "backend"
HOST = "127.0.0.1"

# Variables passed through from the caller's environment; everything else must be given.
PASSTHROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "SYSTEMROOT", "USER")


class ProcessFailed(RuntimeError):
    """A managed process exited early or did not become ready in time."""


@dataclass
class ManagedProcess:
    name: str
    argv: list[str]
    popen: subprocess.Popen[bytes]
    log_path: Path
    port: int | None = None
    host: str = HOST
    stop_signal: int = signal.SIGTERM
    _log_file: IO[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def url(self) -> str:
        """http://host:port of a process that listens."""
        if self.port is None:
            raise ValueError(f"{self.name} has no port")
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        if self.port is None:
            raise ValueError(f"{self.name} has no port")
        return f"ws://{self.host}:{self.port}"

    def running(self) -> bool:
        return self.popen.poll() is None

    def log_text(self, tail: int | None = None) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return text[-tail:] if tail else text

    def _fail(self, what: str) -> ProcessFailed:
        return ProcessFailed(
            f"{self.name} (pid {self.pid}) {what}; log {self.log_path}, last lines:\n"
            + self.log_text(tail=4000)
        )

    def _check_alive(self) -> None:
        if not self.running():
            raise self._fail(f"exited with status {self.popen.returncode}")

    def wait_for_port(self, timeout: float = 60.0) -> None:
        import socket

        if self.port is None:
            raise ValueError(f"{self.name} has no port")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise self._fail(f"did not listen on {self.host}:{self.port} within {timeout:.0f}s")

    def wait_for_http(
        self, path: str, timeout: float = 60.0, ok: Iterable[int] | None = None
    ) -> int:
        """Wait until GET `path` answers; with `ok`, until it answers one of those statuses.
        Returns the status. (Any status means the server is serving: a health check may
        well answer 503 while a dependency is still starting.)"""
        accepted = set(ok) if ok is not None else None
        deadline = time.monotonic() + timeout
        status: int | None = None
        while time.monotonic() < deadline:
            self._check_alive()
            # Generous per request: a health check may wait on its own probes' timeouts.
            remaining = max(1.0, deadline - time.monotonic())
            status = http_status(self.url + path, timeout=min(10.0, remaining))
            if status is not None and (accepted is None or status in accepted):
                return status
            time.sleep(0.2)
        raise self._fail(
            f"GET {path} did not answer as expected within {timeout:.0f}s (last status {status})"
        )

    def wait_for_log(self, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = regex.search(self.log_text())
            if match:
                return match
            self._check_alive()
            time.sleep(0.2)
        raise self._fail(f"did not log /{pattern}/ within {timeout:.0f}s")

    def stop(self, timeout: float = 20.0) -> int | None:
        """Stop the process and its whole group; returns its exit status. Idempotent."""
        try:
            if self.running():
                _signal_group(self.popen, self.stop_signal)
                try:
                    self.popen.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    _signal_group(self.popen, signal.SIGKILL)
                    self.popen.wait(timeout=10)
            # Children that outlived the leader (a worker mid-shutdown) go too.
            _signal_group(self.popen, signal.SIGKILL)
            return self.popen.returncode
        finally:
            if self._log_file is not None and not self._log_file.closed:
                self._log_file.close()
            _LIVE.discard(self)

    def __enter__(self) -> ManagedProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __hash__(self) -> int:
        return id(self)


def _signal_group(popen: subprocess.Popen[bytes], sig: int) -> None:
    # The group id is the leader's pid (start_new_session); only our own group is signalled.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(popen.pid, sig)


_LIVE: set[ManagedProcess] = set()


@atexit.register
def _stop_leftovers() -> None:
    for proc in list(_LIVE):
        proc.stop(timeout=5)


def http_status(url: str, *, timeout: float = 2.0) -> int | None:
    """The HTTP status of GET url, or None when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (our URL)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError, TimeoutError):
        return None


def clean_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    base = {name: os.environ[name] for name in PASSTHROUGH if name in os.environ}
    base["PYTHONUNBUFFERED"] = "1"
    base.update({key: str(value) for key, value in (env or {}).items()})
    return base


def start(
    name: str,
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    *,
    port: int | None = None,
    cwd: Path | str = BACKEND_DIR,
    log_dir: Path | str | None = None,
    ready_path: str | None = None,
    ready_ok: Iterable[int] | None = None,
    ready_log: str | None = None,
    ready_timeout: float = 60.0,
    stop_signal: int = signal.SIGTERM,
) -> ManagedProcess:
    """Start `argv` as `name` and wait until it is ready.

    Ready means: `ready_path` answers over HTTP (any status unless `ready_ok`), else the
    `port` accepts connections, and `ready_log` (a regex) appears in the log when given.
    With none of these, the process only has to be alive right after starting.
    """
    directory = Path(log_dir) if log_dir else Path(tempfile.mkdtemp(prefix="rgms-proc-"))
    directory.mkdir(parents=True, exist_ok=True)
    log_path = directory / f"{name}.log"
    log_file = log_path.open("ab")
    try:
        popen = subprocess.Popen(
            list(argv),
            cwd=str(cwd),
            env=clean_env(env),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError:
        log_file.close()
        raise
    proc = ManagedProcess(
        name=name,
        argv=list(argv),
        popen=popen,
        log_path=log_path,
        port=port,
        stop_signal=stop_signal,
        _log_file=log_file,
    )
    _LIVE.add(proc)
    try:
        if ready_path is not None:
            proc.wait_for_http(ready_path, timeout=ready_timeout, ok=ready_ok)
        elif port is not None:
            proc.wait_for_port(timeout=ready_timeout)
        if ready_log is not None:
            proc.wait_for_log(ready_log, timeout=ready_timeout)
        proc._check_alive()
    except BaseException:
        proc.stop(timeout=5)
        raise
    return proc


# --- the backend's processes -------------------------------------------------------------


def random_secret_key() -> str:
    return secrets.token_urlsafe(64)


def backend_env(
    *,
    database_url: str,
    redis_url: str | None = None,
    secret_key: str,
    settings: str = "config.settings.local",
    **extra: str,
) -> dict[str, str]:
    """The environment every backend process of one stack shares (one signing key)."""
    env = {
        "DJANGO_SETTINGS_MODULE": settings,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key,
        "PYTHONPATH": str(BACKEND_DIR),
        "DATABASE_SSLMODE": "disable",
        "LOG_LEVEL": "INFO",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update({key: str(value) for key, value in extra.items()})
    return env


def staging_env(
    *,
    database_url: str,
    redis_url: str,
    settings: str = "config.settings.production",
    **extra: str,
) -> dict[str, str]:
    """A complete production environment for one stack on 127.0.0.1 (benchmarks, load runs):
    a fresh signing key, loopback hosts, one allowed origin, ENVIRONMENT=staging, quiet logs
    unless `extra` says otherwise."""
    return backend_env(
        database_url=database_url,
        redis_url=redis_url,
        secret_key=random_secret_key(),
        settings=settings,
        **{
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CORS_ALLOWED_ORIGINS": "https://rgms.example.edu",
            "ENVIRONMENT": "staging",
            "LOG_LEVEL": "WARNING",
            **extra,
        },
    )


def django_json(
    module: str,
    args: Sequence[str],
    env: Mapping[str, str],
    *,
    marker: str,
    backend_dir: Path = BACKEND_DIR,
    input_text: str | None = None,
    timeout: float = 900.0,
    wrapper: Sequence[str] = (),
) -> Any:
    """Run `python -m <module> <args>` with that backend and this repository importable, and
    return the JSON it printed after `marker` on a line; SystemExit with its output if it
    failed or printed none. `wrapper`: a command that runs it (valgrind, say)."""
    result = subprocess.run(
        [*wrapper, sys.executable, "-m", module, *args],
        cwd=str(REPO_ROOT),
        env=clean_env({**env, "PYTHONPATH": f"{backend_dir}{os.pathsep}{REPO_ROOT}"}),
        input=input_text,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    match = re.search(rf"^{re.escape(marker)} (.*)$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or match is None:
        raise SystemExit(
            f"{module} {' '.join(args[:1])} failed:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return json.loads(match.group(1))


def manage(
    args: Sequence[str],
    env: Mapping[str, str],
    *,
    timeout: float = 300.0,
    check: bool = True,
    input_text: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `manage.py <args>` to completion; raises with its output when it fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=str(BACKEND_DIR),
        env=clean_env(env),
        input=input_text,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise ProcessFailed(
            f"manage.py {' '.join(args[:2])} exited {result.returncode}:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


def gunicorn(
    env: Mapping[str, str],
    *,
    port: int | None = None,
    workers: int = 2,
    name: str = "web",
    ready_path: str = "/api/health",
    **kwargs: object,
) -> ManagedProcess:
    """The web service as Render runs it (backend/gunicorn.conf.py), bound to 127.0.0.1."""
    port = port or free_port()
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(BACKEND_DIR / "gunicorn.conf.py"),
        # The command line wins over the config file's 0.0.0.0:$PORT.
        "--bind",
        f"{HOST}:{port}",
        "config.wsgi:application",
    ]
    env = {"SERVICE_NAME": "web", **env, "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    return start(name, argv, env, port=port, ready_path=ready_path, **kwargs)  # type: ignore[arg-type]


def daphne(
    env: Mapping[str, str],
    *,
    port: int | None = None,
    name: str = "channels",
    ping_interval: int = 20,
    ping_timeout: int = 30,
    websocket_timeout: int = 86400,
    application: str = "config.asgi:application",
    **kwargs: object,
) -> ManagedProcess:
    """The channels service (the documented daphne command), bound to 127.0.0.1."""
    port = port or free_port()
    argv = [
        sys.executable,
        "-m",
        "daphne",
        "-b",
        HOST,
        "-p",
        str(port),
        "--ping-interval",
        str(ping_interval),
        "--ping-timeout",
        str(ping_timeout),
        "--websocket_timeout",
        str(websocket_timeout),
        application,
    ]
    env = {"SERVICE_NAME": "channels", **env, "PORT": str(port)}
    return start(name, argv, env, port=port, **kwargs)  # type: ignore[arg-type]


def celery_worker(
    env: Mapping[str, str],
    *,
    name: str = "worker",
    pool: str = "solo",
    concurrency: int = 1,
    queues: Sequence[str] | None = None,
    **kwargs: object,
) -> ManagedProcess:
    """A Celery worker; ready once it logs "ready" (connected to the broker)."""
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--loglevel=INFO",
        "-P",
        pool,
        "--concurrency",
        str(concurrency),
        "--hostname",
        f"{name}-{secrets.token_hex(3)}@%h",
        "--without-gossip",
        "--without-mingle",
    ]
    if queues:
        argv += ["-Q", ",".join(queues)]
    kwargs.setdefault("ready_log", r"\bready\.")
    return start(name, argv, {"SERVICE_NAME": "worker", **env}, **kwargs)  # type: ignore[arg-type]


def celery_beat(env: Mapping[str, str], *, name: str = "beat", **kwargs: object) -> ManagedProcess:
    """Celery beat (schedule and state in the database: django_celery_beat)."""
    argv = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]
    kwargs.setdefault("ready_log", r"beat: Starting")
    return start(name, argv, {"SERVICE_NAME": "beat", **env}, **kwargs)  # type: ignore[arg-type]


# --- a fresh database and a Redis slot per stack -----------------------------------------


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def create_database(server_url: str, name: str | None = None) -> str:
    """Create an empty database on the server of `server_url`; returns its URL."""
    import psycopg
    from psycopg import sql

    name = name or f"rgms_proc_{os.getpid()}_{secrets.token_hex(4)}"
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"unsafe database name {name!r}")
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _with_database(server_url, name)


def drop_database(database_url: str) -> None:
    """Drop a database made by create_database (its connections are terminated)."""
    import psycopg
    from psycopg import sql

    name = urlsplit(database_url).path.lstrip("/")
    server_url = _with_database(database_url, "postgres")
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@dataclass
class RedisLease:
    """A Redis logical database reserved for one stack (see lease_redis_db)."""

    url: str
    db: int
    _server_url: str
    _key: str
    _token: str

    def release(self) -> None:
        import redis

        with contextlib.suppress(redis.RedisError):
            client = redis.Redis.from_url(_with_db(self._server_url, self.db), socket_timeout=5)
            client.flushdb()
            client.close()
            control = redis.Redis.from_url(_with_db(self._server_url, 0), socket_timeout=5)
            if control.get(self._key) == self._token.encode():
                control.delete(self._key)
            control.close()


def _with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


def lease_redis_db(redis_url: str, *, ttl: int = 3600) -> RedisLease:
    """Reserve a logical database (1..15) of the Redis server at `redis_url`, flushed.

    Several stacks on one Redis server must not share a database: the Celery queue and the
    channel groups (user.1 exists in every stack) would cross. The lease is a key in
    database 0 with a TTL, so a crashed run frees its slot by itself.
    """
    import redis

    token = secrets.token_hex(8)
    control = redis.Redis.from_url(_with_db(redis_url, 0), socket_timeout=5)
    try:
        for db in range(1, 16):
            key = f"rgms:process-lease:db:{db}"
            if control.set(key, token, nx=True, ex=ttl):
                client = redis.Redis.from_url(_with_db(redis_url, db), socket_timeout=5)
                try:
                    client.flushdb()
                finally:
                    client.close()
                return RedisLease(_with_db(redis_url, db), db, redis_url, key, token)
    finally:
        control.close()
    raise ProcessFailed("no free Redis database (1..15) to lease on " + redis_url)
