"""Dependency probes behind GET /api/health. Each probe is bounded in time and never raises:
a dependency that is down is reported, not turned into a 500 or a hang."""

from __future__ import annotations

import concurrent.futures
import time
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

UP, DOWN, NOT_CONFIGURED = "up", "down", "not_configured"

_pool = concurrent.futures.ThreadPoolExecutor(max_workers=6, thread_name_prefix="health")


@dataclass(frozen=True)
class Probe:
    status: str
    latency_ms: float
    detail: str = ""


def _run(check: Any, timeout: float) -> Probe:
    started = time.perf_counter()
    try:
        status, detail = check(timeout)
    except Exception as exc:
        status, detail = DOWN, f"{exc.__class__.__name__}: {exc}"
    return Probe(status, round((time.perf_counter() - started) * 1000, 1), detail)


def _database(timeout: float) -> tuple[str, str]:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # The probe runs in a pool thread; give its connection back at once.
        connections["default"].close()
    return UP, ""


def _redis(timeout: float) -> tuple[str, str]:
    url = settings.REDIS_URL
    if not url:
        return NOT_CONFIGURED, "REDIS_URL is not set; in-process cache and channel layer"
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()
    return UP, ""


def _celery(timeout: float) -> tuple[str, str]:
    broker = settings.CELERY_BROKER_URL
    if broker.startswith("memory://"):
        return NOT_CONFIGURED, "no broker; tasks run eagerly in the web process"
    from config.celery import app

    # Reach the broker first: kombu would otherwise retry a dead broker past our budget.
    if _redis(timeout)[0] != UP:
        return DOWN, "broker unreachable"
    with app.connection_for_write(broker) as connection:
        connection.ensure_connection(max_retries=1, timeout=timeout)
        replies = app.control.ping(timeout=timeout, connection=connection)
    if not replies:
        return DOWN, f"no worker answered a ping within {timeout:.1f}s"
    return UP, f"{len(replies)} worker(s)"


CHECKS = {"database": _database, "redis": _redis, "celery": _celery}


def health_report() -> tuple[bool, dict[str, Any]]:
    timeout = settings.HEALTH_CHECK_TIMEOUT
    deadline = time.monotonic() + timeout * 2 + 0.5
    futures = {name: _pool.submit(_run, check, timeout) for name, check in CHECKS.items()}
    probes = {}
    for name, future in futures.items():
        try:
            probes[name] = future.result(timeout=max(deadline - time.monotonic(), 0.01))
        except concurrent.futures.TimeoutError:
            probes[name] = Probe(DOWN, round(timeout * 2000, 1), "no answer in time")
    healthy = all(probe.status != DOWN for probe in probes.values())
    return healthy, {
        "status": "healthy" if healthy else "unhealthy",
        "timestamp": timezone.now().isoformat(),
        "services": {name: asdict(probe) for name, probe in probes.items()},
        "version": settings.APP_VERSION,
        "environment": settings.ENVIRONMENT,
    }
