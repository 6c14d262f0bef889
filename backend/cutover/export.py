"""Export every legacy table to JSON files, in dependency order, with a manifest.

`export_database(source_url, out_dir)` writes into an empty directory:

* `<table>.json` per table the source has: a JSON array with one object per row (column name
  -> value) on its own line, written incrementally from a streaming read (memory stays flat
  whatever the table size) and renamed into place only when complete. Values keep their JSON
  form: text, numbers and booleans as stored (SQLite 0/1 stays 0/1, its text timestamps stay
  text), PostgreSQL dates and timestamps as ISO 8601 text ('2024-08-03T07:05:12'), JSON
  columns as the JSON text the database holds. Conversion is the importer's job, by the
  documented rules; the export changes nothing;
* `manifest.json` (last): source, dialect, per table status, columns (declared type and
  conversion kind), row count (streamed and cross-checked with COUNT(*) in the same snapshot),
  content hash (equal to the backup manifest's for the same data), file size and SHA-256.

Declared tables come first in dependency order, tables the schema does not declare (and the
deliberately not migrated staff_audit) after them, exported raw. A declared table missing from
the source is an error in the manifest and the result, never skipped silently; a documented
absence (activity_images on SQLite) is a notice. A table keyed by something else than `id`
(user_settings) is read in the order of its own key. A value JSON cannot carry (invalid UTF-8,
NaN, binary) stops the export naming table, key, column and value.
"""

from __future__ import annotations

import hashlib
import logging
import time as clock
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from cutover.backup import table_entries
from cutover.errors import CellError, ConfigError, Discrepancy, DiscrepancyError, Problem, Severity
from cutover.errors import is_failure as findings_fail
from cutover.manifest import (
    Manifest,
    ManifestError,
    TableDigest,
    TableDigester,
    UnrepresentableValue,
    artefact_path,
    check_file,
    jsonable,
    jsonable_row,
    read_manifest,
    utc_now_iso,
    write_manifest,
)
from cutover.progress import NULL_PROGRESS, Progress
from cutover.sources import (
    DEFAULT_BATCH_SIZE,
    LegacySource,
    TablePlan,
    inspect_source,
    open_source,
    parse_source_url,
)

MANIFEST_NAME = "manifest.json"
log = logging.getLogger("cutover.export")


class ExportError(CellError):
    """A value the export cannot write faithfully."""


class ExportFormatError(DiscrepancyError):
    """An export file that is not in the export format (names the file and line)."""


def table_file_name(table: str) -> str:
    return f"{table}.json"


@dataclass(slots=True)
class ExportResult:
    manifest: Manifest
    manifest_path: Path
    out_dir: Path
    problems: list[Problem]
    seconds: float
    strict: bool = False

    @property
    def ok(self) -> bool:
        return self.manifest.complete and not findings_fail(self.problems, strict=self.strict)

    @property
    def total_rows(self) -> int:
        return self.manifest.total_rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "manifest": str(self.manifest_path),
            "total_rows": self.total_rows,
            "seconds": round(self.seconds, 3),
            "tables": [
                {"name": t.name, "status": t.status, "rows": t.rows, "file": t.file}
                for t in self.manifest.tables
            ],
            "problems": [p.as_dict() for p in self.problems],
        }


def _prepare_directory(out_dir: Path) -> None:
    if out_dir.exists():
        if not out_dir.is_dir():
            raise ConfigError(f"{out_dir} is not a directory")
        if any(out_dir.iterdir()):
            raise ConfigError(f"{out_dir} is not empty; export into a new directory")
    out_dir.mkdir(parents=True, exist_ok=True)


