"""Import an export into the Django database: faithful, idempotent, fast, without side effects.

`import_export(export_dir, database_url=None, ...)` reads ONLY the export (its manifest and
one JSON file per table, never the legacy database) and, table by table in dependency order:

1. refuses what it cannot account for before writing anything: an incomplete export or one
   whose manifest records errors, files whose size or SHA-256 differ from the manifest,
   columns or tables `cutover.legacy_schema` does not declare (ConfigError, naming every one),
   an unmigrated Django database;
2. converts every value by the documented rules (`cutover.mapping`, the same code verify
   runs): booleans, flags whose NULL reads as the legacy default (counted per column),
   naive legacy timestamps to UTC from the legacy zone, text dates, JSON text, passwords by the
   authentication rule (placeholders and garbage migrate unusable, counted);
3. stages each batch in a temporary table (PostgreSQL: COPY; SQLite: executemany), checks
   every foreign key against rows already in the Django database, then upserts with
   `INSERT ... SELECT ... ON CONFLICT (pk) DO UPDATE ... WHERE the row differs`: primary keys
   are kept, a second run writes nothing (every row is counted inserted, updated or
   unchanged). The next batch is read and converted by a thread meanwhile. When the
   PostgreSQL role may, the per-row foreign-key triggers are skipped for the transaction
   (`SET LOCAL session_replication_role = replica`): the checks per batch, and one per table
   before commit, replace them;
4. resets the PostgreSQL sequences of every imported table to its largest key.

Only SQL is written: no model `save()`, no signal, no service, so importing history creates
no notifications, audit rows, emails, broadcasts or cache invalidations (the legacy
audit_logs and sync_events rows are migrated as they are).

A value no rule converts, a foreign key naming a row that is not there, or a row the database
refuses stops the import (ConversionError / CellError naming table, key, column and value;
the whole run is rolled back by default). With a quarantine file the row is set aside there
instead (with its export row, so it can be fixed and re-imported) and the import continues;
verify accounts for quarantined rows. Atomicity: the whole run in one transaction (default),
or one transaction per table.
"""

# SQL here is built from identifiers of the declared schema and Django's model metadata,
# always quoted; values always travel as parameters or COPY data.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time as clock
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson
import psycopg
from psycopg import sql

from cutover import conversions as cv
from cutover.conversions import JSON_NULL, ConversionError, PasswordStatus
from cutover.errors import (
    CellError,
    ConfigError,
    DiscrepancyError,
    Problem,
    Severity,
    preview,
)
from cutover.export import MANIFEST_NAME, iter_export_rows
from cutover.legacy_schema import (
    DEPENDENCY_ORDER,
    NOT_MIGRATED,
    TABLES_BY_NAME,
    Dialect,
    Kind,
)
from cutover.manifest import (
    Manifest,
    ManifestError,
    TableEntry,
    artefact_path,
    check_file,
    jsonable,
    read_manifest,
    utc_now_iso,
)
from cutover.mapping import FieldPlan, TableMapping, table_mapping
from cutover.progress import NULL_PROGRESS, Progress
from cutover.sources import prefetched

DEFAULT_IMPORT_BATCH = 5000
QUARANTINE_FORMAT = "rgms-cutover-quarantine"
QUARANTINE_VERSION = 1
log = logging.getLogger("cutover.import")


class AtomicMode(StrEnum):
    """How much one transaction covers."""

    RUN = "run"  # every table, the sequences included: all or nothing (default)
    TABLE = "table"  # one transaction per table (a failure keeps the tables before it)


# Database errors that mean "this data", never "this connection" or "this SQL": constraints,
# values out of a type's range, and limits such as a value too large for a btree index entry
# (about 2.7 kB: Django indexes cadets.platoon, users.email...; SQLite legacy has no limit).
_REFUSALS = (
    psycopg.IntegrityError,
    psycopg.DataError,
    psycopg.errors.ProgramLimitExceeded,
    sqlite3.IntegrityError,
    sqlite3.DataError,
)


class RowRefused(CellError):
    """A row the Django database refuses (a constraint), or whose key names a missing row."""


# ----------------------------------------------------------------------------- quarantine


@dataclass(frozen=True, slots=True)
class QuarantinedRow:
    table: str
    pk: object
    column: str
    value: object
    reason: str
    row: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "pk": self.pk,
            "column": self.column,
            "value": jsonable(self.value, strict=False),
            "value_preview": preview(self.value),
            "reason": self.reason,
            "row": self.row,
        }


