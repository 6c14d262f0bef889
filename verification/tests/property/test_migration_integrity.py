"""Migration and foreign-key integrity over generated legacy databases (both dialects,
hostile values included).

For each generated legacy database: backup (validated by a scratch restore), export (re-read
and checked), import, verify. Then: the counts are equal, the Django database has no orphaned
foreign key, every row and column equals the generator's expectation (written from the
documented rules, not by the importer), verify passes, a second import changes nothing, and
every generated user with a known password logs in through the real login endpoint (with the
production password hashers) with that password.

Also: an import killed at a random row and re-run gives identical data; verify catches any
single difference made to the Django database afterwards; a value no rule converts stops the
import naming it, or is quarantined and accounted for by verify.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cutover import importer
from cutover.conversions import ConversionError
from cutover.importer import AtomicMode
from cutover.legacy_schema import Dialect, Kind
from cutover.verify import verify_migration
from verification.strategies.legacy import FIXED_CHOICES, LegacyDataset, legacy_datasets
from verification.tests.property.conftest import (
    SLOW_CHECKS,
    assert_matches_oracle,
    backup_and_export,
    budget,
    count_case,
    django_values,
    legacy_workspace,
    migrate,
    reset_django,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(3600)]

LOGIN_URL = "/api/v1/auth/login"
MISSING_PARENT = 2**40 + 7  # beyond every legacy key (those are 32-bit)


@pytest.fixture
def login_client(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Django's test client on the real login endpoint, with the production hashers (the
    preferred one at bcrypt cost 4: the work factor is the only difference)."""
    from django.contrib.auth.hashers import BCryptSHA256PasswordHasher
    from django.test import Client

    from config.settings import base

    settings.PASSWORD_HASHERS = list(base.PASSWORD_HASHERS)
    monkeypatch.setattr(BCryptSHA256PasswordHasher, "rounds", 4)
    return Client()


def assert_logins(dataset: LegacyDataset, client: Any) -> None:
    """Every generated user with a known password gets past the password check: approved
    and active users get tokens; the others get their account state, which the endpoint only
    reveals to whoever knows the password."""
    for index, credential in enumerate(dataset.credentials):
        response = client.post(
            LOGIN_URL,
            json.dumps({"username": credential.username, "password": credential.password}),
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{index % 250 + 1}",
            REMOTE_ADDR="10.0.0.1",
        )
        body = response.json()
        if credential.archived:
            assert response.status_code == 403, body
            assert body["code"] == "account_archived", body
        elif not credential.approved:
            assert response.status_code == 403, body
            assert body["code"] == "account_pending_approval", body
        else:
            assert response.status_code == 200, (credential, body)
            assert body["access"]


def run_faithful(dataset: LegacyDataset, legacy_pg_url: str, scratch: str, client: Any) -> None:
    reset_django()
    count_case(f"migration ({dataset.dialect})", dataset)
    with legacy_workspace(dataset, legacy_pg_url) as work:
        backup_and_export(work, scratch)
        first = migrate(work, dataset)
        assert first.ok
        assert first.quarantined == 0
        assert first.inserted == first.total_rows == dataset.total_rows
        # verify: counts, orphans, every row and column after conversion
        verified = verify_migration(work.legacy_url, legacy_zone=dataset.zone)
        assert verified.ok, (verified.summary, [m.message for m in verified.mismatches])
        assert verified.orphan_count == 0
        assert {t.name: t.legacy_rows for t in verified.tables if t.legacy_rows} == {
            name: len(rows) for name, rows in dataset.rows.items() if rows
        }
        assert all(t.counts_match for t in verified.tables)
        # the oracle: Django holds what the documented rules say, field by field
        assert_matches_oracle(dataset, first)
        # a second import changes nothing
        second = migrate(work, dataset)
        assert second.changed == 0
        assert second.unchanged == dataset.total_rows
        assert_matches_oracle(dataset)
        # every known legacy password logs in (this upgrades hashes: last)
        assert_logins(dataset, client)


@settings(max_examples=budget(0.2), deadline=None, suppress_health_check=SLOW_CHECKS)
@given(dataset=legacy_datasets(Dialect.SQLITE))
def test_sqlite_migration_is_faithful_idempotent_and_logs_in(
    dataset: LegacyDataset, legacy_pg_url: str, scratch_server: str, login_client: Any
) -> None:
    run_faithful(dataset, legacy_pg_url, scratch_server, login_client)


