"""Verify a migration: the legacy database against Django's, row by row and column by column.

`verify_migration(source_url, database_url=None, quarantine=None, ...)` reads both databases
in a read-only snapshot each, never the export, and reports:

* per table: legacy rows, Django rows, rows set aside by the import's quarantine report, and
  whether the counts add up (legacy = Django + quarantined);
* every row and every column compared after the SAME conversions the importer applies
  (`cutover.mapping`): both sides are streamed in primary-key order and merge-compared, so
  memory stays flat. A row only in the legacy database is *missing* (unless quarantined), a
  row only in Django's is *extra*, a cell that differs is a *mismatch* named with table, key,
  column, the legacy value, what it converts to and what Django holds; a legacy value that no
  rule converts (and that was not quarantined) is *unconvertible*;
* orphaned foreign keys in the Django database (R7): per foreign key, how many rows name a
  parent that does not exist, with sample keys;
* what the legacy database has that the schema does not declare (unknown tables or columns:
  they were not migrated) and declared tables it lacks.

Mismatches are listed up to a cap (`max_mismatches`) with totals per table and kind. Any
discrepancy makes the result not ok (exit 1). A read that fails is an error (exit 1 or 2),
never an empty table.

Comparison: values are compared as Python values after conversion: aware datetimes as
instants, dates, booleans, integers, floats (exactly), text exactly. JSON is compared as JSON:
object keys unordered, numbers by their decimal value (PostgreSQL jsonb keeps numbers as
decimals), the JSON literal null distinct from SQL NULL, true distinct from 1.
"""

# SQL here is built from Django's model metadata, always quoted.
# ruff: noqa: S608

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time as clock
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import repeat
from pathlib import Path
from typing import Any

import orjson
import psycopg

from cutover import conversions as cv
from cutover.conversions import JSON_NULL, ConversionError
from cutover.errors import ConfigError, Problem, Severity, preview
from cutover.legacy_schema import DEPENDENCY_ORDER, TABLES_BY_NAME, Dialect, Kind
from cutover.mapping import FieldPlan, TableMapping, table_mapping
from cutover.progress import NULL_PROGRESS, Progress
from cutover.sources import (
    DEFAULT_BATCH_SIZE,
    LegacySource,
    TablePlan,
    TableStatus,
    inspect_source,
    open_source,
)

DEFAULT_MAX_MISMATCHES = 100
ORPHAN_SAMPLE = 5
log = logging.getLogger("cutover.verify")


# ----------------------------------------------------------------------------- JSON form


class _JsonNullMark:
    """The JSON literal null at the top of a value (SQL NULL stays None)."""

    def __repr__(self) -> str:
        return "JSON null"


_TOP_JSON_NULL = _JsonNullMark()


def _canon(node: Any) -> Any:
    if node is None or node is True or node is False or isinstance(node, str):
        return node
    if isinstance(node, Decimal):
        return ("n", node)
    if isinstance(node, int):
        return ("n", Decimal(node))
    if isinstance(node, float):
        return ("n", Decimal(repr(node)))
    if isinstance(node, list):
        return ("a", tuple(_canon(item) for item in node))
    if isinstance(node, dict):
        return ("o", tuple(sorted((k, _canon(v)) for k, v in node.items())))
    raise TypeError(f"{type(node).__name__} is not a JSON value")


def canonical_json(value: Any) -> Any:
    """A converted JSON value (conversions.to_json) in exact comparable form: numbers as
    decimals, objects unordered, true distinct from 1, JSON null distinct from SQL NULL."""
    if value is None:
        return None
    if value is JSON_NULL:
        return _TOP_JSON_NULL
    return _canon(value)


def json_from_database(text: Any) -> Any:
    """A JSON column as the Django database holds it (text), in `canonical_json`'s form."""
    if text is None:
        return None
    if not isinstance(text, str):  # a driver that decoded it already
        return canonical_json(text)
    decoded = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    return _TOP_JSON_NULL if decoded is None else _canon(decoded)


# The fast form compares the compact, key-sorted serialisation of both sides (orjson, in C).
# Equal bytes mean equal JSON. Values orjson cannot carry exactly (integers beyond 64 bits;
# on the database side any number of 16 or more digits, which a double may not hold) take
# the exact form instead, and a row that differs only there is compared again exactly.
_LONG_NUMBER = re.compile(r"\d{16}")
_ORJSON_SORTED = orjson.OPT_SORT_KEYS


