"""Export: every table, dependency order, streamed JSON, counts and hashes equal to the
source, and every gap reported instead of skipped."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from cutover.backup import create_backup
from cutover.errors import ConfigError, Severity
from cutover.export import (
    MANIFEST_NAME,
    ExportError,
    ExportFormatError,
    check_export,
    export_database,
    iter_export_rows,
)
from cutover.legacy_schema import DEPENDENCY_ORDER
from cutover.legacy_seed import SeedResult
from cutover.manifest import read_manifest
from cutover.sources import open_source, parse_source_url


def sqlite_file(url: str) -> Path:
    path = parse_source_url(url).sqlite_path
    assert path is not None
    return path


def source_counts(url: str) -> dict[str, int]:
    with open_source(url) as source:
        return {name: source.count(name) for name in source.tables()}


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_export_matches_the_source(
    dialect: str, sqlite_legacy: str, pg_legacy: tuple[str, SeedResult], tmp_path: Path
) -> None:
    url = sqlite_legacy if dialect == "sqlite" else pg_legacy[0]
    result = export_database(url, tmp_path / "export", batch_size=37)
    assert result.ok, result.problems
    manifest = read_manifest(tmp_path / "export" / MANIFEST_NAME)
    assert manifest.complete
    counts = source_counts(url)
    exported = {t.name: t.rows for t in manifest.tables if t.rows is not None}
    assert exported == counts
    assert result.total_rows == sum(counts.values())
    # dependency order first, as computed from the foreign keys
    order = [t.name for t in manifest.tables]
    assert order[: len(DEPENDENCY_ORDER)] == list(DEPENDENCY_ORDER)
    for entry in manifest.tables:
        if entry.rows is None:
            continue
        rows = list(iter_export_rows(tmp_path / "export" / entry.file))  # type: ignore[operator]
        assert len(rows) == entry.rows
        if rows:
            assert list(rows[0]) == entry.column_names
    # the same content hashes as a backup of the same source
    backup = create_backup(url, tmp_path / "backup").manifest
    for entry in manifest.tables:
        assert entry.content_hash == backup.table(entry.name).content_hash, entry.name
    check = check_export(tmp_path / "export")
    assert check.ok, check.discrepancies


def test_user_settings_without_id_exports_in_key_order(sqlite_legacy: str, tmp_path: Path) -> None:
    export_database(sqlite_legacy, tmp_path / "out")
    rows = list(iter_export_rows(tmp_path / "out" / "user_settings.json"))
    assert rows
    assert "id" not in rows[0]
    keys = [r["user_id"] for r in rows]
    assert keys == sorted(keys)


def test_postgres_datetimes_are_iso_8601(pg_legacy: tuple[str, SeedResult], tmp_path: Path) -> None:
    export_database(pg_legacy[0], tmp_path / "out")
    cadet = next(iter_export_rows(tmp_path / "out" / "cadets.json"))
    assert cadet["created_at"][10] == "T"
    assert isinstance(cadet["is_archived"], bool)
    user = next(iter_export_rows(tmp_path / "out" / "users.json"))
    assert user["is_approved"] in (0, 1)  # INTEGER in the legacy schema: exported as stored
    audit = next(iter_export_rows(tmp_path / "out" / "audit_logs.json"))
    assert isinstance(json.loads(audit["payload"]), dict)  # JSON text, not re-serialised


def test_sqlite_values_are_exported_as_stored(sqlite_legacy: str, tmp_path: Path) -> None:
    export_database(sqlite_legacy, tmp_path / "out")
    cadet = next(iter_export_rows(tmp_path / "out" / "cadets.json"))
    assert cadet["is_archived"] in (0, 1)
    assert cadet["created_at"][10] == " "  # SQLite text stays text; import converts it


def test_missing_table_is_an_error_not_a_skip(sqlite_legacy: str, tmp_path: Path) -> None:
    conn = sqlite3.connect(sqlite_file(sqlite_legacy))
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DROP TABLE grades")
    conn.commit()
    conn.close()
    result = export_database(sqlite_legacy, tmp_path / "out")
    assert not result.ok
    errors = [p for p in result.problems if p.severity is Severity.ERROR]
    assert [(p.code, p.table) for p in errors] == [("missing_table", "grades")]
    manifest = read_manifest(result.manifest_path)
    assert manifest.table("grades").status == "missing"
    assert manifest.table("grades").rows is None
    assert not (tmp_path / "out" / "grades.json").exists()
    # every other table is still exported
    assert manifest.table("sync_events").rows == source_counts(sqlite_legacy)["sync_events"]


def test_unknown_columns_and_tables_are_exported_and_reported(
    sqlite_legacy: str, tmp_path: Path
) -> None:
    conn = sqlite3.connect(sqlite_file(sqlite_legacy))
    conn.executescript(
        """
        ALTER TABLE cadets ADD COLUMN nickname TEXT;
        UPDATE cadets SET nickname = 'Ace' WHERE id = 1;
        CREATE TABLE staff_audit (id INTEGER PRIMARY KEY, staff_id INTEGER, action TEXT);
        INSERT INTO staff_audit (staff_id, action) VALUES (3, 'delete');
        """
    )
    conn.close()
    result = export_database(sqlite_legacy, tmp_path / "out")
    assert result.ok  # warnings do not fail ...
    codes = {(p.code, p.table, p.column) for p in result.problems}
    assert ("unknown_column", "cadets", "nickname") in codes
    assert ("not_migrated_table", "staff_audit", None) in codes
    first = next(iter_export_rows(tmp_path / "out" / "cadets.json"))
    assert first["nickname"] == "Ace"
    assert list(iter_export_rows(tmp_path / "out" / "staff_audit.json")) == [
        {"id": 1, "staff_id": 3, "action": "delete"}
    ]
    manifest = read_manifest(result.manifest_path)
    assert manifest.table("staff_audit").migrated is False
    assert manifest.table("cadets").unknown_columns == ["nickname"]
    strict = export_database(sqlite_legacy, tmp_path / "strict", strict=True)
    assert not strict.ok  # ... unless asked to


def test_unrepresentable_value_stops_naming_the_cell(sqlite_legacy: str, tmp_path: Path) -> None:
    conn = sqlite3.connect(sqlite_file(sqlite_legacy))
    conn.execute("UPDATE users SET profile_pic = X'89504e47' WHERE id = 5")
    conn.commit()
    conn.close()
    with pytest.raises(ExportError) as caught:
        export_database(sqlite_legacy, tmp_path / "out")
    err = caught.value
    assert (err.table, err.pk, err.column) == ("users", 5, "profile_pic")
    manifest = read_manifest(tmp_path / "out" / MANIFEST_NAME)
    assert manifest.complete is False
    assert manifest.problems[-1].code == "export_failed"
    assert not list((tmp_path / "out").glob("*.partial"))
    assert not check_export(tmp_path / "out").ok


def test_refuses_a_non_empty_directory(sqlite_legacy: str, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.json").write_text("[]")
    with pytest.raises(ConfigError, match="not empty"):
        export_database(sqlite_legacy, tmp_path / "out")


def test_check_export_catches_changed_files(sqlite_legacy: str, tmp_path: Path) -> None:
    export_database(sqlite_legacy, tmp_path / "out")
    path = tmp_path / "out" / "training_days.json"
    path.write_text(path.read_text().replace("Training Day 3", "Training Day X"))
    check = check_export(tmp_path / "out")
    assert {(d.code, d.table) for d in check.discrepancies} == {
        ("file_sha256", "training_days"),
        ("content_hash", "training_days"),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1"),
        ("{}\n", "line 1"),
        ("[\n", "missing the closing"),
        ('[\n{"a":1}\n{"a":2}\n]\n', "line 2 lacks its comma"),
        ('[\n{"a":1},\n]\n', "line 2 is not JSON"),
        ('[\n{"a":1}\n]\nextra\n', "after the closing"),
        ("[\n[1]\n]\n", "not a JSON object"),
        ("[\n{bad}\n]\n", "not JSON"),
    ],
)
def test_reader_checks_the_framing(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(text)
    with pytest.raises(ExportFormatError, match=message):
        list(iter_export_rows(path))


def test_reader_reads_empty_and_full_files(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text("[\n]\n")
    assert list(iter_export_rows(path)) == []
    path.write_text('[\n{"a":1},\n{"a":"x\\ny"}\n]\n')
    assert list(iter_export_rows(path)) == [{"a": 1}, {"a": "x\ny"}]
