"""Fixtures for the cutover toolkit tests: small synthetic legacy databases in both dialects.

PostgreSQL comes from the root conftest's `postgres_url` (DATABASE_URL, else a throwaway local
server); every database created here is named cutover_scratch_* and dropped afterwards.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cutover.legacy_seed import SeedConfig, SeedResult, seed_legacy_database
from cutover.sources import SCRATCH_PREFIX, create_database, drop_database, sqlite_url

SMALL = SeedConfig(scale=0.02, seed=7)  # 60 cadets, 6 staff, 15 training days


@pytest.fixture(scope="session")
def pg_server(postgres_url: str) -> str:
    """A PostgreSQL server URL on which scratch databases may be created."""
    return postgres_url


@pytest.fixture(scope="session")
def make_pg_database(pg_server: str) -> Iterator[Callable[[str], str]]:
    created: list[str] = []
    counter = iter(range(1, 1_000_000))

    def make(purpose: str) -> str:
        name = f"{SCRATCH_PREFIX}test_{purpose}_{next(counter)}_{id(created) % 10_000}"
        created.append(name)
        return create_database(pg_server, name)

    yield make
    for name in created:
        drop_database(pg_server, name)


@pytest.fixture(scope="session")
def pg_legacy(make_pg_database: Callable[[str], str]) -> tuple[str, SeedResult]:
    """A small seeded PostgreSQL legacy database. Read-only for the tests."""
    url = make_pg_database("legacy")
    return url, seed_legacy_database(url, SMALL)


@pytest.fixture(scope="session")
def sqlite_legacy_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SeedResult]:
    path = tmp_path_factory.mktemp("legacy") / "rotc.db"
    return path, seed_legacy_database(sqlite_url(path), SMALL)


@pytest.fixture
def sqlite_legacy(sqlite_legacy_file: tuple[Path, SeedResult], tmp_path: Path) -> str:
    """A private copy of the small seeded SQLite database (tests may change it)."""
    path, _ = sqlite_legacy_file
    copy = tmp_path / "rotc.db"
    shutil.copyfile(path, copy)
    return sqlite_url(copy)


@pytest.fixture(scope="session")
def default_database_url(django_db_setup: None, django_db_blocker: Any) -> str:
    """Django's test database by URL, registered as a target before any test class is set
    up (Django only lets a test touch the aliases it knew at set-up; use it with
    `django_db(databases="__all__")`)."""
    from cutover.django_target import reader_url, target_alias

    with django_db_blocker.unblock():
        url = reader_url("default")
        target_alias(url)
    return url


@pytest.fixture(scope="session")
def sqlite_django_url(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A migrated SQLite Django database (the no-server local default), registered as a
    target; tests using it need `django_db(databases="__all__")`."""
    from django.core.management import call_command

    from cutover.django_target import target_alias

    url = f"sqlite:///{tmp_path_factory.mktemp('django') / 'django.sqlite3'}"
    with django_db_blocker.unblock():
        call_command("migrate", database=target_alias(url), verbosity=0)
    return url


@pytest.fixture(scope="session")
def unmigrated_django_url(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty SQLite database registered as a target (never migrated)."""
    import sqlite3

    from cutover.django_target import target_alias

    path = tmp_path_factory.mktemp("unmigrated") / "empty.sqlite3"
    sqlite3.connect(path).close()
    url = f"sqlite:///{path}"
    target_alias(url)
    return url