class _Exact:
    """A JSON value in its exact form (never equal to a fast form)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Exact) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return repr(self.value)


def fast_json(value: Any) -> Any:
    """The comparable form of a converted legacy JSON value."""
    if value is None:
        return None
    if value is JSON_NULL:
        return b"null"
    try:
        return orjson.dumps(value, option=_ORJSON_SORTED)
    except (orjson.JSONEncodeError, TypeError):
        return _Exact(canonical_json(value))


def fast_json_from_database(text: Any) -> Any:
    """The comparable form of a JSON column read from the Django database."""
    if text is None:
        return None
    if isinstance(text, str) and not _LONG_NUMBER.search(text):
        try:
            return orjson.dumps(orjson.loads(text), option=_ORJSON_SORTED)
        except (orjson.JSONDecodeError, orjson.JSONEncodeError, TypeError):
            pass
    return _Exact(json_from_database(text))


# ----------------------------------------------------------------------------- decoders


def _sqlite_datetime(value: Any) -> Any:
    if isinstance(value, str):
        moment = datetime.fromisoformat(value)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return value


def _sqlite_date(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _sqlite_bool(value: Any) -> Any:
    return bool(value) if isinstance(value, int) else value


def _decoder(plan: FieldPlan, dialect: Dialect) -> Callable[[Any], Any] | None:
    """How a Django-side value read from the database becomes comparable (None: as is)."""
    if plan.kind is Kind.JSON:
        return fast_json_from_database
    if dialect is Dialect.SQLITE:
        if plan.kind is Kind.TIMESTAMP:
            return _sqlite_datetime
        if plan.kind is Kind.DATE:
            return _sqlite_date
        if plan.kind is Kind.BOOLEAN:
            return _sqlite_bool
    return None


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One difference: `kind` is mismatch, missing, extra, unconvertible or
    quarantined_present."""

    table: str
    key: object
    kind: str
    column: str | None = None
    legacy: object = None  # the legacy database's value
    expected: object = None  # what it converts to
    django: object = None  # what the Django database holds
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "key": self.key,
            "kind": self.kind,
            "column": self.column,
            "legacy": preview(self.legacy),
            "expected": preview(self.expected),
            "django": preview(self.django),
            "reason": self.reason,
        }

    @property
    def message(self) -> str:
        where = f"{self.table} [{self.key}]" + (f" {self.column}" if self.column else "")
        if self.kind == "mismatch":
            return (
                f"{where}: legacy {preview(self.legacy)} converts to {preview(self.expected)}, "
                f"Django has {preview(self.django)}"
            )
        if self.kind == "missing":
            return f"{where}: in the legacy database, missing from Django's"
        if self.kind == "extra":
            return f"{where}: in the Django database, not in the legacy one"
        if self.kind == "quarantined_present":
            return f"{where}: quarantined by the import, yet present in the Django database"
        return f"{where}: {self.reason}; value {preview(self.legacy)}"


@dataclass(slots=True)
class TableVerify:
    name: str
    model: str
    legacy_rows: int = 0
    django_rows: int = 0
    quarantined: int = 0
    matched: int = 0
    missing: int = 0
    extra: int = 0
    mismatched_rows: int = 0
    mismatched_cells: int = 0
    unconvertible: int = 0
    quarantined_present: int = 0
    columns: list[str] = field(default_factory=list)
    not_compared: list[str] = field(default_factory=list)  # Django fields no legacy column feeds
    status: str = "compared"
    seconds: float = 0.0

    @property
    def counts_match(self) -> bool:
        return self.legacy_rows == self.django_rows + self.quarantined

    @property
    def discrepancies(self) -> int:
        return (
            self.missing
            + self.extra
            + self.mismatched_rows
            + self.unconvertible
            + self.quarantined_present
            + (0 if self.counts_match else 1)
        )

    @property
    def ok(self) -> bool:
        return self.discrepancies == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.model,
            "status": self.status,
            "ok": self.ok,
            "legacy_rows": self.legacy_rows,
            "django_rows": self.django_rows,
            "quarantined": self.quarantined,
            "counts_match": self.counts_match,
            "matched": self.matched,
            "missing": self.missing,
            "extra": self.extra,
            "mismatched_rows": self.mismatched_rows,
            "mismatched_cells": self.mismatched_cells,
            "unconvertible": self.unconvertible,
            "quarantined_present": self.quarantined_present,
            "columns": self.columns,
            "not_compared": self.not_compared,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True, slots=True)
