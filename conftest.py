"""Shared by every suite: real PostgreSQL and Redis, and the Hypothesis profiles.

PostgreSQL: DATABASE_URL when the environment gives one, else a throwaway server started from
the local binaries (no Docker engine here, so no testcontainers). Redis: REDIS_URL when given,
else a throwaway redis-server. SQLite is never the test database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from verification.infra import servers

settings.register_profile("dev", max_examples=30, deadline=None)
settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a PostgreSQL server (not a database of it) the tests may create databases on."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    if not servers.postgres_available():
        pytest.fail("No DATABASE_URL and no local PostgreSQL binaries (initdb, pg_ctl).")
    server = servers.ThrowawayPostgres().start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    # TEST_REDIS_URL lets unit suites use a real Redis for the few tests that need one
    # without switching the whole settings module to Redis (which REDIS_URL does).
    given = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL")
    if given:
        yield given
        return
    if not servers.redis_available():
        pytest.fail("No REDIS_URL and no local redis-server binary.")
    server = servers.ThrowawayRedis().start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None,
) -> None:
    """Without DATABASE_URL, point the test database at a throwaway local server."""
    if os.environ.get("DATABASE_URL"):
        return
    from django.conf import settings as django_settings
    from django.db import connections

    if not servers.postgres_available():
        pytest.fail("No DATABASE_URL and no local PostgreSQL binaries (initdb, pg_ctl).")
    server = servers.ThrowawayPostgres().start()
    import atexit

    atexit.register(server.stop)
    for alias in ("default",):
        for target in (django_settings.DATABASES[alias], connections[alias].settings_dict):
            target.update(HOST="127.0.0.1", PORT=str(server.port), USER="postgres")