@settings(max_examples=budget(0.08), deadline=None, suppress_health_check=SLOW_CHECKS)
@given(dataset=legacy_datasets(Dialect.POSTGRESQL))
def test_postgres_migration_is_faithful_idempotent_and_logs_in(
    dataset: LegacyDataset, legacy_pg_url: str, scratch_server: str, login_client: Any
) -> None:
    run_faithful(dataset, legacy_pg_url, scratch_server, login_client)


class Killed(BaseException):
    """Raised inside the bulk write, like a process dying there (not an Exception: nothing
    may catch it on the way out)."""


@settings(max_examples=budget(0.12), deadline=None, suppress_health_check=SLOW_CHECKS)
@given(
    dataset=legacy_datasets(Dialect.SQLITE, max_rows=4),
    fraction=st.floats(0, 1),
    atomic=st.sampled_from(list(AtomicMode)),
    batch_size=st.integers(1, 4),
)
def test_an_import_killed_at_a_random_row_and_rerun_gives_identical_data(
    dataset: LegacyDataset,
    fraction: float,
    atomic: AtomicMode,
    batch_size: int,
    legacy_pg_url: str,
    scratch_server: str,
) -> None:
    reset_django()
    count_case("killed and re-run import", dataset)
    kill_at = int(fraction * dataset.total_rows)
    original = importer._Stage.load
    staged = {"rows": 0}

    def dying_load(self: Any, rows: Any) -> None:
        staged["rows"] += len(rows)
        if staged["rows"] > kill_at:
            raise Killed(f"killed at row {kill_at}")
        original(self, rows)

    with legacy_workspace(dataset, legacy_pg_url) as work:
        backup_and_export(work, scratch_server, backup=False)
        importer._Stage.load = dying_load  # type: ignore[method-assign]
        try:
            migrate(work, dataset, atomic=atomic, batch_size=batch_size)
            killed = False
        except Killed:
            killed = True
        finally:
            importer._Stage.load = original  # type: ignore[method-assign]
        if killed and atomic is AtomicMode.RUN:
            assert all(not django_values(t.name) for t in dataset.tables)
        rerun = migrate(work, dataset, atomic=atomic, batch_size=batch_size)
        assert rerun.inserted + rerun.unchanged == dataset.total_rows
        assert rerun.updated == 0
        assert_matches_oracle(dataset, None)
        verified = verify_migration(work.legacy_url, legacy_zone=dataset.zone)
        assert verified.ok, verified.summary


# ----------------------------------------------------------------------------- verify catches


def _changed(value: Any, kind: Kind) -> Any:
    """A different value of the same type."""
    from datetime import date, datetime, timedelta

    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value - 1 if value > 0 else value + 1
    if isinstance(value, float):
        return value / 2 + 1.0 if value != 2.0 else 3.0
    if isinstance(value, datetime):
        return value + timedelta(microseconds=1 if value.year < 9998 else -1)
    if isinstance(value, date):
        return value + timedelta(days=1 if value.year < 9999 else -1)
    if isinstance(value, str):
        return value + "\u200b" if kind is not Kind.PASSWORD else value + "x"
    if value is None:
        return {"was": None} if kind is Kind.JSON else ("x" if kind is Kind.TEXT else None)
    return {"was": value}  # JSON