class Orphans:
    """Rows of `table` whose `column` names a `parent` row that does not exist."""

    model: str
    table: str
    column: str
    parent: str
    count: int
    sample: tuple[tuple[object, object], ...]  # (row key, missing parent key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "table": self.table,
            "column": self.column,
            "parent": self.parent,
            "count": self.count,
            "sample": [list(s) for s in self.sample],
        }


@dataclass(slots=True)
class VerifyResult:
    source: str
    database: str
    legacy_zone: str
    tables: list[TableVerify]
    orphans: list[Orphans]
    mismatches: list[Mismatch]  # the first `max_mismatches`
    problems: list[Problem]
    seconds: float
    quarantine_report: str | None = None
    max_mismatches: int = DEFAULT_MAX_MISMATCHES

    @property
    def ok(self) -> bool:
        return (
            all(t.ok for t in self.tables)
            and not any(o.count for o in self.orphans)
            and not any(p.severity is Severity.ERROR for p in self.problems)
        )

    @property
    def total_rows(self) -> int:
        """Legacy rows examined."""
        return sum(t.legacy_rows for t in self.tables)

    @property
    def rows(self) -> int:
        return self.total_rows

    @property
    def compared_rows(self) -> int:
        return sum(t.legacy_rows + t.django_rows for t in self.tables)

    @property
    def rows_per_second(self) -> float:
        """Rows read and compared per second, both databases counted."""
        return self.compared_rows / self.seconds if self.seconds > 0 else 0.0

    @property
    def orphan_count(self) -> int:
        return sum(o.count for o in self.orphans)

    def totals(self) -> dict[str, int]:
        keys = (
            "legacy_rows",
            "django_rows",
            "quarantined",
            "matched",
            "missing",
            "extra",
            "mismatched_rows",
            "mismatched_cells",
            "unconvertible",
            "quarantined_present",
        )
        found = {k: sum(getattr(t, k) for t in self.tables) for k in keys}
        found["count_mismatches"] = sum(1 for t in self.tables if not t.counts_match)
        found["orphans"] = self.orphan_count
        return found

    @property
    def summary(self) -> str:
        totals = self.totals()
        if self.ok:
            text = (
                f"verified {totals['legacy_rows']} legacy rows in {len(self.tables)} tables: "
                "counts, keys and every column equal after conversion, no orphans"
            )
            if totals["quarantined"]:
                text += f" ({totals['quarantined']} quarantined rows accounted for)"
            return text
        parts = [
            f"{totals[k]} {k.replace('_', ' ')}"
            for k in (
                "missing",
                "extra",
                "mismatched_rows",
                "unconvertible",
                "quarantined_present",
                "count_mismatches",
                "orphans",
            )
            if totals[k]
        ]
        errors = [p for p in self.problems if p.severity is Severity.ERROR]
        if errors:
            parts.append(f"{len(errors)} schema errors")
        return "verify FAILED: " + ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "summary": self.summary,
            "source": self.source,
            "database": self.database,
            "legacy_zone": self.legacy_zone,
            "quarantine_report": self.quarantine_report,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second),
            "totals": self.totals(),
            "tables": [t.as_dict() for t in self.tables],
            "orphans": [o.as_dict() for o in self.orphans],
            "mismatches": [m.as_dict() for m in self.mismatches],
            "mismatches_listed": len(self.mismatches),
            "max_mismatches": self.max_mismatches,
            "problems": [p.as_dict() for p in self.problems],
        }


# ----------------------------------------------------------------------------- comparing


class VerifyReadError(ConfigError):
    """A database read that failed (never reported as an empty table)."""


class _Collector:
    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.items: list[Mismatch] = []

    def add(self, item: Mismatch) -> None:
        if len(self.items) < self.cap:
            self.items.append(item)


Item = tuple[Any, Sequence[object] | None, Sequence[object], ConversionError | None]


class _Batch:
    """One batch of one side: its keys and comparable rows (for the whole-batch comparison),
    and its rows one by one (for the merge)."""

    __slots__ = ("_items", "keys", "raws", "rows")

    def __init__(
        self,
        keys: list[Any] | None,
        rows: list[Sequence[object]],
        raws: Sequence[Sequence[object]],
        items: list[Item] | None = None,
    ) -> None:
        self.keys = keys  # None: the batch holds a value no rule converts (merge it)
        self.rows = rows
        self.raws = raws
        self._items = items

    def items(self) -> Iterator[Item]:
        if self._items is not None:
            return iter(self._items)
        assert self.keys is not None
        return zip(self.keys, self.rows, self.raws, repeat(None), strict=False)


