"""Backups: made from one snapshot, restorable, validated against their manifests, and a
tampered backup fails validation naming the table."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from cutover.backup import create_backup, validate_backup, validation_path
from cutover.errors import ConfigError
from cutover.legacy_seed import SeedConfig, SeedResult, seed_legacy_database
from cutover.manifest import read_manifest, sha256_file, write_manifest
from cutover.sources import libpq_arguments, parse_source_url, sqlite_url


def sqlite_file(url: str) -> Path:
    path = parse_source_url(url).sqlite_path
    assert path is not None
    return path


def reseal(manifest_path: Path, backup: Path) -> None:
    """Make the manifest's file checksum match a changed backup (a swapped file that still
    passes the checksum): only the content comparison can catch it then."""
    manifest = read_manifest(manifest_path)
    manifest.size = backup.stat().st_size
    manifest.sha256 = sha256_file(backup)
    write_manifest(manifest, manifest_path)


def test_sqlite_backup_validates(sqlite_legacy: str, tmp_path: Path) -> None:
    result = create_backup(sqlite_legacy, tmp_path / "backups")
    manifest = result.manifest
    assert result.backup_path.suffix == ".sqlite3"
    assert manifest.kind == "backup"
    assert manifest.dialect == "sqlite"
    assert manifest.sha256 == sha256_file(result.backup_path)
    assert manifest.size == result.backup_path.stat().st_size
    assert manifest.table("cadets").rows == 60
    assert manifest.table("activity_images").status == "absent_documented"
    assert not list((tmp_path / "backups").glob("*.partial"))
    validation = validate_backup(result.manifest_path)
    assert validation.ok, validation.discrepancies
    assert validation.tables["attendance_records"].rows == 60 * 15
    recorded = json.loads(validation_path(result.manifest_path).read_text())
    assert recorded["ok"] is True


def test_tampered_sqlite_backup_fails_naming_the_table(sqlite_legacy: str, tmp_path: Path) -> None:
    result = create_backup(sqlite_legacy, tmp_path)
    conn = sqlite3.connect(result.backup_path)
    conn.execute("UPDATE cadets SET last_name = 'Tampered' WHERE id = 7")
    conn.commit()
    conn.close()
    validation = validate_backup(result.manifest_path)
    assert not validation.ok
    assert {(d.code, d.table) for d in validation.discrepancies} == {
        ("file_sha256", None),
        ("content_hash", "cadets"),
    }
    reseal(result.manifest_path, result.backup_path)
    validation = validate_backup(result.manifest_path)
    assert [(d.code, d.table) for d in validation.discrepancies] == [("content_hash", "cadets")]
    assert "cadets" in validation.discrepancies[0].message


def test_manifest_counts_are_checked(sqlite_legacy: str, tmp_path: Path) -> None:
    result = create_backup(sqlite_legacy, tmp_path)
    manifest = read_manifest(result.manifest_path)
    manifest.table("notifications").rows = 1
    write_manifest(manifest, result.manifest_path)
    validation = validate_backup(result.manifest_path)
    assert [(d.code, d.table) for d in validation.discrepancies] == [("row_count", "notifications")]


def test_corrupted_sqlite_file_fails(sqlite_legacy: str, tmp_path: Path) -> None:
    result = create_backup(sqlite_legacy, tmp_path)
    result.backup_path.write_bytes(b"not a database" * 100)
    validation = validate_backup(result.manifest_path)
    codes = {d.code for d in validation.discrepancies}
    assert {"file_size", "file_sha256", "integrity"} <= codes


def test_refuses_to_overwrite(sqlite_legacy: str, tmp_path: Path) -> None:
    create_backup(sqlite_legacy, tmp_path, name="nightly")
    with pytest.raises(ConfigError, match="already exists"):
        create_backup(sqlite_legacy, tmp_path, name="nightly")


def test_postgres_backup_restores_and_validates(
    pg_legacy: tuple[str, SeedResult], pg_server: str, tmp_path: Path
) -> None:
    url, seeded = pg_legacy
    result = create_backup(url, tmp_path)
    manifest = result.manifest
    assert result.backup_path.suffix == ".dump"
    assert result.backup_path.read_bytes()[:5] == b"PGDMP"  # pg_dump custom format
    assert manifest.details["snapshot"]
    assert {t.name: t.rows for t in manifest.tables if t.rows is not None} == seeded.counts
    validation = validate_backup(result.manifest_path, scratch_server_url=pg_server)
    assert validation.ok, validation.discrepancies
    assert validation.restored_into is not None
    assert "cutover_scratch_validate_" in validation.restored_into
    # the scratch database is gone (only this run's: other runs may share the server)
    scratch_name = validation.restored_into.rsplit("/", 1)[-1]
    with psycopg.connect(pg_server) as conn:
        left = conn.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", (scratch_name,)
        ).fetchone()
    assert left == (0,)


def test_the_same_data_hashes_alike_in_both_dialects(
    make_pg_database: Callable[[str], str], tmp_path: Path
) -> None:
    # Same generator and seed, quirks off: the logical rows are equal, the storage is not
    # (BOOLEAN vs INTEGER 0/1, TIMESTAMP vs 'YYYY-MM-DD HH:MM:SS' text).
    config = SeedConfig(scale=0.01, seed=11, quirks=False)
    pg_url = make_pg_database("alike")
    seed_legacy_database(pg_url, config)
    lite_url = sqlite_url(tmp_path / "alike.db")
    seed_legacy_database(lite_url, config)
    pg = create_backup(pg_url, tmp_path / "pg").manifest
    lite = create_backup(lite_url, tmp_path / "lite").manifest
    for table in ("users", "notifications", "attendance_records", "merit_demerit_logs"):
        assert pg.table(table).content_hash == lite.table(table).content_hash, table
    assert pg.table("cadets").content_hash != lite.table("cadets").content_hash  # religion


def test_tampered_postgres_backup_fails_naming_the_table(
    pg_legacy: tuple[str, SeedResult],
    pg_server: str,
    make_pg_database: Callable[[str], str],
    tmp_path: Path,
) -> None:
    result = create_backup(pg_legacy[0], tmp_path)
    # Restore, change one row, dump over the backup file: a well-formed dump that restores
    # fine but holds different data.
    scratch = make_pg_database("tamper")
    target, _ = libpq_arguments(scratch)
    subprocess.run(
        ["pg_restore", "--no-owner", f"--dbname={target}", str(result.backup_path)],
        check=True,
        capture_output=True,
    )
    with psycopg.connect(scratch) as conn:
        conn.execute("UPDATE grades SET final_score = final_score + 1 WHERE id = 3")
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={result.backup_path}", f"--dbname={target}"],
        check=True,
        capture_output=True,
    )
    reseal(result.manifest_path, result.backup_path)
    validation = validate_backup(result.manifest_path, scratch_server_url=pg_server)
    assert [(d.code, d.table) for d in validation.discrepancies] == [("content_hash", "grades")]


def test_truncated_postgres_backup_fails_loudly(
    pg_legacy: tuple[str, SeedResult], pg_server: str, tmp_path: Path
) -> None:
    result = create_backup(pg_legacy[0], tmp_path)
    data = result.backup_path.read_bytes()
    result.backup_path.write_bytes(data[: len(data) // 2])
    reseal(result.manifest_path, result.backup_path)
    validation = validate_backup(result.manifest_path, scratch_server_url=pg_server)
    assert not validation.ok
    assert [d.code for d in validation.discrepancies] == ["restore_failed"]
    assert "pg_restore failed" in validation.discrepancies[0].message


def test_postgres_validation_needs_a_server(
    pg_legacy: tuple[str, SeedResult], tmp_path: Path
) -> None:
    result = create_backup(pg_legacy[0], tmp_path)
    with pytest.raises(ConfigError, match="needs a server"):
        validate_backup(result.manifest_path)