@settings(max_examples=budget(0.15), deadline=None, suppress_health_check=SLOW_CHECKS)
@given(dataset=legacy_datasets(Dialect.SQLITE), data=st.data())
def test_verify_catches_any_single_difference(
    dataset: LegacyDataset, data: st.DataObject, legacy_pg_url: str, scratch_server: str
) -> None:
    from django.db import connection

    from cutover.legacy_schema import get_table
    from cutover.mapping import model_of

    reset_django()
    populated = [t.name for t in dataset.tables if dataset.rows[t.name]]
    if not populated:
        return
    count_case("verify catches a difference", dataset)
    with legacy_workspace(dataset, legacy_pg_url) as work:
        backup_and_export(work, scratch_server, backup=False)
        migrate(work, dataset)
        table = get_table(data.draw(st.sampled_from(populated), label="table"))
        model = model_of(table)
        key = data.draw(st.sampled_from(sorted(dataset.expected[table.name])), label="key")
        change = data.draw(st.sampled_from(["value", "missing", "extra", "orphan"]))
        present = {c.name for c in dataset.columns[table.name]}
        columns = [
            c
            for c in table.columns
            if c.name in present
            and c.name != table.primary_key
            and c.references is None
            and (table.name, c.name) not in FIXED_CHOICES  # CHECK constraints
        ]
        references = [c for c in table.columns if c.name in present and c.references is not None]
        if change == "value" and columns:
            column = data.draw(st.sampled_from(columns), label="column")
            current = model.objects.filter(pk=key).values_list(column.field, flat=True)[0]
            new = _changed(current, column.kind)
            if new is None:  # a NULL flag or number: there is no "different NULL"
                return
            model.objects.filter(pk=key).update(**{column.field: new})
            expect = ("mismatch", column.name)
        elif change == "orphan" and [c for c in references if c.name != table.primary_key]:
            column = data.draw(
                st.sampled_from([c for c in references if c.name != table.primary_key])
            )
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
                cursor.execute(
                    f'UPDATE "{model._meta.db_table}" SET "{column.name}" = %s '  # noqa: S608
                    f'WHERE "{model._meta.pk.column}" = %s',
                    [MISSING_PARENT, key],
                )
                cursor.execute("SET session_replication_role = DEFAULT")
            expect = ("orphan", column.name)
        elif change == "extra":
            # a copy of the row under a key beyond every legacy key (unique text made unique)
            meta = model._meta
            if (
                table.name == "user_settings"
                or table.unique_together
                or any(
                    f.unique and not f.primary_key and f.get_internal_type() != "TextField"
                    for f in meta.concrete_fields
                )
            ):
                return  # one row per cadet/day/user: no second row to add
            selected = []
            for f in meta.concrete_fields:
                if f.primary_key:
                    selected.append("%s")
                elif f.unique:
                    selected.append(f"\"{f.column}\" || '-extra'")
                else:
                    selected.append(f'"{f.column}"')
            columns_sql = ", ".join(f'"{f.column}"' for f in meta.concrete_fields)
            new_key = 2**40 + key
            with connection.cursor() as cursor:
                cursor.execute(
                    f'INSERT INTO "{meta.db_table}" ({columns_sql}) '  # noqa: S608
                    f'SELECT {", ".join(selected)} FROM "{meta.db_table}" '
                    f'WHERE "{meta.pk.column}" = %s',
                    [new_key, key],
                )
            key = new_key
            expect = ("extra", None)
        else:
            from django.db import connection as conn

            with conn.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
                model.objects.filter(pk=key)._raw_delete(model.objects.db)
                cursor.execute("SET session_replication_role = DEFAULT")
            expect = ("missing", None)
        result = verify_migration(work.legacy_url, legacy_zone=dataset.zone)
        assert not result.ok
        kind, column_name = expect
        if kind == "orphan":
            assert any(
                o.count and o.column == column_name and (key, MISSING_PARENT) in o.sample
                for o in result.orphans
            ), result.orphans
        else:
            assert any(
                m.table == table.name
                and m.key == key
                and m.kind == kind
                and (column_name is None or m.column == column_name)
                for m in result.mismatches
            ), [m.message for m in result.mismatches]


# ----------------------------------------------------------------------------- unconvertible


POISON = {
    Kind.INTEGER: ["ninety", "1.5", "99999999999"],
    Kind.FLOAT: ["about seven", "NaN"],
    Kind.BOOLEAN: ["maybe", 2, "yes"],
    Kind.TIMESTAMP: ["yesterday", "2024-02-30 10:00:00", "2024-01-05"],
    Kind.DATE: ["31/12/2003", "next Saturday", "2024-01-05 07:30:00"],
    Kind.JSON: ["{bad json", '{"a": 1, "a": 2}', "NaN", ""],
    Kind.TEXT: ["nul\x00inside"],
    Kind.TIME_TEXT: ["nul\x00inside"],
}


