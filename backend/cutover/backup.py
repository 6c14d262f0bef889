"""Backups of the legacy database, and their validation before anything else runs.

`create_backup` writes, into a directory:

* PostgreSQL: `legacy-postgresql-<UTC stamp>.dump`, made by `pg_dump --format=custom` from the
  same snapshot the toolkit reads (`pg_dump --snapshot`), so the manifest's row counts and
  content hashes describe exactly what the dump holds, even while the legacy app keeps writing;
* SQLite: `legacy-sqlite-<UTC stamp>.sqlite3`, made with SQLite's online backup API inside the
  read transaction the hashes are computed in;
* `<same name>.manifest.json`: timestamp, source (password redacted), file path, size, SHA-256,
  and per table its columns, row count and content hash (see `cutover.manifest`).

`validate_backup` proves the file restores to the recorded content: it checks size and SHA-256,
restores into a scratch database (PostgreSQL: `pg_restore` into a fresh `cutover_scratch_*`
database that is dropped afterwards; SQLite: a copy of the file, integrity-checked), recomputes
every table's row count and content hash and compares them with the manifest. Every difference
is reported naming the table; the result is also written beside the manifest
(`<name>.validation.json`) so later steps (rollback) can pick the latest validated backup.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time as clock
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from cutover.errors import ConfigError, Discrepancy, DiscrepancyError, Problem
from cutover.legacy_schema import Dialect, Kind, is_system_table
from cutover.manifest import (
    ColumnEntry,
    Manifest,
    ManifestError,
    TableDigest,
    TableDigester,
    TableEntry,
    artefact_path,
    check_file,
    compare_digests,
    read_manifest,
    sha256_file,
    utc_now_iso,
    write_manifest,
)
from cutover.progress import NULL_PROGRESS, Progress
from cutover.sources import (
    DEFAULT_BATCH_SIZE,
    Inspection,
    LegacySource,
    PostgresSource,
    SqliteSource,
    TablePlan,
    inspect_source,
    libpq_arguments,
    open_source,
    parse_source_url,
    redact_url,
    scratch_database,
    sqlite_url,
)

PG_DUMP = "pg_dump"
PG_RESTORE = "pg_restore"
STDERR_TAIL_CHARS = 2000


class BackupError(DiscrepancyError):
    """The backup could not be made (pg_dump or the SQLite backup failed)."""


@dataclass(frozen=True, slots=True)
class TableSpec:
    """What to hash in one table: its columns, their kinds and a read order."""

    name: str
    columns: tuple[str, ...]
    kinds: tuple[Kind | None, ...]
    order_by: tuple[str, ...] = ()


def specs_from_inspection(inspection: Inspection) -> list[TableSpec]:
    return [
        TableSpec(p.name, p.column_names, p.kinds(), p.order_by)
        for p in inspection.tables
        if p.exists
    ]


def specs_from_manifest(manifest: Manifest) -> list[TableSpec]:
    return [
        TableSpec(t.name, tuple(t.column_names), tuple(t.kinds()), tuple(t.order_by))
        for t in manifest.tables
        if t.rows is not None
    ]


def digest_tables(
    source: LegacySource,
    specs: Sequence[TableSpec],
    progress: Progress = NULL_PROGRESS,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> dict[str, TableDigest]:
    """Row count and content hash of each table, streamed (memory stays flat)."""
    digests: dict[str, TableDigest] = {}
    for spec in specs:
        digester = TableDigester(spec.columns, spec.kinds)
        progress.start(spec.name, None)
        for batch in source.prefetched_batches(spec.name, spec.columns, (), batch_size):
            for row in batch:
                digester.add_db_row(row)
            progress.advance(spec.name, len(batch))
        progress.finish(spec.name)
        digests[spec.name] = digester.result()
    return digests


def table_entries(
    inspection: Inspection, digests: dict[str, TableDigest] | None = None
) -> list[TableEntry]:
    """Manifest entries for every table the inspection knows (missing ones included)."""
    entries = []
    for plan in inspection.tables:
        digest = (digests or {}).get(plan.name)
        entries.append(
            TableEntry(
                name=plan.name,
                status=str(plan.status),
                migrated=plan.migrated,
                rows=digest.rows if digest else None,
                content_hash=digest.content_hash if digest else None,
                columns=_column_entries(plan),
                order_by=list(plan.order_by),
                unknown_columns=list(plan.unknown_columns),
                missing_columns=list(plan.missing_columns),
                absent_columns=list(plan.absent_columns),
            )
        )
    return entries


def _column_entries(plan: TablePlan) -> list[ColumnEntry]:
    return [
        ColumnEntry(c.name, c.declared_type, str(kind) if kind else None, c.nullable)
        for c, kind in zip(plan.columns, plan.kinds(), strict=True)
    ]


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _tail(text: str) -> str:
    text = text.strip()
    return text if len(text) <= STDERR_TAIL_CHARS else "..." + text[-STDERR_TAIL_CHARS:]


def _tool_version(tool: str) -> str:
    try:
        done = subprocess.run(
            [tool, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError as exc:
        raise ConfigError(f"{tool} is not available: {exc}") from exc
    return done.stdout.strip()


# ----------------------------------------------------------------------------- create


@dataclass(slots=True)
class BackupResult:
    manifest: Manifest
    manifest_path: Path
    backup_path: Path
    seconds: float
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "backup": str(self.backup_path),
            "manifest": str(self.manifest_path),
            "size": self.manifest.size,
            "sha256": self.manifest.sha256,
            "total_rows": self.manifest.total_rows,
            "seconds": round(self.seconds, 3),
            "tables": [
                {"name": t.name, "status": t.status, "rows": t.rows} for t in self.manifest.tables
            ],
            "problems": [p.as_dict() for p in self.problems],
        }


def _backup_postgres(
    source: PostgresSource,
    specs: list[TableSpec],
    target: Path,
    progress: Progress,
    batch_size: int,
) -> tuple[dict[str, TableDigest], dict[str, Any]]:
    snapshot = source.export_snapshot()
    url, env = libpq_arguments(source.location.url)
    command = [
        PG_DUMP,
        "--format=custom",
        f"--file={target}",
        f"--snapshot={snapshot}",
        "--no-password",
        f"--dbname={url}",
    ]
    details = {
        "pg_dump": _tool_version(PG_DUMP),
        "server_version": source.server_version(),
        "snapshot": snapshot,
    }
    progress.note("pg_dump running (same snapshot as the hashes)")
    with subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**_base_env(), **env},
    ) as dump:
        try:
            digests = digest_tables(source, specs, progress, batch_size)
        except BaseException:
            dump.kill()
            raise
        _, stderr = dump.communicate()
    if dump.returncode != 0:
        raise BackupError(
            f"pg_dump failed (exit {dump.returncode}): {_tail(stderr.decode(errors='replace'))}"
        )
    return digests, details


def _base_env() -> dict[str, str]:
    return dict(os.environ)


def _backup_sqlite(
    source: SqliteSource,
    specs: list[TableSpec],
    target: Path,
    progress: Progress,
    batch_size: int,
) -> tuple[dict[str, TableDigest], dict[str, Any]]:
    progress.note("SQLite online backup")
    destination = sqlite3.connect(target)
    try:
        # Inside the source's read transaction: the copy is the snapshot the hashes read.
        source.conn.backup(destination)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup failed: {exc}") from exc
    finally:
        destination.close()
    digests = digest_tables(source, specs, progress, batch_size)
    return digests, {"sqlite_version": sqlite3.sqlite_version}


def create_backup(
    source_url: str,
    out_dir: Path,
    *,
    name: str | None = None,
    progress: Progress = NULL_PROGRESS,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> BackupResult:
    """Back up the legacy database into `out_dir` and write its manifest."""
    started = clock.perf_counter()
    location = parse_source_url(source_url)
    base = name or f"legacy-{location.dialect}-{_stamp()}"
    suffix = ".dump" if location.dialect is Dialect.POSTGRESQL else ".sqlite3"
    out_dir.mkdir(parents=True, exist_ok=True)
    backup_path = out_dir / f"{base}{suffix}"
    manifest_path = out_dir / f"{base}.manifest.json"
    for existing in (backup_path, manifest_path):
        if existing.exists():
            raise ConfigError(f"{existing} already exists; refusing to overwrite a backup")
    partial = backup_path.with_name(backup_path.name + ".partial")
    partial.unlink(missing_ok=True)
    created_at = utc_now_iso()
    try:
        with open_source(location) as source:
            inspection = inspect_source(source)
            specs = specs_from_inspection(inspection)
            if isinstance(source, PostgresSource):
                digests, details = _backup_postgres(source, specs, partial, progress, batch_size)
            else:
                assert isinstance(source, SqliteSource)
                digests, details = _backup_sqlite(source, specs, partial, progress, batch_size)
        partial.replace(backup_path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    seconds = clock.perf_counter() - started
    details["seconds"] = round(seconds, 3)
    manifest = Manifest(
        kind="backup",
        source=location.display,
        dialect=str(location.dialect),
        tables=table_entries(inspection, digests),
        created_at=created_at,
        file=backup_path.name,
        path=str(backup_path.resolve()),
        size=backup_path.stat().st_size,
        sha256=sha256_file(backup_path),
        problems=list(inspection.problems),
        details=details,
    )
    write_manifest(manifest, manifest_path)
    return BackupResult(manifest, manifest_path, backup_path, seconds, list(inspection.problems))


# ----------------------------------------------------------------------------- validate


@dataclass(slots=True)
class ValidationResult:
    manifest_path: Path
    discrepancies: list[Discrepancy]
    tables: dict[str, TableDigest]
    seconds: float
    restored_into: str | None = None
    validated_at: str = field(default_factory=utc_now_iso)

    @property
    def ok(self) -> bool:
        return not self.discrepancies

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "manifest": str(self.manifest_path),
            "validated_at": self.validated_at,
            "restored_into": self.restored_into,
            "seconds": round(self.seconds, 3),
            "tables": {
                name: {"rows": d.rows, "content_hash": d.content_hash}
                for name, d in self.tables.items()
            },
            "discrepancies": [d.as_dict() for d in self.discrepancies],
        }


def validation_path(manifest_path: Path) -> Path:
    name = manifest_path.name.removesuffix(".manifest.json")
    return manifest_path.with_name(f"{name}.validation.json")


def _compare_columns(manifest: Manifest, source: LegacySource) -> list[Discrepancy]:
    found = []
    present = {t for t in source.tables() if not is_system_table(t)}
    expected = {t.name for t in manifest.tables if t.rows is not None}
    for entry in manifest.tables:
        if entry.rows is None or entry.name not in present:
            continue
        actual = [c.name for c in source.columns(entry.name)]
        if actual != entry.column_names:
            found.append(
                Discrepancy(
                    "columns",
                    f"table {entry.name}: restored columns differ from the manifest",
                    entry.name,
                    entry.column_names,
                    actual,
                )
            )
    found.extend(
        Discrepancy("unexpected_table", f"table {name} is not in the manifest", name)
        for name in sorted(present - expected)
    )
    return found


def _digest_restored(
    manifest: Manifest, source: LegacySource, progress: Progress, batch_size: int
) -> tuple[dict[str, TableDigest], list[Discrepancy]]:
    found = _compare_columns(manifest, source)
    broken = {d.table for d in found if d.code == "columns"}
    present = set(source.tables())
    specs = [s for s in specs_from_manifest(manifest) if s.name in present and s.name not in broken]
    digests = digest_tables(source, specs, progress, batch_size)
    found.extend(
        d
        for d in compare_digests(manifest, digests)
        if d.table not in broken and d.code != "unexpected_table"
    )
    return digests, found


def compare_with_manifest(
    manifest: Manifest,
    source_url: str,
    *,
    progress: Progress = NULL_PROGRESS,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> tuple[dict[str, TableDigest], list[Discrepancy]]:
    """Recompute every table of the database at `source_url` and compare it with the backup
    manifest: columns, row counts, content hashes, and tables the manifest does not list.
    (Validation runs it on a scratch restore; rollback on the restored legacy database.)"""
    with open_source(source_url) as source:
        return _digest_restored(manifest, source, progress, batch_size)


def _restore_postgres(backup: Path, url: str, progress: Progress) -> list[Discrepancy]:
    target, env = libpq_arguments(url)
    progress.note("pg_restore into a scratch database")
    done = subprocess.run(
        [
            PG_RESTORE,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--dbname={target}",
            str(backup),
        ],
        capture_output=True,
        text=True,
        env={**_base_env(), **env},
        check=False,
    )
    if done.returncode != 0:
        return [
            Discrepancy(
                "restore_failed",
                f"pg_restore failed (exit {done.returncode}): {_tail(done.stderr)}",
            )
        ]
    return []


def validate_backup(
    manifest_path: Path,
    *,
    scratch_server_url: str | None = None,
    progress: Progress = NULL_PROGRESS,
    batch_size: int = DEFAULT_BATCH_SIZE,
    record: bool = True,
) -> ValidationResult:
    """Restore the backup into a scratch database and compare it with its manifest.

    PostgreSQL backups need `scratch_server_url`: a server (any database on it) where a
    throwaway database may be created. The result is also written beside the manifest unless
    `record` is false.
    """
    started = clock.perf_counter()
    manifest = read_manifest(manifest_path)
    if manifest.kind != "backup":
        raise ManifestError(f"{manifest_path} is a {manifest.kind} manifest, not a backup's")
    if not manifest.complete or manifest.file is None:
        raise ManifestError(f"{manifest_path} describes an incomplete backup")
    backup = artefact_path(manifest_path, manifest.file)
    found = check_file(backup, manifest.size, manifest.sha256)
    digests: dict[str, TableDigest] = {}
    restored_into: str | None = None
    if backup.is_file():
        if manifest.dialect == Dialect.POSTGRESQL:
            if not scratch_server_url:
                raise ConfigError(
                    "validating a PostgreSQL backup needs a server to restore into "
                    "(--scratch-url, or the source URL)"
                )
            with scratch_database(scratch_server_url, "validate") as url:
                restored_into = redact_url(url)
                restore_problems = _restore_postgres(backup, url, progress)
                found.extend(restore_problems)
                if not restore_problems:
                    with open_source(url) as source:
                        digests, more = _digest_restored(manifest, source, progress, batch_size)
                    found.extend(more)
        else:
            with tempfile.TemporaryDirectory(prefix="cutover-validate-") as tmp:
                copy = Path(tmp) / backup.name
                shutil.copyfile(backup, copy)
                restored_into = "a temporary copy of the backup file"
                found.extend(_sqlite_integrity(copy))
                if not any(d.code == "integrity" for d in found):
                    with open_source(sqlite_url(copy)) as source:
                        digests, more = _digest_restored(manifest, source, progress, batch_size)
                    found.extend(more)
    result = ValidationResult(
        manifest_path, found, digests, clock.perf_counter() - started, restored_into
    )
    if record:
        validation_path(manifest_path).write_bytes(
            orjson.dumps(result.as_dict(), option=orjson.OPT_INDENT_2) + b"\n"
        )
    return result


def _sqlite_integrity(path: Path) -> list[Discrepancy]:
    try:
        conn = sqlite3.connect(path)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return [Discrepancy("integrity", f"the backup is not a readable SQLite database: {exc}")]
    messages = [r[0] for r in rows]
    if messages != ["ok"]:
        return [Discrepancy("integrity", f"SQLite integrity_check: {'; '.join(messages[:5])}")]
    return []