def _legacy_batches(
    source: LegacySource,
    plan: TablePlan | None,
    mapping: TableMapping,
    batch_size: int,
) -> Iterator[_Batch]:
    """The legacy rows in key order, converted and in comparable form, a batch at a time."""
    if plan is None:
        return
    pk_index = mapping.pk_index
    json_positions = [i for i, f in enumerate(mapping.fields) if f.kind is Kind.JSON]
    batches = source.prefetched_batches(
        plan.name, mapping.legacy_columns, plan.order_by, batch_size
    )
    for batch in batches:
        if not batch:
            continue
        try:
            columns = mapping.convert_columns(list(zip(*batch, strict=True)))
        except ConversionError:
            columns = None
        if columns is not None:
            for i in json_positions:
                columns[i] = list(map(fast_json, columns[i]))
            yield _Batch(columns[pk_index], list(zip(*columns, strict=True)), batch)
            continue
        items: list[Item] = []
        for raw in batch:  # a value no rule converts: row by row, to name it
            try:
                key = cv.to_int(raw[pk_index])
            except ConversionError:
                key = None
            try:
                row = mapping.convert_row(raw)
            except ConversionError as exc:
                items.append((key, None, raw, exc))
                continue
            for i in json_positions:
                row[i] = fast_json(row[i])
            items.append((key, tuple(row), raw, None))
        yield _Batch(None, [], batch, items)


def _django_batches(
    reader: LegacySource,
    mapping: TableMapping,
    dialect: Dialect,
    batch_size: int,
) -> Iterator[_Batch]:
    """The Django rows in key order, in comparable form, a batch at a time."""
    decoders = [
        (i, fn) for i, f in enumerate(mapping.fields) if (fn := _decoder(f, dialect)) is not None
    ]
    pk_index = mapping.pk_index
    order = (mapping.pk.column,)
    for batch in reader.prefetched_batches(mapping.db_table, mapping.db_columns, order, batch_size):
        if not batch:
            continue
        if not decoders:
            yield _Batch([raw[pk_index] for raw in batch], batch, batch)
            continue
        columns = [list(c) for c in zip(*batch, strict=True)]
        for i, fn in decoders:
            columns[i] = list(map(fn, columns[i]))
        yield _Batch(columns[pk_index], list(zip(*columns, strict=True)), batch)


def _rows(first: _Batch | None, rest: Iterator[_Batch]) -> Iterator[Item]:
    if first is not None:
        yield from first.items()
    for batch in rest:
        yield from batch.items()


_END: Any = object()


def _compare_table(
    source: LegacySource,
    plan: TablePlan | None,
    reader: LegacySource,
    mapping: TableMapping,
    dialect: Dialect,
    quarantined: set[int],
    collector: _Collector,
    batch_size: int,
    progress: Progress,
) -> TableVerify:
    """Compare one table. Both sides arrive in key order, in batches of the same size: while
    a legacy batch and the Django batch have the same keys and equal rows (one comparison in
    C), they match as a whole; from the first batch that differs, the rest is merged row by
    row, which names every difference."""
    started = clock.perf_counter()
    name = mapping.name
    result = TableVerify(name, str(mapping.table.model), columns=list(mapping.legacy_columns))
    result.not_compared = [d.field for d in mapping.defaulted]
    progress.start(name, None)
    legacy = _legacy_batches(source, plan, mapping, batch_size)
    django = _django_batches(reader, mapping, dialect, batch_size)
    for ours in legacy:
        theirs = next(django, None)
        if (
            theirs is not None
            and ours.keys is not None
            and ours.keys == theirs.keys
            and (not quarantined or quarantined.isdisjoint(ours.keys))
            and ours.rows == theirs.rows
        ):
            count = len(ours.keys)
            result.legacy_rows += count
            result.django_rows += count
            result.matched += count
            progress.advance(name, count)
            continue
        _merge(mapping, _rows(ours, legacy), _rows(theirs, django), quarantined, collector, result,
               progress)  # fmt: skip
        break
    else:
        for key, _row, _raw, _error in _rows(None, django):
            result.django_rows += 1
            result.extra += 1
            collector.add(Mismatch(name, key, "extra"))
    progress.finish(name)
    result.seconds = clock.perf_counter() - started
    return result


