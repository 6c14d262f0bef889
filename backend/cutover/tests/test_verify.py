"""Verify is right in both directions: it passes equal data (both legacy dialects, quarantined
rows accounted for) and catches every real difference (a changed value of each kind, a
missing row, an extra row, an orphaned foreign key, a legacy value no rule converts), naming
table, key, column and both values. A read that fails is an error, never an empty table."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from cutover.conversions import JSON_NULL
from cutover.errors import ConfigError
from cutover.export import export_database
from cutover.importer import import_export
from cutover.legacy_seed import SeedResult
from cutover.sources import parse_source_url
from cutover.verify import (
    canonical_json,
    fast_json,
    fast_json_from_database,
    json_from_database,
    verify_migration,
)

pytestmark = pytest.mark.django_db(transaction=True)


def alter(url: str, *statements: str) -> None:
    path = parse_source_url(url).sqlite_path
    assert path is not None
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def django_sql(*statements: str, replica: bool = False) -> None:
    with connection.cursor() as cursor:
        if replica:
            cursor.execute("SET session_replication_role = replica")
        for statement in statements:
            cursor.execute(statement)
        if replica:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def migrated(tmp_path: Path) -> Callable[..., str]:
    """Export and import a legacy database; returns its URL."""

    def migrate(url: str, **options: Any) -> str:
        out = tmp_path / f"export-{len(list(tmp_path.iterdir()))}"
        assert export_database(url, out).ok
        import_export(out, **options)
        return url

    return migrate


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_equal_data_passes(
    dialect: str,
    sqlite_legacy: str,
    pg_legacy: tuple[str, SeedResult],
    migrated: Callable[..., str],
) -> None:
    url = migrated(sqlite_legacy if dialect == "sqlite" else pg_legacy[0])
    result = verify_migration(url, batch_size=97)
    assert result.ok, (result.summary, [m.message for m in result.mismatches])
    assert result.mismatches == []
    assert all(t.counts_match and t.legacy_rows == t.matched for t in result.tables)
    assert result.total_rows == sum(t.legacy_rows for t in result.tables) > 2000
    assert result.orphan_count == 0
    assert "verified" in result.summary


def test_equal_data_passes_in_another_legacy_zone(
    sqlite_legacy: str, migrated: Callable[..., str]
) -> None:
    migrated(sqlite_legacy, legacy_zone="Asia/Manila")
    assert verify_migration(sqlite_legacy, legacy_zone="Asia/Manila").ok
    # the same data read in another zone is 8 hours off in every naive time stamp
    wrong = verify_migration(sqlite_legacy, legacy_zone="UTC")
    assert not wrong.ok
    assert {m.column for m in wrong.mismatches} >= {"created_at"}


@pytest.mark.parametrize(
    ("statement", "table", "key", "column", "django_value"),
    [
        ("UPDATE cadets_cadet SET first_name = 'X' WHERE id = 3", "cadets", 3, "first_name", "X"),
        ("UPDATE cadets_cadet SET first_name = '' WHERE id = 4", "cadets", 4, "first_name", ""),
        ("UPDATE cadets_cadet SET middle_name = NULL WHERE id = (SELECT min(id) FROM "
         "cadets_cadet WHERE middle_name IS NOT NULL)", "cadets", None, "middle_name", None),
        ("UPDATE cadets_cadet SET is_archived = NOT is_archived WHERE id = 5", "cadets", 5,
         "is_archived", None),
        ("UPDATE cadets_cadet SET created_at = created_at + interval '1 microsecond' "
         "WHERE id = 6", "cadets", 6, "created_at", None),
        ("UPDATE grading_grade SET final_score = final_score + 1 WHERE id = 2", "grades", 2,
         "final_score", None),
        ("UPDATE users_user SET password = 'bcrypt$' || password WHERE id = 1", "users", 1,
         "password", None),
        ("UPDATE audit_auditlog SET payload = '{\"a\": 1}' WHERE id = 2", "audit_logs", 2,
         "payload", '{"a": 1}'),
        (
            "UPDATE attendance_attendancerecord SET time_in = time_in || ' ' WHERE id = "
            "(SELECT min(id) FROM attendance_attendancerecord WHERE time_in IS NOT NULL)",
            "attendance_records",
            None,
            "time_in",
            None,
        ),
    ],
)  # fmt: skip
def test_a_changed_value_is_named(
    sqlite_legacy: str,
    migrated: Callable[..., str],
    statement: str,
    table: str,
    key: int | None,
    column: str,
    django_value: object,
) -> None:
    migrated(sqlite_legacy)
    django_sql(statement)
    result = verify_migration(sqlite_legacy)
    assert not result.ok
    assert len(result.mismatches) == 1, [m.message for m in result.mismatches]
    found = result.mismatches[0]
    assert (found.table, found.kind, found.column) == (table, "mismatch", column)
    if key is not None:
        assert found.key == key
    if django_value is not None:
        assert found.django == django_value
    assert found.legacy != found.django
    assert column in found.message
    stats = next(t for t in result.tables if t.name == table)
    assert (stats.mismatched_rows, stats.mismatched_cells) == (1, 1)


def test_a_missing_row_is_named(sqlite_legacy: str, migrated: Callable[..., str]) -> None:
    migrated(sqlite_legacy)
    django_sql("DELETE FROM grading_meritdemeritlog WHERE id = 3")
    result = verify_migration(sqlite_legacy)
    assert not result.ok
    assert [(m.table, m.key, m.kind) for m in result.mismatches] == [
        ("merit_demerit_logs", 3, "missing")
    ]
    stats = next(t for t in result.tables if t.name == "merit_demerit_logs")
    assert not stats.counts_match
    assert stats.legacy_rows == stats.django_rows + 1


def test_an_extra_row_is_named(sqlite_legacy: str, migrated: Callable[..., str]) -> None:
    migrated(sqlite_legacy)
    django_sql(
        "INSERT INTO preferences_systemsetting (id, key, value) VALUES (1000, 'new', 'x')",
        "INSERT INTO preferences_systemsetting (id, key, value) VALUES (0, 'zero', 'x')",
    )
    result = verify_migration(sqlite_legacy)
    assert not result.ok
    assert sorted((m.table, m.key, m.kind) for m in result.mismatches) == [
        ("system_settings", 0, "extra"),
        ("system_settings", 1000, "extra"),
    ]


def test_an_orphaned_foreign_key_is_named(sqlite_legacy: str, migrated: Callable[..., str]) -> None:
    migrated(sqlite_legacy)
    django_sql("UPDATE users_user SET cadet_id = 99999 WHERE id = 10", replica=True)
    result = verify_migration(sqlite_legacy)
    assert not result.ok
    orphans = [o for o in result.orphans if o.count]
    assert [(o.table, o.column, o.parent, o.count, o.sample) for o in orphans] == [
        ("users_user", "cadet_id", "cadets_cadet", 1, ((10, 99999),))
    ]
    # the changed key is also a mismatch of users.cadet_id
    assert any(m.column == "cadet_id" and m.key == 10 for m in result.mismatches)
    assert "orphans" in result.summary


def test_quarantined_rows_are_accounted_for(
    sqlite_legacy: str, migrated: Callable[..., str], tmp_path: Path
) -> None:
    alter(sqlite_legacy, "UPDATE cadets SET birthdate = 'someday' WHERE id = 9")
    report = tmp_path / "quarantine.json"
    migrated(sqlite_legacy, quarantine=report)
    # without the report the set-aside rows are missing and the bad value unconvertible
    assert not verify_migration(sqlite_legacy).ok
    result = verify_migration(sqlite_legacy, quarantine=report)
    assert result.ok, (result.summary, [m.message for m in result.mismatches])
    cadets = next(t for t in result.tables if t.name == "cadets")
    assert cadets.quarantined == 1
    assert cadets.legacy_rows == cadets.django_rows + 1
    assert result.totals()["quarantined"] > 1
    assert "quarantined" in result.summary


def test_a_quarantined_row_present_in_django_is_a_discrepancy(
    sqlite_legacy: str, migrated: Callable[..., str], tmp_path: Path
) -> None:
    alter(sqlite_legacy, "UPDATE system_settings SET value = 'x' WHERE id = 1")
    migrated(sqlite_legacy)
    report = tmp_path / "q.json"
    report.write_text(
        '{"format": "rgms-cutover-quarantine", "version": 1, "total": 1, '
        '"tables": {"system_settings": [{"pk": 1}]}}'
    )
    result = verify_migration(sqlite_legacy, quarantine=report)
    assert [(m.table, m.key, m.kind) for m in result.mismatches] == [
        ("system_settings", 1, "quarantined_present")
    ]


def test_an_unconvertible_legacy_value_is_named(
    sqlite_legacy: str, migrated: Callable[..., str]
) -> None:
    migrated(sqlite_legacy)
    alter(sqlite_legacy, "UPDATE grades SET final_score = 'ninety' WHERE id = 4")
    result = verify_migration(sqlite_legacy)
    assert not result.ok
    [found] = result.mismatches
    assert (found.table, found.key, found.kind, found.column, found.legacy) == (
        "grades",
        4,
        "unconvertible",
        "final_score",
        "ninety",
    )


def test_mismatches_are_capped_but_counted(
    sqlite_legacy: str, migrated: Callable[..., str]
) -> None:
    migrated(sqlite_legacy)
    django_sql("UPDATE notifications_notification SET message = message || '!'")
    result = verify_migration(sqlite_legacy, max_mismatches=5)
    notifications = next(t for t in result.tables if t.name == "notifications")
    assert len(result.mismatches) == 5
    assert notifications.mismatched_rows == notifications.legacy_rows > 5
    assert result.as_dict()["totals"]["mismatched_rows"] == notifications.legacy_rows


def test_a_legacy_table_missing_is_an_error_not_an_empty_table(
    sqlite_legacy: str, migrated: Callable[..., str]
) -> None:
    migrated(sqlite_legacy)
    alter(sqlite_legacy, "DROP TABLE staff_messages")
    result = verify_migration(sqlite_legacy)
    assert not result.ok
    assert any(p.code == "missing_table" and p.table == "staff_messages" for p in result.problems)


def test_an_unreadable_legacy_database_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        verify_migration(f"sqlite:///{tmp_path / 'nope.db'}")
    with pytest.raises(ConfigError):
        verify_migration("postgresql://nobody:secret@127.0.0.1:1/legacy")


def test_unknown_legacy_columns_fail_verify(
    sqlite_legacy: str, migrated: Callable[..., str]
) -> None:
    migrated(sqlite_legacy)
    alter(sqlite_legacy, "ALTER TABLE cadets ADD COLUMN nickname TEXT")
    result = verify_migration(sqlite_legacy)
    assert not result.ok
    assert any(p.code == "unknown_column" and p.column == "nickname" for p in result.problems)


def test_the_report_is_json_ready(sqlite_legacy: str, migrated: Callable[..., str]) -> None:
    import orjson

    migrated(sqlite_legacy)
    django_sql("UPDATE cadets_cadet SET created_at = NULL WHERE id = 1")
    document = verify_migration(sqlite_legacy).as_dict()
    parsed = orjson.loads(orjson.dumps(document))
    assert parsed["ok"] is False
    assert parsed["mismatches"][0]["column"] == "created_at"
    assert parsed["mismatches"][0]["django"] == "None"
    assert parsed["rows_per_second"] > 0


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_sqlite_django_database(sqlite_legacy: str, tmp_path: Path, sqlite_django_url: str) -> None:
    # given a migrated SQLite Django database (the local default without DATABASE_URL)
    export = tmp_path / "export"
    assert export_database(sqlite_legacy, export).ok
    # when the export is imported twice and verified
    first = import_export(export, database_url=sqlite_django_url)
    second = import_export(export, database_url=sqlite_django_url)
    verified = verify_migration(sqlite_legacy, database_url=sqlite_django_url)
    # then it behaves as on PostgreSQL
    assert first.inserted == first.total_rows > 0
    assert second.changed == 0
    assert verified.ok, verified.summary


# ----------------------------------------------------------------------------- JSON compare


@pytest.mark.parametrize(
    ("legacy", "stored", "equal"),
    [
        ({"a": 1, "b": [1, 2]}, '{"b": [1, 2], "a": 1}', True),  # key order
        ({"a": 1.0}, '{"a": 1}', True),  # jsonb keeps numbers as decimals
        ({"a": 0.1}, '{"a": 0.1}', True),
        ({"a": 1.7976931348623157e308}, '{"a": 1.7976931348623157e308}', True),
        ({"a": 2**70}, '{"a": 1180591620717411303424}', True),
        ({"a": 2**70}, '{"a": 1180591620717411303425}', False),
        ({"a": 12345678901234567}, '{"a": 12345678901234568}', False),
        ({"a": True}, '{"a": 1}', False),  # true is not 1
        ({"a": None}, '{"a": false}', False),
        ([1, 2], "[2, 1]", False),  # arrays keep their order
        ("text", '"text"', True),
        (JSON_NULL, "null", True),  # the JSON literal null ...
        (JSON_NULL, None, False),  # ... is not SQL NULL
        (None, None, True),
        ({"é": "☃"}, '{"\\u00e9": "\\u2603"}', True),
    ],
)
def test_json_is_compared_as_json(legacy: Any, stored: str | None, equal: bool) -> None:
    exact = canonical_json(legacy) == json_from_database(stored)
    assert exact is equal
    fast_equal = fast_json(legacy) == fast_json_from_database(stored)
    # the fast form never says equal when the exact form says different
    assert not (fast_equal and not equal)


def test_canonical_json_numbers_are_decimals() -> None:
    assert canonical_json({"a": 1.5}) == ("o", (("a", ("n", Decimal("1.5"))),))


def test_a_read_that_fails_mid_table_is_an_error(
    sqlite_legacy: str, migrated: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    from cutover import verify as module
    from cutover.verify import VerifyReadError

    migrated(sqlite_legacy)
    original = module._django_batches

    def failing(reader: Any, mapping: Any, dialect: Any, batch_size: int) -> Any:
        if mapping.name == "notifications":
            yield next(original(reader, mapping, dialect, batch_size))
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        yield from original(reader, mapping, dialect, batch_size)

    monkeypatch.setattr(module, "_django_batches", failing)
    with pytest.raises(VerifyReadError, match="reading notifications failed"):
        verify_migration(sqlite_legacy)


@pytest.mark.parametrize("batch_size", [1, 7, 50, 5000])
def test_differences_are_found_whatever_the_batch_boundaries(
    sqlite_legacy: str, migrated: Callable[..., str], batch_size: int
) -> None:
    # given differences early, in the middle and at both ends of a table of many batches
    migrated(sqlite_legacy)
    django_sql(
        "UPDATE notifications_notification SET message = 'changed' WHERE id = 3",
        "UPDATE notifications_notification SET is_read = NOT is_read WHERE id = 501",
        "DELETE FROM notifications_notification WHERE id = (SELECT max(id) FROM "
        "notifications_notification)",
        "INSERT INTO notifications_notification (id, message, type, is_read, priority) "
        "VALUES (100000, 'extra', 'general_update', false, 'normal')",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM notifications_notification WHERE id < 100000")
        last_kept = cursor.fetchone()[0]
    result = verify_migration(sqlite_legacy, batch_size=batch_size)
    found = sorted((m.key, m.kind, m.column) for m in result.mismatches)
    missing_key = next(m.key for m in result.mismatches if m.kind == "missing")
    assert missing_key > last_kept
    assert found == sorted(
        [
            (3, "mismatch", "message"),
            (501, "mismatch", "is_read"),
            (missing_key, "missing", None),
            (100000, "extra", None),
        ]
    )
    notifications = next(t for t in result.tables if t.name == "notifications")
    assert notifications.legacy_rows == notifications.django_rows
    assert notifications.matched == notifications.legacy_rows - 3
    # every other table matched as a whole
    assert all(t.ok for t in result.tables if t.name != "notifications")


def test_extra_rows_after_the_last_legacy_batch_are_found(
    sqlite_legacy: str, migrated: Callable[..., str]
) -> None:
    migrated(sqlite_legacy)
    django_sql(
        "INSERT INTO preferences_systemsetting (id, key, value) VALUES (500, 'a', 'x'), "
        "(501, 'b', 'y')"
    )
    result = verify_migration(sqlite_legacy, batch_size=7)  # 7 legacy settings: one full batch
    assert sorted((m.key, m.kind) for m in result.mismatches) == [(500, "extra"), (501, "extra")]
