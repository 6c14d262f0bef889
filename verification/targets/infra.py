"""PostgreSQL and Redis for a local run: from URLs when given, else throwaway servers from the
local binaries, else none (and the run says what that costs).

Order: an explicit URL; the environment (DATABASE_URL for PostgreSQL; REDIS_URL, then
TEST_REDIS_URL for Redis); a throwaway server (``verification.infra.servers``); nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from verification.infra import servers


@dataclass
class Infra:
    postgres_url: str | None
    redis_url: str | None
    notes: list[str] = field(default_factory=list)


def _reachable_postgres(url: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _reachable_redis(url: str) -> str | None:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        return str(exc)
    return None


@contextmanager
def local_infra(
    postgres_url: str | None = None,
    redis_url: str | None = None,
    *,
    allow_throwaway: bool = True,
    want_postgres: bool = True,
    want_redis: bool = True,
) -> Iterator[Infra]:
    started: list[servers.ThrowawayPostgres | servers.ThrowawayRedis] = []
    notes: list[str] = []
    pg = None
    if not want_postgres:
        notes.append("PostgreSQL: not used (--no-postgres); the Django database is SQLite")
    if want_postgres:
        pg = postgres_url or os.environ.get("DATABASE_URL") or None
        if pg and pg.startswith("sqlite"):
            pg = None
        if pg:
            problem = _reachable_postgres(pg)
            if problem:
                notes.append(f"PostgreSQL at the given URL is unreachable ({problem})")
                pg = None
            else:
                notes.append("PostgreSQL: the given server")
        if pg is None and allow_throwaway and servers.postgres_available():
            server = servers.ThrowawayPostgres().start()
            started.append(server)
            pg = server.url
            notes.append(f"PostgreSQL: a throwaway server on port {server.port}")
        if pg is None:
            notes.append("PostgreSQL: none available; the Django database is SQLite")
    rd = None
    if not want_redis:
        notes.append("Redis: not used (--no-redis); in-process fallbacks")
    if want_redis:
        rd = redis_url or os.environ.get("REDIS_URL") or os.environ.get("TEST_REDIS_URL") or None
        if rd:
            problem = _reachable_redis(rd)
            if problem:
                notes.append(f"Redis at the given URL is unreachable ({problem})")
                rd = None
            else:
                notes.append("Redis: the given server")
        if rd is None and allow_throwaway and servers.redis_available():
            server_r = servers.ThrowawayRedis().start()
            started.append(server_r)
            rd = server_r.url
            notes.append(f"Redis: a throwaway redis-server on port {server_r.port}")
        if rd is None:
            notes.append("Redis: none available; in-process fallbacks (see the skipped checks)")
    try:
        yield Infra(pg, rd, notes)
    finally:
        for server in reversed(started):
            server.stop()