class Quarantine:
    """Rows set aside instead of stopping the import, written as one JSON report."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[QuarantinedRow] = []
        self._keys: dict[str, set[object]] = {}

    def add(self, error: CellError, row: dict[str, Any]) -> None:
        self.rows.append(
            QuarantinedRow(error.table, error.pk, error.column, error.value, error.reason, row)
        )
        self._keys.setdefault(error.table, set()).add(error.pk)

    def keys(self, table: str) -> set[object]:
        return self._keys.get(table, set())

    def count(self, table: str | None = None) -> int:
        if table is None:
            return len(self.rows)
        return sum(1 for r in self.rows if r.table == table)

    def write(self, export_dir: Path) -> Path:
        tables: dict[str, list[dict[str, Any]]] = {}
        for row in self.rows:
            tables.setdefault(row.table, []).append(row.as_dict())
        document = {
            "format": QUARANTINE_FORMAT,
            "version": QUARANTINE_VERSION,
            "created_at": utc_now_iso(),
            "export": str(export_dir),
            "total": len(self.rows),
            "tables": tables,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
        tmp.replace(self.path)
        return self.path


def read_quarantine(path: Path) -> dict[str, set[int]]:
    """Table -> keys of the rows a quarantine report set aside (for verify)."""
    try:
        document = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise ConfigError(f"cannot read quarantine report {path}: {exc.strerror or exc}") from exc
    except orjson.JSONDecodeError as exc:
        raise ManifestError(f"{path} is not JSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("format") != QUARANTINE_FORMAT:
        raise ManifestError(f"{path} is not a quarantine report")
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise ManifestError(f"{path}: 'tables' is not an object")
    keys: dict[str, set[int]] = {}
    for table, rows in tables.items():
        if not isinstance(rows, list):
            raise ManifestError(f"{path}: tables.{table} is not a list")
        for row in rows:
            if not isinstance(row, dict) or "pk" not in row:
                raise ManifestError(f"{path}: a quarantined {table} row has no key")
            try:
                pk = cv.to_int(row["pk"])
            except ConversionError:
                pk = None
            if pk is None:
                raise ManifestError(f"{path}: quarantined {table} key {row['pk']!r} is not one")
            keys.setdefault(table, set()).add(pk)
    return keys


# ----------------------------------------------------------------------------- results


@dataclass(slots=True)
class TableImport:
    name: str
    model: str
    status: str  # imported | absent | not_migrated
    rows: int = 0  # rows in the export file
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    flag_defaults: dict[str, int] = field(default_factory=dict)
    defaulted: dict[str, Any] = field(default_factory=dict)
    passwords: dict[str, int] | None = None
    seconds: float = 0.0

    @property
    def written(self) -> int:
        return self.inserted + self.updated

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.model,
            "status": self.status,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
            "flag_defaults": self.flag_defaults,
            "defaulted_fields": {k: jsonable(v, strict=False) for k, v in self.defaulted.items()},
            "passwords": self.passwords,
            "seconds": round(self.seconds, 3),
        }


@dataclass(slots=True)
class ImportResult:
    export_dir: Path
    database: str
    atomic: AtomicMode
    legacy_zone: str
    tables: list[TableImport]
    sequences: dict[str, int | None]
    seconds: float
    quarantine_path: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    # How foreign keys were enforced while writing: PostgreSQL's per-row triggers, or (when
    # the role may skip them) the importer's own check per batch plus one per table.
    foreign_key_checks: str = "per row"

    @property
    def ok(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)

    def _sum(self, attribute: str) -> int:
        return sum(getattr(t, attribute) for t in self.tables)

    @property
    def total_rows(self) -> int:
        """Rows now in the Django database from this export (quarantined ones excluded)."""
        return self._sum("inserted") + self._sum("updated") + self._sum("unchanged")

    @property
    def inserted(self) -> int:
        return self._sum("inserted")

    @property
    def updated(self) -> int:
        return self._sum("updated")

    @property
    def unchanged(self) -> int:
        return self._sum("unchanged")

    @property
    def quarantined(self) -> int:
        return self._sum("quarantined")

    @property
    def changed(self) -> int:
        """Rows this run wrote (0 on a re-run of the same export)."""
        return self.inserted + self.updated

    @property
    def passwords(self) -> dict[str, int]:
        found = next((t.passwords for t in self.tables if t.passwords is not None), None)
        return dict(found or {})

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds > 0 else 0.0

    @property
    def summary(self) -> str:
        pw = self.passwords
        unusable = pw.get(PasswordStatus.PLACEHOLDER, 0) + pw.get(PasswordStatus.INVALID, 0)
        text = (
            f"imported {self.total_rows} rows into "
            f"{sum(1 for t in self.tables if t.status == 'imported')} tables: "
            f"{self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged"
        )
        if self.quarantined:
            text += f"; {self.quarantined} quarantined ({self.quarantine_path})"
        if pw:
            text += f"; {unusable} users without a usable password"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "summary": self.summary,
            "export_dir": str(self.export_dir),
            "database": self.database,
            "atomic": str(self.atomic),
            "legacy_zone": self.legacy_zone,
            "total_rows": self.total_rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
            "quarantine_report": None
            if self.quarantine_path is None
            else str(self.quarantine_path),
            "passwords": self.passwords,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second),
            "sequences": self.sequences,
            "foreign_key_checks": self.foreign_key_checks,
            "tables": [t.as_dict() for t in self.tables],
            "problems": [p.as_dict() for p in self.problems],
        }


# ----------------------------------------------------------------------------- planning


@dataclass(frozen=True, slots=True)
class _Planned:
    entry: TableEntry
    mapping: TableMapping | None  # None: nothing to import (absent or not migrated)
    status: str


def _refusals(manifest: Manifest) -> list[str]:
    """Everything the import cannot account for, named (empty when it may run)."""
    found: list[str] = []
    for entry in manifest.tables:
        if entry.name in NOT_MIGRATED:
            continue
        table = TABLES_BY_NAME.get(entry.name)
        if table is None:
            found.append(
                f"table {entry.name} is not a declared legacy table (declare it in "
                "cutover.legacy_schema, or in NOT_MIGRATED with a reason)"
            )
            continue
        unknown = [c for c in entry.column_names if not table.has_column(c)]
        unknown += [c for c in entry.unknown_columns if c not in unknown]
        found.extend(f"column {entry.name}.{c} is not a declared legacy column" for c in unknown)
    return found


def _plan(manifest: Manifest, zone: Any) -> list[_Planned]:
    refused = _refusals(manifest)
    if refused:
        raise ConfigError(
            "the export has what the legacy schema does not declare; nothing was imported: "
            + "; ".join(refused)
        )
    errors = [p for p in manifest.problems if p.severity is Severity.ERROR]
    if errors:
        raise DiscrepancyError(
            "the export recorded errors; nothing was imported: "
            + "; ".join(p.message for p in errors)
        )
    entries = {e.name: e for e in manifest.tables}
    planned: list[_Planned] = []
    for name in DEPENDENCY_ORDER:
        entry = entries.get(name)
        if entry is None:
            raise DiscrepancyError(f"the export manifest does not list table {name}")
        if entry.rows is None:
            if entry.status != "absent_documented":
                raise DiscrepancyError(f"table {name} was not exported (status {entry.status})")
            planned.append(_Planned(entry, None, "absent"))
            continue
        planned.append(
            _Planned(
                entry, table_mapping(TABLES_BY_NAME[name], entry.column_names, zone), "imported"
            )
        )
    planned.extend(
        _Planned(entries[name], None, "not_migrated") for name in NOT_MIGRATED if name in entries
    )
    return planned


# ----------------------------------------------------------------------------- writers


def _json_text(value: object) -> str:
    if value is JSON_NULL:
        return "null"
    try:
        return orjson.dumps(value).decode()
    except (orjson.JSONEncodeError, TypeError):  # integers beyond 64 bits
        import json

        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Stage:
    """One table's staging table and upsert, per dialect."""

    def __init__(self, connection: Any, mapping: TableMapping, dialect: Dialect) -> None:
        self.mapping = mapping
        self.dialect = dialect
        self.raw = connection.connection
        self.pg = dialect is Dialect.POSTGRESQL
        self.name = f"cutover_stage_{mapping.name}"
        self.columns = [f.column for f in mapping.fields] + [d.column for d in mapping.defaulted]
        self.defaults = tuple(d.value for d in mapping.defaulted)
        self.json_positions = [i for i, f in enumerate(mapping.fields) if f.kind is Kind.JSON]
        self.sqlite_prep = None if self.pg else self._sqlite_preparers(connection)

    # -- SQL text
    def _q(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def _column_list(self, prefix: str = "") -> str:
        return ", ".join(prefix + self._q(c) for c in self.columns)

    def _upsert_sql(self, where_key: bool = False) -> str:
        m = self.mapping
        target, pk = self._q(m.db_table), self._q(m.pk.column)
        stage = self._q(self.name) if self.pg else f"temp.{self._q(self.name)}"
        updatable = [f.column for f in m.fields if f is not m.pk]
        condition = f"{pk} = %s" if where_key else "true"
        if not self.pg:
            condition = condition.replace("%s", "?")
        text = (
            f"INSERT INTO {target} AS t ({self._column_list()}) "
            f"SELECT {self._column_list()} FROM {stage} WHERE {condition} "
            f"ON CONFLICT ({pk}) "
        )
        if not updatable:
            return text + "DO NOTHING"
        excluded = "EXCLUDED." if self.pg else "excluded."
        sets = ", ".join(f"{self._q(c)} = {excluded}{self._q(c)}" for c in updatable)
        ours = ", ".join(f"t.{self._q(c)}" for c in updatable)
        theirs = ", ".join(excluded + self._q(c) for c in updatable)
        differs = "IS DISTINCT FROM" if self.pg else "IS NOT"
        if len(updatable) > 1 and self.pg:
            ours, theirs = f"ROW({ours})", f"ROW({theirs})"
        else:
            ours, theirs = f"({ours})", f"({theirs})"
        return text + f"DO UPDATE SET {sets} WHERE {ours} {differs} {theirs}"

    def _sqlite_preparers(self, connection: Any) -> list[Any]:
        """Django's own value preparation per field (the form Django itself writes)."""
        meta = self.mapping.model._meta
        preparers = []
        for f in self.mapping.fields:
            model_field = meta.get_field(f.field)
            if f.kind is Kind.JSON:
                preparers.append(lambda v: None if v is None else _json_text(v))
            else:
                target = model_field.target_field if model_field.is_relation else model_field
                preparers.append(
                    lambda v, t=target: (
                        None if v is None else t.get_db_prep_value(v, connection, prepared=False)
                    )
                )
        return preparers

    # -- lifecycle
    def create(self) -> None:
        cur = self.raw.cursor()
        target = self._q(self.mapping.db_table)
        if self.pg:
            cur.execute(f"DROP TABLE IF EXISTS {self._q(self.name)}")
            cur.execute(
                f"CREATE TEMP TABLE {self._q(self.name)} AS SELECT {self._column_list()} "
                f"FROM {target} WITH NO DATA"
            )
        else:
            cur.execute(f"DROP TABLE IF EXISTS temp.{self._q(self.name)}")
            cur.execute(
                f"CREATE TEMP TABLE {self._q(self.name)} AS SELECT {self._column_list()} "
                f"FROM main.{target} WHERE 0"
            )
        cur.close()

    def drop(self) -> None:
        with contextlib.suppress(psycopg.Error, sqlite3.Error):
            cur = self.raw.cursor()
            stage = self._q(self.name) if self.pg else f"temp.{self._q(self.name)}"
            cur.execute(f"DROP TABLE IF EXISTS {stage}")
            cur.close()

    # -- per batch
    def load(self, rows: Sequence[Sequence[object]]) -> None:
        """Replace the staging table's content with `rows` (converted field values)."""
        cur = self.raw.cursor()
        if self.pg:
            cur.execute(f"TRUNCATE {self._q(self.name)}")
            copy_sql = f"COPY {self._q(self.name)} ({self._column_list()}) FROM STDIN"
            json_positions = self.json_positions
            defaults = self.defaults
            with cur.copy(copy_sql) as copy:
                write = copy.write_row
                if json_positions or defaults:
                    for row in rows:
                        values = list(row)
                        for i in json_positions:
                            if values[i] is not None:
                                values[i] = _json_text(values[i])
                        values.extend(defaults)
                        write(values)
                else:
                    for row in rows:
                        write(row)
        else:
            cur.execute(f"DELETE FROM temp.{self._q(self.name)}")
            prep = self.sqlite_prep
            assert prep is not None
            marks = ", ".join("?" for _ in self.columns)
            cur.executemany(
                f"INSERT INTO temp.{self._q(self.name)} VALUES ({marks})",
                ((*(p(v) for p, v in zip(prep, row, strict=True)), *self.defaults) for row in rows),
            )
        cur.close()

    def orphans(self) -> list[tuple[object, FieldPlan, object]]:
        """(key, column, value) of staged rows whose foreign key names no row."""
        found: list[tuple[object, FieldPlan, object]] = []
        pk = self._q(self.mapping.pk.column)
        stage = self._q(self.name) if self.pg else f"temp.{self._q(self.name)}"
        cur = self.raw.cursor()
        for plan in self.mapping.references:
            ref = plan.reference
            assert ref is not None
            column = self._q(plan.column)
            cur.execute(
                f"SELECT s.{pk}, s.{column} FROM {stage} s WHERE s.{column} IS NOT NULL "
                f"AND NOT EXISTS (SELECT 1 FROM {self._q(ref.table)} p "
                f"WHERE p.{self._q(ref.column)} = s.{column}) ORDER BY s.{pk}"
            )
            found.extend((key, plan, value) for key, value in cur.fetchall())
        cur.close()
        return found

    def discard(self, keys: Sequence[object]) -> None:
        stage = self._q(self.name) if self.pg else f"temp.{self._q(self.name)}"
        pk = self._q(self.mapping.pk.column)
        cur = self.raw.cursor()
        mark = "%s" if self.pg else "?"
        cur.executemany(f"DELETE FROM {stage} WHERE {pk} = {mark}", [(k,) for k in keys])
        cur.close()

    def staged_keys(self) -> list[object]:
        stage = self._q(self.name) if self.pg else f"temp.{self._q(self.name)}"
        pk = self._q(self.mapping.pk.column)
        cur = self.raw.cursor()
        cur.execute(f"SELECT {pk} FROM {stage} ORDER BY {pk}")
        keys = [r[0] for r in cur.fetchall()]
        cur.close()
        return keys

    def upsert(self, key: object = None) -> tuple[int, int, int]:
        """Upsert the staged rows (or only the one with `key`): (inserted, updated, unchanged)."""
        m = self.mapping
        stage = self._q(self.name) if self.pg else f"temp.{self._q(self.name)}"
        pk = self._q(m.pk.column)
        only = "" if key is None else (f" WHERE s.{pk} = %s" if self.pg else f" WHERE s.{pk} = ?")
        params: tuple[object, ...] | None = None if key is None else (key,)
        if params is None and not self.pg:
            params = ()  # sqlite3 takes no None
        cur = self.raw.cursor()
        cur.execute(
            f"SELECT count(*), count(t.{pk}) FROM {stage} s "
            f"LEFT JOIN {self._q(m.db_table)} t ON t.{pk} = s.{pk}{only}",
            params,
        )
        staged, existing = cur.fetchone()
        cur.execute(self._upsert_sql(where_key=key is not None), params)
        changed = cur.rowcount
        cur.close()
        inserted = staged - existing
        updated = changed - inserted
        return inserted, updated, existing - updated


# ----------------------------------------------------------------------------- import


def _database_error(exc: BaseException) -> str:
    diag = getattr(exc, "diag", None)
    detail = getattr(diag, "message_detail", None) if diag is not None else None
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{text} ({detail})" if detail else text


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A batch of export rows and what the rules made of them."""

    rows: list[dict[str, Any]]
    converted: list[Sequence[object]]
    errors: list[ConversionError]
    tally: Counter[str]


class _TableImporter:
    def __init__(
        self,
        connection: Any,
        mapping: TableMapping,
        entry: TableEntry,
        path: Path,
        dialect: Dialect,
        quarantine: Quarantine | None,
        batch_size: int,
        progress: Progress,
    ) -> None:
        self.connection = connection
        self.mapping = mapping
        self.entry = entry
        self.path = path
        self.quarantine = quarantine
        self.batch_size = batch_size
        self.progress = progress
        self.stage = _Stage(connection, mapping, dialect)
        self.result = TableImport(
            mapping.name,
            str(mapping.table.model),
            "imported",
            defaulted={d.field: d.value for d in mapping.defaulted},
        )
        columns = mapping.legacy_columns
        self.pick: Callable[[dict[str, Any]], Sequence[object]] = (
            itemgetter(*columns) if len(columns) > 1 else (lambda r: (r[columns[0]],))
        )
        self.result.flag_defaults = {
            f.legacy: 0 for f in mapping.fields if f.flag_default is not None
        }
        if any(f.kind is Kind.PASSWORD for f in mapping.fields):
            self.result.passwords = {str(s): 0 for s in PasswordStatus}

    def _rows(self) -> Iterator[dict[str, Any]]:
        expected = self.mapping.legacy_columns
        width = len(expected)
        for number, row in enumerate(iter_export_rows(self.path), start=1):
            if len(row) != width:
                raise DiscrepancyError(
                    f"{self.path.name}: row {number} has columns {sorted(row)}, the manifest "
                    f"lists {list(expected)}"
                )
            yield row

    def _set_aside(self, error: CellError, row: dict[str, Any]) -> None:
        if self.quarantine is None:
            raise error
        self.quarantine.add(error, row)
        self.result.quarantined += 1
        log.warning("quarantined %s", error)

    def run(self) -> TableImport:
        started = clock.perf_counter()
        self.progress.start(self.mapping.name, self.entry.rows)
        self.stage.create()
        read = [0]

        def prepared() -> Iterator[_Prepared]:
            batch: list[dict[str, Any]] = []
            for row in self._rows():
                read[0] += 1
                batch.append(row)
                if len(batch) >= self.batch_size:
                    yield self._prepare(batch)
                    batch = []
            if batch:
                yield self._prepare(batch)

        try:
            # The export is read and converted one batch ahead by a thread, while this one
            # waits for the database to write the batch before.
            for batch in prefetched(prepared()):
                self._write(batch)
        finally:
            self.stage.drop()
        if read[0] != self.entry.rows:
            raise DiscrepancyError(
                f"{self.mapping.name}: {read[0]} rows in {self.path.name}, the manifest says "
                f"{self.entry.rows}"
            )
        self.result.rows = read[0]
        self.result.seconds = clock.perf_counter() - started
        self.progress.finish(self.mapping.name)
        return self.result

    def _prepare(self, batch: list[dict[str, Any]]) -> _Prepared:
        """Convert a batch (no database needed)."""
        tally: Counter[str] = Counter()
        converted, errors = self.mapping.convert_batch([self.pick(r) for r in batch], tally)
        return _Prepared(batch, converted, errors, tally)

    def _raw_by_key(self, batch: list[dict[str, Any]]) -> dict[object, dict[str, Any]]:
        """The export rows of a batch by converted key (for naming and setting rows aside)."""
        legacy = self.mapping.pk.legacy
        found: dict[object, dict[str, Any]] = {}
        for row in batch:
            try:
                found[self.mapping.pk.convert(row[legacy])] = row
            except ConversionError:
                continue
        return found

    def _write(self, prepared: _Prepared) -> None:
        from django.db import transaction

        batch, converted, errors, tally = (
            prepared.rows,
            prepared.converted,
            prepared.errors,
            prepared.tally,
        )
        if errors:
            by_raw_key = {r[self.mapping.pk.legacy]: r for r in batch}
            for error in errors:
                self._set_aside(error, by_raw_key.get(error.pk, {}))
        for legacy, flag_count in tally.items():
            if legacy.startswith("password:"):
                assert self.result.passwords is not None
                self.result.passwords[legacy.removeprefix("password:")] += flag_count
            else:
                self.result.flag_defaults[legacy] += flag_count
        raw_rows: dict[object, dict[str, Any]] | None = None
        if converted:
            self.stage.load(converted)
            orphans = self.stage.orphans()
        else:
            orphans = []
        if orphans:
            raw_rows = self._raw_by_key(batch)
            refused = []
            for key, plan, value in orphans:
                ref = plan.reference
                assert ref is not None
                where = ref.legacy_table or ref.table
                held = self.quarantine.keys(ref.legacy_table or "") if self.quarantine else set()
                note = " (that row was quarantined)" if value in held else ""
                error = RowRefused(
                    self.mapping.name,
                    key,
                    plan.legacy,
                    value,
                    f"names {where} row {value}, which is not in the Django database{note}",
                )
                self._set_aside(error, raw_rows[key])
                refused.append(key)
            self.stage.discard(sorted(set(refused)))
        if not converted:
            self.progress.advance(self.mapping.name, len(batch))
            return
        alias = self.connection.alias
        try:
            with transaction.atomic(using=alias):
                inserted, updated, unchanged = self.stage.upsert()
        except _REFUSALS as exc:
            inserted = updated = unchanged = 0
            log.warning("%s: batch refused (%s); retrying row by row", self.mapping.name, exc)
            for key in self.stage.staged_keys():
                try:
                    with transaction.atomic(using=alias):
                        i, u, c = self.stage.upsert(key)
                except _REFUSALS as row_exc:
                    if raw_rows is None:
                        raw_rows = self._raw_by_key(batch)
                    constraint = getattr(getattr(row_exc, "diag", None), "constraint_name", None)
                    error = RowRefused(
                        self.mapping.name,
                        key,
                        constraint or "?",
                        raw_rows[key],
                        f"the Django database refused the row: {_database_error(row_exc)}",
                    )
                    self._set_aside(error, raw_rows[key])
                    continue
                inserted, updated, unchanged = inserted + i, updated + u, unchanged + c
        self.result.inserted += inserted
        self.result.updated += updated
        self.result.unchanged += unchanged
        self.progress.advance(self.mapping.name, len(batch))


def _skip_row_triggers(connection: Any) -> bool:
    """PostgreSQL, when the role may: skip the per-row foreign-key triggers for this
    transaction (SET LOCAL session_replication_role = replica). The importer checks every
    foreign key itself, per batch before writing and once per table after; the checks cost a
    fraction of firing a trigger per row at commit. False (triggers stay) otherwise."""
    from django.db import transaction

    if connection.vendor != "postgresql":
        return False
    try:
        with transaction.atomic(using=connection.alias):
            connection.connection.execute("SET LOCAL session_replication_role = replica")
    except psycopg.errors.InsufficientPrivilege:
        return False
    return True


def check_foreign_keys(connection: Any, mapping: TableMapping) -> None:
    """Every foreign key of the table names an existing row (DiscrepancyError otherwise)."""
    q = '"{}"'.format
    cur = connection.connection.cursor()
    try:
        for plan in mapping.references:
            ref = plan.reference
            assert ref is not None
            column = q(plan.column)
            cur.execute(
                f"SELECT count(*) FROM {q(mapping.db_table)} c WHERE c.{column} IS NOT NULL "
                f"AND NOT EXISTS (SELECT 1 FROM {q(ref.table)} p "
                f"WHERE p.{q(ref.column)} = c.{column})"
            )
            orphans = cur.fetchone()[0]
            if orphans:
                raise DiscrepancyError(
                    f"{mapping.name}: {orphans} rows name a missing {ref.table} row in "
                    f"{plan.legacy} after the import; nothing was committed for it"
                )
    finally:
        cur.close()


def reset_sequences(connection: Any, mappings: Sequence[TableMapping]) -> dict[str, int | None]:
    """PostgreSQL: every imported table's key sequence set to its largest key (the next
    insert gets max + 1; an empty table starts at 1). SQLite's AUTOINCREMENT follows the
    inserted keys by itself. Returns table -> the sequence's last value (None: no sequence)."""
    values: dict[str, int | None] = {}
    if connection.vendor != "postgresql":
        return {m.name: None for m in mappings}
    cur = connection.connection.cursor()
    for m in mappings:
        cur.execute(
            sql.SQL("SELECT pg_get_serial_sequence({}, {})").format(
                sql.Literal(m.db_table), sql.Literal(m.pk.column)
            )
        )
        sequence = cur.fetchone()[0]
        if sequence is None:
            values[m.name] = None
            continue
        cur.execute(
            sql.SQL(
                "SELECT setval({seq}, COALESCE(max({pk}), 1), max({pk}) IS NOT NULL) FROM {table}"
            ).format(
                seq=sql.Literal(sequence),
                pk=sql.Identifier(m.pk.column),
                table=sql.Identifier(m.db_table),
            )
        )
        values[m.name] = int(cur.fetchone()[0])
    cur.close()
    return values