def _merge(
    mapping: TableMapping,
    legacy: Iterator[Item],
    django_items: Iterator[Item],
    quarantined: set[int],
    collector: _Collector,
    result: TableVerify,
    progress: Progress,
) -> None:
    """Merge the rest of a table row by row, naming every difference."""
    name = mapping.name
    fields = mapping.fields
    pk_index = mapping.pk_index
    json_positions = {i for i, f in enumerate(fields) if f.kind is Kind.JSON}

    def django_rows() -> Iterator[Item]:
        last: int | None = None
        for item in django_items:
            key = item[0]
            if last is not None and key <= last:
                raise VerifyReadError(f"{mapping.db_table}: rows did not arrive in key order")
            last = key
            result.django_rows += 1
            yield item

    django = django_rows()
    other: Any = next(django, _END)
    last_legacy: int | None = None
    done = 0
    for key, row, raw, error in legacy:
        result.legacy_rows += 1
        done += 1
        if done % 10_000 == 0:
            progress.advance(name, 10_000)
        if key is None:
            result.unconvertible += 1
            collector.add(
                Mismatch(name, raw[pk_index], "unconvertible", mapping.pk.legacy, raw[pk_index],
                         reason="the key is not an integer")
            )  # fmt: skip
            continue
        if last_legacy is not None and key <= last_legacy:
            raise VerifyReadError(f"legacy {name}: rows did not arrive in key order")
        last_legacy = key
        while other is not _END and other[0] < key:
            result.extra += 1
            collector.add(Mismatch(name, other[0], "extra"))
            other = next(django, _END)
        present = other is not _END and other[0] == key
        actual, django_raw = (other[1], other[2]) if present else (None, None)
        if present:
            other = next(django, _END)
        if key in quarantined:
            result.quarantined += 1
            if present:
                result.quarantined_present += 1
                collector.add(Mismatch(name, key, "quarantined_present"))
            continue
        if error is not None:
            result.unconvertible += 1
            collector.add(
                Mismatch(name, key, "unconvertible", error.column, error.value, reason=error.reason)
            )
            continue
        if actual is None:
            result.missing += 1
            collector.add(Mismatch(name, key, "missing"))
            continue
        if row == actual:
            result.matched += 1
            continue
        assert row is not None
        assert django_raw is not None
        converted = mapping.convert_row(raw)
        differing = [
            i
            for i in range(len(fields))
            if row[i] != actual[i]
            and not (
                i in json_positions
                and canonical_json(converted[i]) == json_from_database(django_raw[i])
            )
        ]
        if not differing:
            result.matched += 1
            continue
        result.mismatched_rows += 1
        result.mismatched_cells += len(differing)
        for i in differing:
            collector.add(
                Mismatch(name, key, "mismatch", fields[i].legacy, raw[i], converted[i],
                         django_raw[i])
            )  # fmt: skip
    while other is not _END:
        result.extra += 1
        collector.add(Mismatch(name, other[0], "extra"))
        other = next(django, _END)
    progress.advance(name, done % 10_000)


# ----------------------------------------------------------------------------- orphans


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def find_orphans(reader: LegacySource, mappings: Sequence[TableMapping]) -> list[Orphans]:
    """Every foreign key of the migrated models, checked in the Django database."""
    found: list[Orphans] = []
    conn: Any = reader.conn  # type: ignore[attr-defined]
    for mapping in mappings:
        meta = mapping.model._meta
        for model_field in meta.concrete_fields:
            if not (model_field.many_to_one or model_field.one_to_one):
                continue
            parent = model_field.remote_field.model._meta
            child, column = _q(meta.db_table), _q(model_field.column)
            where = (
                f"FROM {child} c WHERE c.{column} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {_q(parent.db_table)} p "
                f"WHERE p.{_q(model_field.target_field.column)} = c.{column})"
            )
            count = conn.execute(f"SELECT count(*) {where}").fetchone()[0]
            sample: tuple[tuple[object, object], ...] = ()
            if count:
                rows = conn.execute(
                    f"SELECT c.{_q(meta.pk.column)}, c.{column} {where} "
                    f"ORDER BY c.{_q(meta.pk.column)} LIMIT {ORPHAN_SAMPLE}"
                ).fetchall()
                sample = tuple((r[0], r[1]) for r in rows)
            found.append(
                Orphans(meta.label, meta.db_table, model_field.column, parent.db_table, int(count),
                        sample)
            )  # fmt: skip
    return found


# ----------------------------------------------------------------------------- verify


