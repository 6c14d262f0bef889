"""Websocket delivery benchmark: N sockets on one daphne process, one notification per socket,
latency from save to receipt.

Prints figures; it is not a test and asserts no timings (the exit status is non-zero only when
a notification is lost or reaches the wrong socket). What it does:

1. creates a fresh PostgreSQL database on the server of --database-url and leases a Redis
   logical database (verification.infra.processes), migrates it,
2. starts one daphne process (the documented command, ``config.settings.production`` with a
   complete environment) on 127.0.0.1,
3. in a separate "web" process (Django set up with the same environment): creates N approved
   cadet users and mints their access tokens with the configured token class,
4. warms up (one socket and one notification, not counted), then opens N sockets to
   /ws/notifications/ (at most --connect-concurrency handshakes at a time) and times each
   handshake (upgrade, token check, groups joined, first pong),
5. lets the sockets sit idle for --idle seconds (default 10), as they do between real
   events, then the web process creates one notification per user with
   ``notification_create`` (saved, then broadcast through channels-redis on commit) at
   --rate per second,
6. each socket records when its notification arrives; latency = receipt time minus the
   notification's ``timestamp`` (its created_at, taken just before the INSERT), so it covers
   the INSERT, the commit, the channel layer and daphne. All processes share one clock.

Usage (from the repository root)::

    .venv/bin/python -m verification.benchmarks.ws_delivery            # N=500
    .venv/bin/python -m verification.benchmarks.ws_delivery --sockets 50 --rate 0

``--rate 0`` creates notifications back to back (the worst burst one process can make).
``--channel-layer channels_redis.core.RedisChannelLayer`` runs daphne with the stock layer
(through a throwaway ASGI module in the scratch directory) to compare it with
``rgms.realtime.layers.RedisChannelLayer``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from verification.infra import processes

DEFAULT_DATABASE_SERVER = os.environ.get(
    "DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
DEFAULT_REDIS_SERVER = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
TARGET_P95_MS = 50.0


# --- the "web" process: Django with the stack's environment ------------------------------


def _init_django(env: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(env)
    for path in (str(processes.BACKEND_DIR), str(processes.REPO_ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()


def create_users(count: int) -> list[tuple[int, str]]:
    """N approved cadet users (bulk, no side effects) and an access token for each."""
    from django.contrib.auth.hashers import make_password
    from rest_framework_simplejwt.settings import api_settings

    from rgms.users.models import Role, User

    unusable = make_password(None)
    run = time.strftime("%H%M%S")
    User.objects.bulk_create(
        [
            User(
                username=f"ws-bench-{run}-{n}",
                password=unusable,
                role=Role.CADET,
                is_approved=True,
            )
            for n in range(count)
        ],
        batch_size=1000,
    )
    users = User.objects.filter(username__startswith=f"ws-bench-{run}-").order_by("pk")
    token_class = api_settings.AUTH_TOKEN_CLASSES[0]
    return [(user.pk, str(token_class.for_user(user))) for user in users]


def create_notifications(user_ids: list[int], rate: float) -> dict[str, Any]:
    """One notification per user, paced at `rate` per second (0: back to back)."""
    from django.db import connection

    from rgms.notifications.services import notification_create
    from rgms.users.models import User

    users = list(User.objects.filter(pk__in=user_ids).order_by("pk"))
    connection.ensure_connection()
    durations: list[float] = []
    interval = 1.0 / rate if rate > 0 else 0.0
    started = time.monotonic()
    for n, user in enumerate(users):
        if interval:
            delay = started + n * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        before = time.perf_counter()
        notification_create(user=user, message=f"benchmark {n}", type="general_update")
        durations.append((time.perf_counter() - before) * 1000)
    elapsed = time.monotonic() - started
    return {"count": len(users), "seconds": elapsed, "create_ms": durations}


# --- the sockets ---------------------------------------------------------------------------


@dataclass
class Socket:
    user_id: int
    token: str
    connection: ClientConnection | None = None
    connect_ms: float | None = None
    latencies_ms: list[float] = field(default_factory=list)
    wrong_user: int = 0
    error: str | None = None


async def open_socket(url: str, socket: Socket, limit: asyncio.Semaphore) -> None:
    async with limit:
        started = time.perf_counter()
        try:
            socket.connection = await connect(
                f"{url}/ws/notifications/?token={socket.token}",
                open_timeout=30,
                ping_interval=None,  # daphne pings; no client pings to muddy the figures
                close_timeout=5,
                max_queue=None,
            )
            # The socket is accepted only after the token check: a ping proves it is live.
            await socket.connection.send('{"type": "ping"}')
            reply = json.loads(await asyncio.wait_for(socket.connection.recv(), 30))
            if reply.get("type") != "pong":
                socket.error = f"expected pong, got {reply}"
        except (OSError, TimeoutError, ConnectionClosed) as exc:
            socket.error = f"{exc.__class__.__name__}: {exc}"
            return
        socket.connect_ms = (time.perf_counter() - started) * 1000


async def read_socket(socket: Socket, expected: int, deadline: float) -> None:
    assert socket.connection is not None
    while len(socket.latencies_ms) < expected:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        try:
            raw = await asyncio.wait_for(socket.connection.recv(), remaining)
        except TimeoutError:
            socket.error = "no notification before the deadline"
            return
        except ConnectionClosed as exc:
            socket.error = f"closed by the server: {exc.rcvd.code if exc.rcvd else None}"
            return
        received = time.time()
        message = json.loads(raw)
        if message.get("type") != "notification":
            continue
        data = message["data"]
        if data.get("user_id") != socket.user_id:
            socket.wrong_user += 1
            continue
        created = datetime.fromisoformat(data["timestamp"]).timestamp()
        socket.latencies_ms.append((received - created) * 1000)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 50), 2),
        "p95": round(percentile(values, 95), 2),
        "p99": round(percentile(values, 99), 2),
        "max": round(max(values, default=0.0), 2),
    }


async def run_sockets(
    url: str, users: list[tuple[int, str]], args: argparse.Namespace, web: ProcessPoolExecutor
) -> dict[str, Any]:
    # Warm-up, not measured: the first socket and notification pay for imports, the database
    # pool and the Redis connections of both processes.
    warm = Socket(*users[0])
    await open_socket(url, warm, asyncio.Semaphore(1))
    if warm.error or warm.connection is None:
        raise RuntimeError(f"warm-up socket failed: {warm.error}")
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(web, create_notifications, [warm.user_id], 0.0)
    await read_socket(warm, 1, time.monotonic() + 30)
    await warm.connection.close()

    sockets = [Socket(user_id, token) for user_id, token in users[1:]]
    limit = asyncio.Semaphore(args.connect_concurrency)
    started = time.perf_counter()
    await asyncio.gather(*(open_socket(url, socket, limit) for socket in sockets))
    connect_wall = time.perf_counter() - started
    failed = [socket for socket in sockets if socket.error]
    live = [socket for socket in sockets if not socket.error]
    # Sockets sit idle before anything happens, as they do between real events (a consumer
    # that dies while waiting shows up here as a missing notification).
    await asyncio.sleep(args.idle)
    try:
        deadline = time.monotonic() + args.timeout
        readers = [asyncio.create_task(read_socket(socket, 1, deadline)) for socket in live]
        created = await loop.run_in_executor(
            web, create_notifications, [socket.user_id for socket in live], args.rate
        )
        await asyncio.gather(*readers)
    finally:
        await asyncio.gather(
            *(socket.connection.close() for socket in sockets if socket.connection),
            return_exceptions=True,
        )
    latencies = [value for socket in live for value in socket.latencies_ms]
    return {
        "sockets": len(sockets),
        "connected": len(live),
        "connect_failures": [socket.error for socket in failed][:5],
        "connect_wall_s": round(connect_wall, 2),
        "connect_ms": summary([s.connect_ms for s in live if s.connect_ms is not None]),
        "notifications": created["count"],
        "create_rate_per_s": round(created["count"] / created["seconds"], 1)
        if created["seconds"]
        else None,
        "create_call_ms": summary(created["create_ms"]),
        "delivered": len(latencies),
        "missing": created["count"] - len(latencies),
        "missing_detail": [
            {"user_id": socket.user_id, "position": n, "error": socket.error}
            for n, socket in enumerate(live)
            if not socket.latencies_ms
        ][:10],
        "wrong_socket": sum(socket.wrong_user for socket in live),
        "latency_ms": summary(latencies),
    }


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ws_delivery", description="Websocket notification delivery latency."
    )
    parser.add_argument("--sockets", type=int, default=500, help="sockets (one user each)")
    parser.add_argument(
        "--rate", type=float, default=100.0, help="notifications per second (0: back to back)"
    )
    parser.add_argument("--connect-concurrency", type=int, default=50)
    parser.add_argument(
        "--idle", type=float, default=10.0, help="seconds the sockets sit idle before sending"
    )
    parser.add_argument(
        "--channel-layer",
        help="run daphne with this CHANNEL_LAYERS backend instead of the configured one "
        "(e.g. channels_redis.core.RedisChannelLayer to compare with the stock layer)",
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for all")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_SERVER)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_SERVER)
    parser.add_argument("--settings", default="config.settings.production")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


def _asgi_with_channel_layer(backend: str, workdir: Path) -> str:
    """An ASGI entry point (in the scratch directory, not the repository) that is
    config.asgi:application with only the channel layer backend swapped; layers are built
    lazily, on first use, so the swap happens before any exists."""
    (workdir / "ws_bench_asgi.py").write_text(
        "from config.asgi import application\n"
        "from django.conf import settings\n"
        f"settings.CHANNEL_LAYERS['default']['BACKEND'] = {backend!r}\n"
    )
    return "ws_bench_asgi:application"


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    workdir = Path(tempfile.mkdtemp(prefix="rgms-ws-bench-"))
    database_url = processes.create_database(args.database_url)
    lease = processes.lease_redis_db(args.redis_url)
    channels = None
    try:
        env = processes.staging_env(
            database_url=database_url, redis_url=lease.url, settings=args.settings
        )
        processes.manage(["migrate", "--noinput", "-v", "0"], env)
        if args.channel_layer:
            channels = processes.daphne(
                {**env, "PYTHONPATH": f"{processes.BACKEND_DIR}{os.pathsep}{workdir}"},
                application=_asgi_with_channel_layer(args.channel_layer, workdir),
                log_dir=workdir,
            )
        else:
            channels = processes.daphne(env, log_dir=workdir)
        web_env = processes.clean_env({**env, "SERVICE_NAME": "web"})
        with ProcessPoolExecutor(
            max_workers=1,
            mp_context=get_context("spawn"),
            initializer=_init_django,
            initargs=(web_env,),
        ) as web:
            users = web.submit(create_users, args.sockets + 1).result(timeout=600)
            figures = asyncio.run(run_sockets(channels.ws_url, users, args, web))
    finally:
        if channels is not None:
            channels.stop()
        processes.drop_database(database_url)
        lease.release()

    figures["environment"] = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "settings": args.settings,
        "rate_requested": args.rate,
        "idle_s": args.idle,
        "channel_layer": args.channel_layer or "as configured",
        "daphne_log": str(workdir / "channels.log"),
    }
    print(json.dumps(figures, indent=2))
    latency = figures["latency_ms"]
    print(
        f"\n{figures['connected']}/{figures['sockets']} sockets connected in "
        f"{figures['connect_wall_s']}s (handshake+auth+pong p50 {figures['connect_ms']['p50']} ms, "
        f"p95 {figures['connect_ms']['p95']} ms, p99 {figures['connect_ms']['p99']} ms)"
    )
    print(
        f"{figures['delivered']}/{figures['notifications']} notifications delivered at "
        f"{figures['create_rate_per_s']}/s; save->receipt p50 {latency['p50']} ms, "
        f"p95 {latency['p95']} ms, p99 {latency['p99']} ms, max {latency['max']} ms "
        f"(target p95 < {TARGET_P95_MS:g} ms: "
        f"{'met' if latency['p95'] < TARGET_P95_MS else 'MISSED'})"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    lost = figures["missing"] or figures["wrong_socket"] or figures["connected"] < args.sockets
    return 1 if lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
