"""Fixtures for the cutover toolkit tests: small synthetic legacy databases in both dialects.

PostgreSQL comes from the root conftest's `postgres_url` (DATABASE_URL, else a throwaway local
server); every database created here is named cutover_scratch_* and dropped afterwards.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

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