def import_export(
    export_dir: Path | str,
    *,
    database_url: str | None = None,
    quarantine: Path | str | None = None,
    atomic: AtomicMode | str = AtomicMode.RUN,
    legacy_zone: str = "UTC",
    batch_size: int = DEFAULT_IMPORT_BATCH,
    progress: Progress = NULL_PROGRESS,
) -> ImportResult:
    """Import the export in `export_dir` into the Django database (Django's `default`, or
    `database_url`). See the module docstring; raises ConfigError (exit 2) for what it
    refuses up front, CellError/DiscrepancyError (exit 1) when a row stops it."""
    from django.db import connections, transaction

    from cutover.django_target import (
        describe,
        dialect_of,
        missing_tables,
        release,
        target_alias,
    )

    started = clock.perf_counter()
    export_dir = Path(export_dir)
    mode = AtomicMode(atomic)
    zone = cv.legacy_zone(legacy_zone)
    manifest_path = export_dir / MANIFEST_NAME
    manifest = read_manifest(manifest_path)
    if manifest.kind != "export":
        raise ManifestError(f"{manifest_path} is a {manifest.kind} manifest, not an export's")
    if not manifest.complete:
        raise DiscrepancyError(f"{manifest_path} records an export that did not finish")
    alias = target_alias(database_url)
    connection = connections[alias]
    dialect = dialect_of(alias)
    planned = _plan(manifest, zone)
    mappings = [p.mapping for p in planned if p.mapping is not None]
    absent = missing_tables(alias, [m.db_table for m in mappings])
    if absent:
        raise ConfigError(
            f"the Django database {describe(alias)} has no table {', '.join(absent)}: "
            "run `manage.py migrate` first"
        )
    for p in planned:
        if p.mapping is None:
            continue
        path = artefact_path(manifest_path, p.entry.file or "")
        found = check_file(path, p.entry.file_size, p.entry.file_sha256, p.entry.name)
        if found:
            raise DiscrepancyError("; ".join(d.message for d in found))
    holder = Quarantine(Path(quarantine)) if quarantine is not None else None
    results: list[TableImport] = []
    sequences: dict[str, int | None] = {}

    fk_mode: list[str] = []
    bulk_label = "checked per batch and per table"

    def import_table(p: _Planned, bulk_keys: bool) -> None:
        assert p.mapping is not None
        path = artefact_path(manifest_path, p.entry.file or "")
        importer = _TableImporter(
            connection, p.mapping, p.entry, path, dialect, holder, batch_size, progress
        )
        results.append(importer.run())
        if bulk_keys:
            check_foreign_keys(connection, p.mapping)
        log.debug("imported %s: %s", p.mapping.name, importer.result.as_dict())

    try:
        if mode is AtomicMode.RUN:
            with transaction.atomic(using=alias):
                bulk_keys = _skip_row_triggers(connection)
                fk_mode.append(bulk_label if bulk_keys else "per row")
                for p in planned:
                    if p.mapping is not None:
                        import_table(p, bulk_keys)
                sequences = reset_sequences(connection, mappings)
        else:
            for p in planned:
                if p.mapping is not None:
                    with transaction.atomic(using=alias):
                        bulk_keys = _skip_row_triggers(connection)
                        fk_mode.append(bulk_label if bulk_keys else "per row")
                        import_table(p, bulk_keys)
            with transaction.atomic(using=alias):
                sequences = reset_sequences(connection, mappings)
    except (psycopg.OperationalError, sqlite3.OperationalError) as exc:
        # the connection or the server failed (not the data): nothing was committed for the
        # transaction in progress; re-run once the database is back
        raise ConfigError(f"the Django database {describe(alias)} failed: {exc}".strip()) from exc
    finally:
        if holder is not None:
            holder.write(export_dir)
        if database_url:
            release(alias)  # a database given by URL keeps no idle connection from us
    results.extend(TableImport(p.entry.name, "-", p.status) for p in planned if p.mapping is None)
    order = {name: i for i, name in enumerate(DEPENDENCY_ORDER)}
    results.sort(key=lambda t: order.get(t.name, len(order)))
    problems: list[Problem] = []
    if holder is not None and holder.rows:
        problems.append(
            Problem(
                Severity.WARNING,
                "quarantined",
                f"{len(holder.rows)} rows were set aside in {holder.path} instead of imported",
            )
        )
    result = ImportResult(
        export_dir,
        describe(alias),
        mode,
        legacy_zone,
        results,
        sequences,
        clock.perf_counter() - started,
        holder.path if holder is not None else None,
        problems,
        foreign_key_checks=fk_mode[0] if fk_mode else "none",
    )
    log.info(result.summary)
    return result
