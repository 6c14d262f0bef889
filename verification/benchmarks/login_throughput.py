"""Login throughput benchmark: POST /api/v1/auth/login req/s under gunicorn, legacy hashes.

Prints figures; it is not a test and asserts no timings (the exit status is non-zero only
when a login is answered with something other than what the phase expects). What it does:

1. creates a fresh PostgreSQL database on the server of DATABASE_URL (default
   postgresql://postgres@127.0.0.1:5432/postgres) and leases a Redis logical database (the
   login limit's counters live in the Redis cache, as in production), migrates it,
2. seeds N approved cadet accounts whose password column holds a legacy bcryptjs-style hash
   (``$2a$``, cost 10), converted by ``rgms.users.passwords.legacy_password_to_django``
   exactly as the importer converts them (a few distinct hashes are reused across accounts:
   verifying costs the same whatever the hash),
3. starts gunicorn as Render runs it (backend/gunicorn.conf.py, sync workers) under
   ``config.settings.production`` (the real PASSWORD_HASHERS) on 127.0.0.1,
4. runs three phases, each with ``--concurrency`` client threads on keep-alive connections,
   every account once per phase, each request with its own X-Forwarded-For client address
   (as behind Render's proxy, so the per-IP limit of a single benchmark address is not what
   is measured):

   ``legacy-verify``  wrong password against the cost-10 legacy hash: one bcrypt cost-10
                      verification per request (401), the pure legacy-hash check
   ``first-login``    right password, cost-10 legacy hash: verification plus the upgrade to
                      the preferred hasher (bcrypt_sha256, Django's 12 rounds) and the token
                      pair (200) - what every migrated user's first login costs
   ``steady-login``   right password again, now against the upgraded hash (200)

   and prints req/s, p50 and p95 per phase, next to the legacy backend's 8.6 req/s, plus the
   CPU each login cost (gunicorn's process group and the database's backends) and the req/s
   that cost allows on all of the machine's cores ("idle req/s"): on a shared, busy machine
   the wall-clock req/s drops while the CPU per login stays put.

Usage (from the repository root)::

    .venv/bin/python -m verification.benchmarks.login_throughput
    .venv/bin/python -m verification.benchmarks.login_throughput --users 40 --workers 2

Needs a PostgreSQL server and a Redis server on 127.0.0.1; the database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from verification.benchmarks.api_throughput import cpu_seconds
from verification.infra import processes

DEFAULT_DATABASE_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_SERVER = "redis://127.0.0.1:6379/0"
LEGACY_REQ_PER_S = 8.6  # the Node.js backend (bcryptjs, cost 10) on this machine kind
LEGACY_COST = 10
PASSWORD_ENV = "RGMS_BENCH_PASSWORD"  # noqa: S105 (the variable's name)
MARKER = "RGMS_LOGIN_BENCH_RESULT"


# --- seeding (runs in a Django subprocess: `login_throughput seed`) -----------------------


def seed(*, users: int, distinct_hashes: int) -> dict[str, Any]:
    """N approved cadets with converted cost-10 legacy hashes of one password."""
    import bcrypt
    from django.db import transaction

    from rgms.users.models import Role, User
    from rgms.users.passwords import legacy_password_to_django

    password = os.environ[PASSWORD_ENV]
    started = time.monotonic()
    hashes = [
        bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(LEGACY_COST, prefix=b"2a")).decode()
        for _ in range(distinct_hashes)
    ]
    hashing = time.monotonic() - started
    rows = [
        User(
            username=f"bench-cadet-{n:05d}",
            role=Role.CADET,
            is_approved=True,
            password=legacy_password_to_django(hashes[n % len(hashes)]),
        )
        for n in range(users)
    ]
    with transaction.atomic():
        User.objects.bulk_create(rows, batch_size=1000)
    return {
        "usernames": [row.username for row in rows],
        "legacy_prefix": hashes[0][:7],
        "hash_seconds_each": hashing / len(hashes),
    }


def _seed_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="login_throughput seed")
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--distinct-hashes", type=int, required=True)
    args = parser.parse_args(argv)
    import django

    django.setup()
    result = seed(users=args.users, distinct_hashes=args.distinct_hashes)
    print(MARKER, json.dumps(result))


def _stored_algorithms() -> None:
    import django

    django.setup()
    from collections import Counter

    from rgms.users.models import User

    counts = Counter(
        password.split("$", 1)[0]
        for password in User.objects.filter(username__startswith="bench-cadet-").values_list(
            "password", flat=True
        )
    )
    print(MARKER, json.dumps(dict(counts)))


# --- the load ---------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    requests: int
    seconds: float
    req_per_s: float
    p50_ms: float
    p95_ms: float
    unexpected: int
    # CPU per login (gunicorn group + PostgreSQL backends), which other work on a shared
    # machine barely changes, and the req/s that cost allows on all of this machine's cores.
    cpu_ms: float = 0.0
    idle_capacity_req_per_s: float = 0.0


def _client_ip(n: int) -> str:
    """A distinct documentation-range address per account (TEST-NET-2 and -3)."""
    block, host = divmod(n, 250)
    return f"198.51.{100 + block % 100}.{host + 1}" if block < 100 else f"203.0.113.{host + 1}"


def run_phase(
    *,
    name: str,
    host: str,
    port: int,
    usernames: list[str],
    password: str,
    expected: int,
    concurrency: int,
) -> Phase:
    """Every username logs in once, `concurrency` at a time; wall-clock req/s."""
    queue = list(enumerate(usernames))
    lock = threading.Lock()
    latencies: list[float] = []
    unexpected: list[int] = []

    def worker() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    n, username = queue.pop()
                body = json.dumps({"username": username, "password": password})
                headers = {
                    "Content-Type": "application/json",
                    "X-Forwarded-Proto": "https",
                    "X-Forwarded-For": _client_ip(n),
                }
                started = time.perf_counter()
                connection.request("POST", "/api/v1/auth/login", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if response.status != expected:
                        unexpected.append(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = http.client.HTTPConnection(host, port, timeout=60)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    ordered = sorted(latencies)
    return Phase(
        name=name,
        requests=len(latencies),
        seconds=seconds,
        req_per_s=len(latencies) / seconds if seconds else 0.0,
        p50_ms=statistics.median(ordered) * 1000 if ordered else 0.0,
        p95_ms=ordered[int(0.95 * (len(ordered) - 1))] * 1000 if ordered else 0.0,
        unexpected=len(unexpected),
    )


# --- main -----------------------------------------------------------------------------------


def _django_subprocess(args: list[str], env: dict[str, str], password: str) -> dict[str, Any]:
    return processes.django_json(
        "verification.benchmarks.login_throughput",
        args,
        {**env, PASSWORD_ENV: password},
        marker=MARKER,
    )


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="login_throughput", description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=200, help="accounts (one login each)")
    parser.add_argument("--distinct-hashes", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "4")))
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_SERVER,
        help="a URL of the PostgreSQL server; a fresh database is created on it",
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or DEFAULT_REDIS_SERVER)
    parser.add_argument("--json", type=Path, help="also write the results here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["seed"]:
        _seed_main(argv[1:])
        return 0
    if argv[:1] == ["algorithms"]:
        _stored_algorithms()
        return 0
    args = _parse(argv)
    workdir = Path(tempfile.mkdtemp(prefix="rgms-login-bench-"))
    password = "  Legacy pass " + secrets.token_urlsafe(9)  # spaces kept, as users type them
    database_url = processes.create_database(args.database_url)
    lease = processes.lease_redis_db(args.redis_url)
    web = None
    try:
        env = processes.staging_env(database_url=database_url, redis_url=lease.url)
        processes.manage(["migrate", "--noinput", "-v", "0"], env)
        data = _django_subprocess(
            ["seed", "--users", str(args.users), "--distinct-hashes", str(args.distinct_hashes)],
            env,
            password,
        )
        usernames: list[str] = data["usernames"]
        web = processes.gunicorn(env, workers=args.workers, log_dir=workdir)
        host, port = processes.HOST, int(web.port or 0)
        print(
            f"login throughput: gunicorn sync x{args.workers} (config.settings.production), "
            f"{args.concurrency} client threads, {len(usernames)} accounts, legacy hashes "
            f"{data['legacy_prefix']}... (bcrypt cost {LEGACY_COST}, "
            f"{data['hash_seconds_each'] * 1000:.0f} ms each to make here)"
        )
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f} before the run"
            " (other work on the machine lowers every figure)"
        )
        phases = [
            ("legacy-verify", "wrong password " + password, 401),
            ("first-login", password, 200),
            ("steady-login", password, 200),
        ]
        results: list[Phase] = []
        print(
            f"{'phase':<16}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'cpu ms':>9}"
            f"{'idle req/s':>12}{'requests':>10}{'unexpected':>12}"
        )
        database = database_url.rsplit("/", 1)[-1]
        for name, attempt, expected in phases:
            before = sum(cpu_seconds(web_pid=web.pid, database=database))
            phase = run_phase(
                name=name,
                host=host,
                port=port,
                usernames=usernames,
                password=attempt,
                expected=expected,
                concurrency=args.concurrency,
            )
            used = sum(cpu_seconds(web_pid=web.pid, database=database)) - before
            phase.cpu_ms = used * 1000 / max(1, phase.requests)
            if used > 0:
                phase.idle_capacity_req_per_s = (os.cpu_count() or 1) * phase.requests / used
            results.append(phase)
            print(
                f"{phase.name:<16}{phase.req_per_s:>8.1f}{phase.p50_ms:>9.0f}{phase.p95_ms:>9.0f}"
                f"{phase.cpu_ms:>9.0f}{phase.idle_capacity_req_per_s:>12.1f}"
                f"{phase.requests:>10}{phase.unexpected:>12}"
            )
        print(f"load average {os.getloadavg()[0]:.1f} after the run")
        stored = _django_subprocess(["algorithms"], env, password)
        print(f"stored hashes after the run: {stored}")
        print(f"legacy Node.js backend (bcryptjs, cost {LEGACY_COST}): {LEGACY_REQ_PER_S} req/s")
        if args.json:
            args.json.write_text(
                json.dumps(
                    {
                        "phases": [asdict(phase) for phase in results],
                        "legacy_req_per_s": LEGACY_REQ_PER_S,
                        "workers": args.workers,
                        "concurrency": args.concurrency,
                        "stored_algorithms": stored,
                    },
                    indent=2,
                )
            )
        return 1 if any(phase.unexpected for phase in results) else 0
    finally:
        if web is not None:
            web.stop()
        lease.release()
        processes.drop_database(database_url)


if __name__ == "__main__":
    raise SystemExit(main())