def export_table(
    source: LegacySource,
    plan: TablePlan,
    path: Path,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress = NULL_PROGRESS,
) -> tuple[TableDigest, int, str]:
    """Stream one table into `path`; returns its digest, the file size and SHA-256."""
    columns = plan.column_names
    digester = TableDigester(columns, plan.kinds())
    key_index = columns.index(plan.order_by[0]) if plan.order_by else None
    file_hash = hashlib.sha256()
    size = 0
    partial = path.with_name(path.name + ".partial")
    progress.start(plan.name, None)
    try:
        with partial.open("wb") as handle:

            def write(data: bytes) -> None:
                nonlocal size
                handle.write(data)
                file_hash.update(data)
                size += len(data)

            write(b"[")
            first = True
            for batch in source.prefetched_batches(plan.name, columns, plan.order_by, batch_size):
                chunk: list[bytes] = []
                for row in batch:
                    values = _row_values(plan, columns, row, key_index)
                    digester.add_jsonable(values)
                    chunk.append(orjson.dumps(dict(zip(columns, values, strict=True))))
                write((b"\n" if first else b",\n") + b",\n".join(chunk))
                first = False
                progress.advance(plan.name, len(batch))
            write(b"\n]\n")
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    progress.finish(plan.name)
    return digester.result(), size, file_hash.hexdigest()


def _row_values(
    plan: TablePlan, columns: tuple[str, ...], row: tuple[Any, ...], key_index: int | None
) -> list[Any]:
    try:
        return jsonable_row(row, strict=True)
    except UnrepresentableValue:
        pass
    for column, value in zip(columns, row, strict=True):  # find and name the cell
        try:
            jsonable(value, strict=True)
        except UnrepresentableValue as exc:
            pk = row[key_index] if key_index is not None else None
            raise ExportError(plan.name, pk, column, value, str(exc)) from None
    raise AssertionError("unreachable")  # pragma: no cover


def export_database(
    source_url: str,
    out_dir: Path,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress = NULL_PROGRESS,
    strict: bool = False,
) -> ExportResult:
    """Export every table of the legacy database into `out_dir` (which must be empty).

    The manifest is written even when the export fails part-way (with `complete: false` and
    the error), so a half export can never pass for a whole one.
    """
    started = clock.perf_counter()
    location = parse_source_url(source_url)
    _prepare_directory(out_dir)
    manifest_path = out_dir / MANIFEST_NAME
    created_at = utc_now_iso()
    with open_source(location) as source:
        inspection = inspect_source(source)
        entries = {e.name: e for e in table_entries(inspection)}
        problems = list(inspection.problems)
        manifest = Manifest(
            kind="export",
            source=location.display,
            dialect=str(location.dialect),
            tables=list(entries.values()),
            created_at=created_at,
            complete=False,
            problems=problems,
            details={"batch_size": batch_size, "order": [p.name for p in inspection.tables]},
        )
        try:
            for plan in inspection.tables:
                if not plan.exists:
                    continue
                entry = entries[plan.name]
                name = table_file_name(plan.name)
                digest, size, sha = export_table(
                    source,
                    plan,
                    out_dir / name,
                    batch_size=batch_size,
                    progress=progress,
                )
                counted = source.count(plan.name)
                if counted != digest.rows:
                    problems.append(
                        Problem(
                            Severity.ERROR,
                            "count_mismatch",
                            f"{plan.name}: exported {digest.rows} rows but COUNT(*) is "
                            f"{counted} in the same snapshot",
                            table=plan.name,
                        )
                    )
                entry.rows = digest.rows
                entry.content_hash = digest.content_hash
                entry.file = name
                entry.file_size = size
                entry.file_sha256 = sha
                log.info("exported %s: %d rows", plan.name, digest.rows)
        except BaseException as exc:
            problems.append(Problem(Severity.ERROR, "export_failed", f"export stopped: {exc}"))
            manifest.details["seconds"] = round(clock.perf_counter() - started, 3)
            write_manifest(manifest, manifest_path)
            raise
    seconds = clock.perf_counter() - started
    manifest.complete = True
    manifest.details["seconds"] = round(seconds, 3)
    write_manifest(manifest, manifest_path)
    log.info("export complete: %d rows in %d tables", manifest.total_rows, len(entries))
    return ExportResult(manifest, manifest_path, out_dir, problems, seconds, strict)


# ----------------------------------------------------------------------------- reading back


def _parse_row(raw: bytes, path: Path, number: int) -> dict[str, Any]:
    try:
        row = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ExportFormatError(f"{path.name}: line {number} is not JSON ({exc})") from None
    if not isinstance(row, dict):
        raise ExportFormatError(f"{path.name}: line {number} is not a JSON object")
    return row


