"""Shared pieces of the property suites: example budgets by Hypothesis profile, a scratch
legacy PostgreSQL database, the migration pipeline run on one generated legacy database, and
the oracle that compares Django's rows with what the generator says they must be.

Budgets: each property takes a share of the loaded profile's ``max_examples`` (``dev`` 30,
``ci`` 100, ``thorough`` 2000), so ``HYPOTHESIS_PROFILE=ci`` keeps the suite to a few
minutes and ``thorough`` runs twenty times more examples.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from cutover.backup import create_backup, validate_backup
from cutover.export import check_export, export_database
from cutover.importer import ImportResult, import_export
from cutover.legacy_schema import TABLES, Dialect
from cutover.sources import SCRATCH_PREFIX, create_database, drop_database, sqlite_url
from verification.strategies.legacy import LegacyDataset, reset_postgres_schema, write_dataset

CASES: Counter[str] = Counter()
SLOW_CHECKS = [
    HealthCheck.function_scoped_fixture,
    HealthCheck.too_slow,
    HealthCheck.data_too_large,
    HealthCheck.large_base_example,
]


def budget(share: float, *, floor: int = 3) -> int:
    """`share` of the profile's max_examples, at least `floor`."""
    return max(floor, round(hypothesis_settings.default.max_examples * share))


def count_case(name: str, dataset: LegacyDataset) -> None:
    CASES[name] += 1
    CASES[f"{name} rows"] += dataset.total_rows


def pytest_terminal_summary(terminalreporter: Any) -> None:
    names = sorted(k for k in CASES if not k.endswith(" rows"))
    if names:
        terminalreporter.write_line("migration property cases (generated legacy databases):")
        for name in names:
            terminalreporter.write_line(
                f"  {name}: {CASES[name]} databases, {CASES[name + ' rows']} rows"
            )


@pytest.fixture(scope="session")
def legacy_pg_url(postgres_url: str) -> Iterator[str]:
    """A scratch PostgreSQL database for generated legacy databases (schema reset per
    example)."""
    name = f"{SCRATCH_PREFIX}property_{os.getpid()}"
    drop_database(postgres_url, name)
    url = create_database(postgres_url, name)
    yield url
    drop_database(postgres_url, name)


@pytest.fixture(scope="session")
def scratch_server(postgres_url: str) -> str:
    return postgres_url


def reset_django() -> None:
    """Empty every migrated table (and what references them) between examples."""
    from django.core.cache import cache
    from django.db import connection

    from cutover.mapping import model_of

    tables = ", ".join(f'"{model_of(t)._meta.db_table}"' for t in TABLES)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")
    cache.clear()


@dataclass
class Workspace:
    directory: Path
    legacy_url: str

    @property
    def export_dir(self) -> Path:
        return self.directory / "export"

    @property
    def backups(self) -> Path:
        return self.directory / "backups"


@contextmanager
def legacy_workspace(dataset: LegacyDataset, legacy_pg_url: str) -> Iterator[Workspace]:
    """A directory and the legacy database holding `dataset` (SQLite file or the scratch
    PostgreSQL database, emptied first)."""
    with tempfile.TemporaryDirectory(prefix="cutover-property-") as tmp:
        directory = Path(tmp)
        if dataset.dialect is Dialect.SQLITE:
            url = sqlite_url(directory / "legacy.db")
        else:
            reset_postgres_schema(legacy_pg_url)
            url = legacy_pg_url
        write_dataset(url, dataset)
        yield Workspace(directory, url)


def backup_and_export(work: Workspace, scratch_server: str, *, backup: bool = True) -> Path | None:
    """Backup (validated by a scratch restore) and export (re-read and checked); returns the
    backup manifest (None when `backup` is false: properties about the import alone)."""
    manifest_path = None
    if backup:
        made = create_backup(work.legacy_url, work.backups)
        assert not [p for p in made.problems if p.severity == "error"], made.problems
        scratch = scratch_server if work.legacy_url.startswith("postgresql") else None
        validation = validate_backup(made.manifest_path, scratch_server_url=scratch)
        assert validation.ok, validation.discrepancies
        manifest_path = made.manifest_path
    exported = export_database(work.legacy_url, work.export_dir)
    assert exported.ok, exported.problems
    assert check_export(work.export_dir).ok
    return manifest_path


def django_values(table_name: str) -> dict[int, dict[str, Any]]:
    """Django's rows of a legacy table by key, the mapped fields only (ORM values)."""
    from cutover.legacy_schema import get_table
    from cutover.mapping import model_of

    table = get_table(table_name)
    model = model_of(table)
    fields = [c.field for c in table.columns]
    attnames = [model._meta.get_field(f).attname for f in fields]
    rows = {}
    for values in model.objects.order_by("pk").values_list(*attnames):
        row = dict(zip(fields, values, strict=True))
        rows[row[table.column(table.primary_key).field]] = row
    return rows


def json_as_read(value: Any) -> Any:
    """A JSON value as the oracle compares it: numerically (jsonb keeps decimals), objects
    unordered, and the JSON literal null as the ORM reads it (None)."""
    from cutover.conversions import JSON_NULL
    from cutover.verify import canonical_json

    return None if value is None or value is JSON_NULL else canonical_json(value)


def assert_matches_oracle(dataset: LegacyDataset, result: ImportResult | None = None) -> None:
    """Every generated row is in Django with every mapped field as the rules say it must be
    (the generator's expectation, independent of the importer's code)."""
    from cutover.legacy_schema import Kind

    for table in dataset.tables:
        expected = dataset.expected[table.name]
        actual = django_values(table.name)
        assert set(actual) == set(expected), f"{table.name}: keys differ"
        json_fields = {c.field for c in table.columns if c.kind is Kind.JSON}
        for key, fields in expected.items():
            row = actual[key]
            for name, want in fields.items():
                have = row[name]
                if name in json_fields:
                    assert json_as_read(have) == json_as_read(want), (table.name, key, name)
                else:
                    assert have == want, (table.name, key, name, have, want)
    if result is not None:
        users = next((t for t in result.tables if t.name == "users"), None)
        if users is not None and users.passwords is not None:
            assert users.passwords["placeholder"] == dataset.placeholders
            assert users.passwords["invalid"] == dataset.invalid_passwords


def migrate(work: Workspace, dataset: LegacyDataset, **options: Any) -> ImportResult:
    return import_export(work.export_dir, legacy_zone=dataset.zone, **options)
