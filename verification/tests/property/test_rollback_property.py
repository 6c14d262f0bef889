"""Rollback completeness and time over generated legacy databases (both dialects).

For each generated legacy database: a validated backup, a migration (export, import), then
changes to the legacy database after the backup (rows updated, deleted and inserted, a column
added, a table created). Rollback must then restore exactly the backed-up content: every
table's row count and content hash equal to the manifest's, recomputed independently here,
within R18's bound, with every step reported and timed.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover.backup import digest_tables, specs_from_manifest
from cutover.legacy_schema import Dialect, Kind
from cutover.manifest import read_manifest
from cutover.rollback import ROLLBACK_BOUND_S, rollback
from cutover.sources import open_source, parse_source_url
from verification.strategies.legacy import FIXED_CHOICES, LegacyDataset, legacy_datasets
from verification.tests.property.conftest import (
    SLOW_CHECKS,
    Workspace,
    backup_and_export,
    budget,
    count_case,
    legacy_workspace,
    migrate,
    reset_django,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(3600)]

CHANGES = st.lists(
    st.sampled_from(["update", "delete", "insert", "add_column", "create_table"]),
    min_size=1,
    max_size=4,
)


def _execute(work: Workspace, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
    if work.legacy_url.startswith("sqlite"):
        path = parse_source_url(work.legacy_url).sqlite_path
        assert path is not None
        conn = sqlite3.connect(path)
        for statement, params in statements:
            conn.execute(statement, params)
        conn.commit()
        conn.close()
        return
    with psycopg.connect(work.legacy_url, autocommit=True) as pg:
        for statement, params in statements:
            pg.execute(statement.replace("?", "%s"), params)  # type: ignore[arg-type]


def change_legacy(work: Workspace, dataset: LegacyDataset, changes: list[str], n: int) -> None:
    """Changes the legacy application (or anyone) could make after the backup."""
    populated = [t for t in dataset.tables if dataset.rows[t.name]]
    statements: list[tuple[str, tuple[Any, ...]]] = []
    used: set[int] = set()
    for number, change in enumerate(changes):
        table = populated[(n + number) % len(populated)] if populated else None
        if change == "update" and table is not None:
            texts = [
                c.name
                for c in dataset.columns[table.name]
                if c.kind is Kind.TEXT
                and not c.unique
                and c.name != table.primary_key
                and (table.name, c.name) not in FIXED_CHOICES  # CHECK constraints
            ]
            key = dataset.rows[table.name][0][table.primary_key]
            if texts:
                statements.append(
                    (
                        f'UPDATE "{table.name}" SET "{texts[0]}" = ? '  # noqa: S608
                        f'WHERE "{table.primary_key}" = ?',
                        ("changed", key),
                    )
                )
        elif change == "delete" and table is not None:
            key = dataset.rows[table.name][-1][table.primary_key]
            statements.append(
                (f'DELETE FROM "{table.name}" WHERE "{table.primary_key}" = ?', (key,))  # noqa: S608
            )
        elif change == "insert":
            taken = {r["id"] for r in dataset.rows["system_settings"]}
            free = next(i for i in range(1, len(taken) + number + 3) if i not in taken | used)
            used.add(free)
            statements.append(
                (
                    "INSERT INTO system_settings (id, key, value) VALUES (?, ?, ?)",
                    (free, f"new-{number}", "x"),
                )
            )
        elif change == "add_column":
            statements.append((f"ALTER TABLE activities ADD COLUMN added_{number} TEXT", ()))
        elif change == "create_table":
            statements.append((f"CREATE TABLE created_later_{number} (id INTEGER, note TEXT)", ()))
    _execute(work, statements)


def run_rollback(
    dataset: LegacyDataset, changes: list[str], n: int, legacy_pg_url: str, scratch: str
) -> None:
    reset_django()
    count_case(f"rollback ({dataset.dialect})", dataset)
    with legacy_workspace(dataset, legacy_pg_url) as work:
        manifest_path = backup_and_export(work, scratch)
        migrate(work, dataset)
        change_legacy(work, dataset, changes, n)
        result = rollback(legacy_url=work.legacy_url, backup_dir=work.backups)
        # every step passed, within R18's bound, each timed
        assert result.ok, result.summary
        assert result.backup_manifest == str(manifest_path)
        assert result.seconds <= ROLLBACK_BOUND_S
        assert {s.name: s.status for s in result.steps} == {
            "backup": "ok",
            "stop_services": "skipped",
            "restore": "ok",
            "verify_restore": "ok",
            "point_frontend": "skipped",
            "legacy_health": "skipped",
        }
        # and, recomputed here: exactly the backed-up content, hash for hash
        manifest = read_manifest(manifest_path)
        with open_source(work.legacy_url) as source:
            present = set(source.tables())
            digests = digest_tables(source, specs_from_manifest(manifest))
        assert present == {t.name for t in manifest.tables if t.rows is not None}
        for entry in manifest.tables:
            if entry.rows is None:
                continue
            assert digests[entry.name].rows == entry.rows, entry.name
            assert digests[entry.name].content_hash == entry.content_hash, entry.name


@settings(max_examples=budget(0.1), deadline=None, suppress_health_check=SLOW_CHECKS)
@given(
    dataset=legacy_datasets(Dialect.SQLITE),
    changes=CHANGES,
    n=st.integers(0, 20),
)
def test_sqlite_rollback_restores_exactly_the_backup(
    dataset: LegacyDataset, changes: list[str], n: int, legacy_pg_url: str, scratch_server: str
) -> None:
    run_rollback(dataset, changes, n, legacy_pg_url, scratch_server)


@settings(max_examples=budget(0.05), deadline=None, suppress_health_check=SLOW_CHECKS)
@given(
    dataset=legacy_datasets(Dialect.POSTGRESQL),
    changes=CHANGES,
    n=st.integers(0, 20),
)
def test_postgres_rollback_restores_exactly_the_backup(
    dataset: LegacyDataset, changes: list[str], n: int, legacy_pg_url: str, scratch_server: str
) -> None:
    run_rollback(dataset, changes, n, legacy_pg_url, scratch_server)