def iter_export_rows(path: Path) -> Iterator[dict[str, Any]]:
    """Stream the rows of an export file (the importer's reader), checking the framing: '['
    alone on the first line, one object per line, a comma after every row but the last, ']'
    alone on the last line. ExportFormatError names the file and line otherwise."""
    with path.open("rb") as handle:
        lines = iter(handle)
        if next(lines, b"").rstrip(b"\n") != b"[":
            raise ExportFormatError(f"{path.name}: line 1 is not the opening '['")
        number = 1
        pending: bytes | None = None
        for line in lines:
            number += 1
            if line == b"]\n":
                if pending is not None:
                    yield _parse_row(pending.rstrip(b"\n"), path, number - 1)
                if next(lines, None) is not None:
                    raise ExportFormatError(f"{path.name}: data after the closing ']'")
                return
            if pending is not None:
                if not pending.endswith(b",\n"):
                    raise ExportFormatError(f"{path.name}: line {number - 1} lacks its comma")
                yield _parse_row(pending[:-2], path, number - 1)
            pending = line
        raise ExportFormatError(f"{path.name}: missing the closing ']'")


@dataclass(slots=True)
class ExportCheck:
    manifest_path: Path
    discrepancies: list[Discrepancy] = field(default_factory=list)
    tables: dict[str, TableDigest] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.discrepancies

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "manifest": str(self.manifest_path),
            "tables": {
                n: {"rows": d.rows, "content_hash": d.content_hash} for n, d in self.tables.items()
            },
            "discrepancies": [d.as_dict() for d in self.discrepancies],
        }


def check_export(out_dir: Path, *, progress: Progress = NULL_PROGRESS) -> ExportCheck:
    """Re-read an export: manifest complete, every file present with its size and SHA-256,
    every row with the manifest's columns, and row counts and content hashes as recorded."""
    manifest_path = out_dir / MANIFEST_NAME
    manifest = read_manifest(manifest_path)
    if manifest.kind != "export":
        raise ManifestError(f"{manifest_path} is a {manifest.kind} manifest, not an export's")
    result = ExportCheck(manifest_path)
    if not manifest.complete:
        result.discrepancies.append(
            Discrepancy("incomplete", "the manifest records an export that did not finish")
        )
    for entry in manifest.tables:
        if entry.rows is None:
            continue
        if entry.file is None:
            result.discrepancies.append(
                Discrepancy("missing_file", f"{entry.name}: no file recorded", entry.name)
            )
            continue
        path = artefact_path(manifest_path, entry.file)
        problems = check_file(path, entry.file_size, entry.file_sha256, entry.name)
        result.discrepancies.extend(problems)
        if any(p.code == "missing_file" for p in problems):
            continue
        digester = TableDigester(entry.column_names, entry.kinds())
        progress.start(entry.name, entry.rows)
        try:
            for row in iter_export_rows(path):
                if list(row) != entry.column_names:
                    result.discrepancies.append(
                        Discrepancy(
                            "columns",
                            f"{entry.name}: a row's columns differ from the manifest",
                            entry.name,
                            entry.column_names,
                            list(row),
                        )
                    )
                    break
                digester.add_jsonable(list(row.values()))
                progress.advance(entry.name, 1)
        except ExportFormatError as exc:
            result.discrepancies.append(Discrepancy("format", str(exc), entry.name))
            continue
        progress.finish(entry.name)
        digest = digester.result()
        result.tables[entry.name] = digest
        if digest.rows != entry.rows:
            result.discrepancies.append(
                Discrepancy(
                    "row_count",
                    f"{entry.name}: {digest.rows} rows in the file, the manifest says {entry.rows}",
                    entry.name,
                    entry.rows,
                    digest.rows,
                )
            )
        elif digest.content_hash != entry.content_hash:
            result.discrepancies.append(
                Discrepancy(
                    "content_hash",
                    f"{entry.name}: file content differs from the manifest",
                    entry.name,
                    entry.content_hash,
                    digest.content_hash,
                )
            )
    return result
