"""Legacy sources: URLs, introspection against the declared schema, streaming reads."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from cutover.errors import ConfigError, Severity
from cutover.legacy_schema import DEPENDENCY_ORDER, Dialect
from cutover.legacy_seed import SeedResult
from cutover.sources import (
    TableStatus,
    inspect_source,
    libpq_arguments,
    open_source,
    parse_source_url,
    redact_url,
)


def sqlite_path(url: str) -> Path:
    location = parse_source_url(url)
    assert location.sqlite_path is not None
    return location.sqlite_path


@pytest.mark.parametrize(
    ("url", "dialect", "path"),
    [
        ("postgresql://u:p@db:5432/rotc", Dialect.POSTGRESQL, None),
        ("postgres://db/rotc?sslmode=require", Dialect.POSTGRESQL, None),
        ("sqlite:///rotc.db", Dialect.SQLITE, Path("rotc.db")),
        ("sqlite:////var/data/rotc.db", Dialect.SQLITE, Path("/var/data/rotc.db")),
    ],
)
def test_parse_source_url(url: str, dialect: Dialect, path: Path | None) -> None:
    location = parse_source_url(url)
    assert location.dialect is dialect
    assert location.sqlite_path == path


@pytest.mark.parametrize(
    "url", ["", "   ", "mysql://db/rotc", "sqlite://rotc.db", "sqlite:///", "postgresql://db/"]
)
def test_parse_source_url_rejects(url: str) -> None:
    with pytest.raises(ConfigError):
        parse_source_url(url)


def test_passwords_never_show() -> None:
    url = "postgresql://rgms:s3cr%40t@db.example:5432/rotc"
    assert redact_url(url) == "postgresql://rgms:***@db.example:5432/rotc"
    assert "s3cr" not in str(parse_source_url(url).display)
    bare, env = libpq_arguments(url)
    assert bare == "postgresql://rgms@db.example:5432/rotc"
    assert env == {"PGPASSWORD": "s3cr@t"}
    with pytest.raises(ConfigError) as caught:
        parse_source_url("mysql://rgms:s3cret@db/rotc")
    assert "s3cret" not in str(caught.value)


def test_missing_sqlite_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        open_source(f"sqlite:///{tmp_path}/nope.db")


def test_unreachable_postgres_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cannot connect") as caught:
        open_source("postgresql://rgms:hunter2@127.0.0.1:1/rotc")
    assert "hunter2" not in str(caught.value)


def test_sqlite_inspection_follows_the_documented_shape(sqlite_legacy: str) -> None:
    with open_source(sqlite_legacy) as source:
        inspection = inspect_source(source)
    assert [p.name for p in inspection.tables][: len(DEPENDENCY_ORDER)] == list(DEPENDENCY_ORDER)
    assert inspection.plan("activity_images").status is TableStatus.ABSENT_DOCUMENTED
    assert "religion" in inspection.plan("cadets").column_names
    assert inspection.plan("user_settings").absent_columns == ("custom_bg",)
    assert inspection.plan("user_settings").order_by == ("user_id",)
    assert inspection.plan("grades").absent_columns == ("lifetime_merit_points",)
    assert not [p for p in inspection.problems if p.severity is not Severity.NOTICE]


def test_postgres_inspection_follows_the_documented_shape(
    pg_legacy: tuple[str, SeedResult],
) -> None:
    url, _ = pg_legacy
    with open_source(url) as source:
        inspection = inspect_source(source)
    cadets = inspection.plan("cadets")
    assert "religion" in cadets.absent_columns
    excuses = inspection.plan("excuse_letters")
    assert excuses.reduced_form
    assert "training_day_id" in excuses.absent_columns
    assert inspection.plan("activity_images").status is TableStatus.PRESENT
    codes = {p.code for p in inspection.problems}
    assert {"absent_column", "reduced_form"} <= codes
    # status VARCHAR(20) is the reduced form's documented type, not drift
    assert "type_differs" not in codes
    assert not [p for p in inspection.problems if p.severity is not Severity.NOTICE]


def test_type_drift_is_noted(make_pg_database: Callable[[str], str]) -> None:
    url = make_pg_database("drift")
    with psycopg.connect(url) as conn:
        conn.execute(
            "CREATE TABLE training_staff (id SERIAL PRIMARY KEY, first_name TEXT NOT NULL,"
            " last_name TEXT NOT NULL, is_profile_completed INTEGER DEFAULT 0)"
        )
    with open_source(url) as source:
        inspection = inspect_source(source)
    drift = [p for p in inspection.problems if p.code == "type_differs"]
    assert [(p.table, p.column, p.severity) for p in drift] == [
        ("training_staff", "is_profile_completed", Severity.NOTICE)
    ]
    missing = {p.column for p in inspection.problems if p.code == "missing_column"}
    assert {"email", "role", "created_at"} <= missing


def test_drift_is_reported_never_ignored(sqlite_legacy: str) -> None:
    conn = sqlite3.connect(sqlite_path(sqlite_legacy))
    conn.executescript(
        """
        ALTER TABLE cadets ADD COLUMN nickname TEXT;
        ALTER TABLE users DROP COLUMN gender;
        DROP TABLE grades;
        CREATE TABLE staff_audit (id INTEGER PRIMARY KEY, staff_id INTEGER, action TEXT);
        CREATE TABLE scratch_notes (note TEXT);
        """
    )
    conn.close()
    with open_source(sqlite_legacy) as source:
        inspection = inspect_source(source)
    by_code = {(p.code, p.table, p.column): p for p in inspection.problems}
    assert by_code[("unknown_column", "cadets", "nickname")].severity is Severity.WARNING
    assert "nickname" in inspection.plan("cadets").column_names  # exported, not dropped
    assert by_code[("missing_column", "users", "gender")].severity is Severity.WARNING
    assert by_code[("missing_table", "grades", None)].severity is Severity.ERROR
    assert inspection.plan("grades").status is TableStatus.MISSING
    assert by_code[("not_migrated_table", "staff_audit", None)].severity is Severity.NOTICE
    assert inspection.plan("staff_audit").status is TableStatus.NOT_MIGRATED
    assert by_code[("unknown_table", "scratch_notes", None)].severity is Severity.WARNING
    assert inspection.plan("scratch_notes").order_by == ()


def test_rows_stream_in_key_order_in_batches(sqlite_legacy: str) -> None:
    with open_source(sqlite_legacy) as source:
        batches = list(source.batches("cadets", ("id", "last_name"), ("id",), batch_size=7))
        assert max(len(b) for b in batches) == 7
        ids = [row[0] for batch in batches for row in batch]
        assert ids == sorted(ids)
        assert len(ids) == source.count("cadets")
        keys = [r[0] for r in source.rows("user_settings", ("user_id",), ("user_id",), 3)]
        assert keys == sorted(keys)


def test_postgres_rows_stream_from_a_server_side_cursor(
    pg_legacy: tuple[str, SeedResult],
) -> None:
    url, seeded = pg_legacy
    with open_source(url) as source:
        rows = list(source.rows("attendance_records", ("id", "status"), ("id",), batch_size=50))
    assert len(rows) == seeded.counts["attendance_records"]
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)


def test_sqlite_invalid_utf8_is_read_not_fatal(sqlite_legacy: str) -> None:
    conn = sqlite3.connect(sqlite_path(sqlite_legacy))
    conn.execute("UPDATE cadets SET address = CAST(X'4d6172ff' AS TEXT) WHERE id = 1")
    conn.commit()
    conn.close()
    with open_source(sqlite_legacy) as source:
        (value,) = next(source.rows("cadets", ("address",), ("id",)))
    assert value == "Mar\udcff"


def test_postgres_values_python_cannot_hold_arrive_as_text(
    make_pg_database: Callable[[str], str],
) -> None:
    url = make_pg_database("odd")
    with psycopg.connect(url) as conn:
        conn.execute(
            "CREATE TABLE odd (id SERIAL PRIMARY KEY, t TIMESTAMP, d DATE, j JSONB);"
            "INSERT INTO odd (t, d, j) VALUES ('infinity', '0044-03-15 BC',"
            ' \'{"b": 1, "a": [2]}\')'
        )
    with open_source(url) as source:
        (row,) = list(source.rows("odd", ("t", "d", "j"), ("id",)))
    assert row == ("infinity", "0044-03-15 BC", '{"a": [2], "b": 1}')


def test_source_is_one_read_only_snapshot(sqlite_legacy: str) -> None:
    path = sqlite_path(sqlite_legacy)
    with open_source(sqlite_legacy) as source:
        before = source.count("notifications")
        writer = sqlite3.connect(path, timeout=0.2, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError):
            writer.execute("DELETE FROM notifications")  # the snapshot holds a read lock
        writer.close()
        assert source.count("notifications") == before


def test_scratch_database_without_the_right_is_a_config_error(
    pg_server: str, make_pg_database: Callable[[str], str]
) -> None:
    from urllib.parse import urlsplit, urlunsplit

    from cutover.sources import create_database

    url = make_pg_database("roles")
    role = "cutover_scratch_nocreatedb"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {role}")
        conn.execute(f"CREATE ROLE {role} LOGIN")
    try:
        parts = urlsplit(pg_server)
        host = parts.netloc.rsplit("@", 1)[-1]
        limited = urlunsplit(parts._replace(netloc=f"{role}@{host}"))
        with pytest.raises(ConfigError, match=r"--scratch-url|cannot connect"):
            create_database(limited, "cutover_scratch_denied")
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP ROLE {role}")


def test_prefetched_yields_everything_in_order_and_passes_errors_on() -> None:
    from cutover.sources import prefetched

    assert list(prefetched(iter(range(1000)))) == list(range(1000))

    def failing() -> Iterator[int]:
        yield 1
        raise RuntimeError("read failed")

    consumer = prefetched(failing())
    assert next(consumer) == 1
    with pytest.raises(RuntimeError, match="read failed"):
        next(consumer)


def test_prefetched_stops_and_closes_its_source_when_the_consumer_stops() -> None:
    from cutover.sources import prefetched

    closed: list[bool] = []

    def endless() -> Iterator[int]:
        try:
            n = 0
            while True:
                n += 1
                yield n
        finally:
            closed.append(True)

    consumer = prefetched(endless())
    assert [next(consumer) for _ in range(3)] == [1, 2, 3]
    consumer.close()
    assert closed == [True]


def test_prefetched_sqlite_batches_read_from_another_thread(sqlite_legacy: str) -> None:
    with open_source(sqlite_legacy) as source:
        batches = list(source.prefetched_batches("cadets", ["id"], ["id"], batch_size=7))
        plain = list(source.batches("cadets", ["id"], ["id"], batch_size=7))
    assert batches == plain
    assert sum(len(b) for b in batches) == 60