@settings(max_examples=budget(0.12), deadline=None, suppress_health_check=SLOW_CHECKS)
@given(dataset=legacy_datasets(Dialect.SQLITE), data=st.data())
def test_a_value_no_rule_converts_stops_or_is_quarantined(
    dataset: LegacyDataset, data: st.DataObject, legacy_pg_url: str, scratch_server: str
) -> None:
    import sqlite3

    from cutover.importer import read_quarantine
    from cutover.sources import parse_source_url

    reset_django()
    candidates = [
        (t, c)
        for t in dataset.tables
        if dataset.rows[t.name]
        for c in dataset.columns[t.name]
        if c.kind in POISON and c.name != t.primary_key and c.references is None
        and (t.name, c.name) not in {("users", "role"), ("attendance_records", "status"),
                                     ("staff_attendance_records", "status"),
                                     ("merit_demerit_logs", "type")}
    ]  # fmt: skip
    if not candidates:
        return
    count_case("unconvertible value", dataset)
    table, column = data.draw(st.sampled_from(candidates), label="poisoned column")
    row = data.draw(st.sampled_from(dataset.rows[table.name]), label="poisoned row")
    key = row[table.primary_key]
    poison = data.draw(st.sampled_from(POISON[column.kind]), label="poison")
    with legacy_workspace(dataset, legacy_pg_url) as work:
        path = parse_source_url(work.legacy_url).sqlite_path
        assert path is not None
        conn = sqlite3.connect(path)
        conn.execute(
            f'UPDATE "{table.name}" SET "{column.name}" = ? WHERE "{table.primary_key}" = ?',  # noqa: S608
            (poison, key),
        )
        conn.commit()
        conn.close()
        backup_and_export(work, scratch_server, backup=False)
        # without a quarantine: stopped, naming table, key, column and value; nothing written
        with pytest.raises(ConversionError) as stopped:
            migrate(work, dataset)
        error = stopped.value
        assert (error.table, error.pk, error.column) == (table.name, key, column.name)
        assert error.value == poison or str(error.value) == str(poison)
        assert all(not django_values(t.name) for t in dataset.tables)
        # with one: set aside (with what names it) and the rest imported; verify accounts for it
        report = work.directory / "quarantine.json"
        result = migrate(work, dataset, quarantine=report)
        held = read_quarantine(report)
        assert key in held[table.name]
        assert result.quarantined == sum(len(v) for v in held.values())
        verified = verify_migration(work.legacy_url, legacy_zone=dataset.zone, quarantine=report)
        assert verified.ok, (verified.summary, [m.message for m in verified.mismatches])
        assert verified.totals()["quarantined"] == result.quarantined


# ----------------------------------------------------------------------------- SIGKILL

KILLER = """
import os, signal, sys
from cutover.django_target import bootstrap
bootstrap()
from cutover import importer
export_dir, limit, atomic = sys.argv[1], int(sys.argv[2]), sys.argv[3]
staged = [0]
original = importer._Stage.load
def load(self, rows):
    staged[0] += len(rows)
    if staged[0] > limit:
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no rollback from this side
    original(self, rows)
importer._Stage.load = load
importer.import_export(export_dir, atomic=atomic, batch_size=50)
"""


@pytest.fixture(scope="module")
def seeded_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Any, str]:
    from cutover.export import export_database
    from cutover.legacy_seed import SeedConfig, seed_legacy_database
    from cutover.sources import sqlite_url

    directory = tmp_path_factory.mktemp("sigkill")
    url = sqlite_url(directory / "legacy.db")
    seeded = seed_legacy_database(url, SeedConfig(scale=0.01, seed=11))
    assert export_database(url, directory / "export").ok
    return url, seeded, str(directory / "export")


@settings(max_examples=budget(0.03, floor=2), deadline=None, suppress_health_check=SLOW_CHECKS)
@given(fraction=st.floats(0.05, 0.95), atomic=st.sampled_from(list(AtomicMode)))
def test_an_import_process_killed_by_sigkill_and_rerun_gives_identical_data(
    fraction: float, atomic: AtomicMode, seeded_export: tuple[str, Any, str]
) -> None:
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from cutover.django_target import reader_url
    from cutover.importer import import_export
    from verification.tests.property.conftest import CASES

    reset_django()
    url, seeded, export_dir = seeded_export
    CASES["import killed by SIGKILL and re-run"] += 1
    CASES["import killed by SIGKILL and re-run rows"] += seeded.total_rows
    kill_at = int(fraction * seeded.total_rows)
    backend = Path(__file__).resolve().parents[3] / "backend"
    done = subprocess.run(
        [sys.executable, "-c", KILLER, export_dir, str(kill_at), str(atomic)],
        cwd=backend,
        env={
            **os.environ,
            "DATABASE_URL": reader_url("default"),
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "PYTHONPATH": str(backend),
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr[-3000:]
    rerun = import_export(export_dir, atomic=atomic)
    assert rerun.inserted + rerun.unchanged == seeded.total_rows
    assert rerun.updated == 0
    if atomic is AtomicMode.RUN:
        assert rerun.inserted == seeded.total_rows  # the killed run left nothing behind
    verified = verify_migration(url)
    assert verified.ok, verified.summary