def _schema_problems(plans: Sequence[TablePlan]) -> list[Problem]:
    """What the legacy database has that was not migrated, and what it lacks: errors."""
    found: list[Problem] = []
    for plan in plans:
        if plan.status is TableStatus.MISSING:
            found.append(
                Problem(Severity.ERROR, "missing_table", f"legacy table {plan.name} is missing",
                        plan.name)
            )  # fmt: skip
        elif plan.status is TableStatus.UNKNOWN:
            found.append(
                Problem(
                    Severity.ERROR,
                    "unknown_table",
                    f"legacy table {plan.name} is not declared, so it was not migrated",
                    plan.name,
                )
            )
        found.extend(
            Problem(
                Severity.ERROR,
                "unknown_column",
                f"legacy column {plan.name}.{column} is not declared, so it was not migrated",
                plan.name,
                column,
            )
            for column in plan.unknown_columns
        )
        found.extend(
            Problem(
                Severity.WARNING,
                "missing_column",
                f"legacy column {plan.name}.{column} is missing; its field was not compared",
                plan.name,
                column,
            )
            for column in plan.missing_columns
        )
    return found


def verify_migration(
    source_url: str,
    *,
    database_url: str | None = None,
    quarantine: Path | str | None = None,
    legacy_zone: str = "UTC",
    max_mismatches: int = DEFAULT_MAX_MISMATCHES,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress = NULL_PROGRESS,
) -> VerifyResult:
    """Compare the legacy database at `source_url` with the Django database (`default`, or
    `database_url`); `quarantine` is the import's quarantine report, whose rows are expected
    absent. See the module docstring."""
    from cutover.django_target import describe, dialect_of, reader_url, target_alias
    from cutover.importer import read_quarantine

    started = clock.perf_counter()
    zone = cv.legacy_zone(legacy_zone)
    held = read_quarantine(Path(quarantine)) if quarantine is not None else {}
    alias = target_alias(database_url)
    dialect = dialect_of(alias)
    collector = _Collector(max_mismatches)
    tables: list[TableVerify] = []
    with open_source(source_url) as source, open_source(reader_url(alias)) as reader:
        inspection = inspect_source(source)
        problems = _schema_problems(inspection.tables)
        present = set(reader.tables())
        mappings: list[TableMapping] = []
        for name in DEPENDENCY_ORDER:
            table = TABLES_BY_NAME[name]
            plan = inspection.plan(name)
            columns = (
                [c for c in plan.column_names if table.has_column(c)]
                if plan.status is TableStatus.PRESENT
                else list(table.column_names)
            )
            if plan.status is TableStatus.PRESENT and table.primary_key not in columns:
                problems.append(
                    Problem(Severity.ERROR, "missing_key",
                            f"legacy table {name} has no {table.primary_key} column", name)
                )  # fmt: skip
                continue
            if plan.status is TableStatus.ABSENT_DOCUMENTED:
                columns = [c.name for c in table.columns if c.is_expected_in(source.dialect)]
                columns = columns if table.primary_key in columns else list(table.column_names)
            mapping = table_mapping(table, columns, zone)
            if mapping.db_table not in present:
                raise VerifyReadError(
                    f"the Django database {describe(alias)} has no table {mapping.db_table} "
                    "(not migrated?)"
                )
            mappings.append(mapping)
            legacy_plan = plan if plan.status is TableStatus.PRESENT else None
            try:
                outcome = _compare_table(
                    source,
                    legacy_plan,
                    reader,
                    mapping,
                    dialect,
                    held.get(name, set()),
                    collector,
                    batch_size,
                    progress,
                )
            except (psycopg.Error, sqlite3.Error) as exc:
                # a failed read is an error, never a short or empty table
                raise VerifyReadError(f"reading {name} failed: {exc}".strip()) from exc
            if plan.status is TableStatus.ABSENT_DOCUMENTED:
                outcome.status = "absent in the legacy database"
            elif plan.status is TableStatus.MISSING:
                outcome.status = "missing from the legacy database"
            tables.append(outcome)
            log.debug("verified %s: %s", name, outcome.as_dict())
        try:
            orphans = find_orphans(reader, mappings)
        except (psycopg.Error, sqlite3.Error) as exc:
            raise VerifyReadError(f"checking foreign keys failed: {exc}".strip()) from exc
    result = VerifyResult(
        source=source.location.display,
        database=describe(alias),
        legacy_zone=legacy_zone,
        tables=tables,
        orphans=orphans,
        mismatches=collector.items,
        problems=problems,
        seconds=clock.perf_counter() - started,
        quarantine_report=None if quarantine is None else str(quarantine),
        max_mismatches=max_mismatches,
    )
    log.info(result.summary)
    return result
