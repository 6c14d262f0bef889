"""Legacy database connections: open from a URL, introspect, stream rows with flat memory.

URLs: `postgresql://user:pass@host:port/db` (or `postgres://`), read with psycopg 3; and
`sqlite:///relative/path.db` or `sqlite:////absolute/path.db` (the SQLAlchemy and
dj-database-url convention: everything after `sqlite:///` is the path).

A source opens one read-only snapshot for its whole life (PostgreSQL: a REPEATABLE READ, READ
ONLY transaction, whose snapshot `pg_dump --snapshot` can share; SQLite: a read transaction on
a read-only connection), so counts, hashes and exported rows all describe the same instant.

Reads return what the database holds, with three deliberate choices:
* PostgreSQL json/jsonb arrive as their text (as SQLite's JSON columns do), so both dialects
  hand the same thing to the JSON rule and nothing is re-serialised on the way out;
* PostgreSQL dates and timestamps Python cannot represent ('infinity', BC, year > 9999) arrive
  as their text instead of failing the read, and the conversion rules then name them;
* SQLite text that is not valid UTF-8 is decoded with surrogate escapes instead of failing the
  read; the export and the text rule then name the cell.

`inspect_source` compares what the source actually has with `cutover.legacy_schema`: unknown
tables and columns are reported (never silently ignored), missing expected ones are reported,
and documented absences (religion on PostgreSQL, activity_images on SQLite...) are noted.
"""

from __future__ import annotations

import queue
import re
import secrets
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.types.datetime import DateLoader, TimestampLoader, TimestamptzLoader
from psycopg.types.string import TextLoader

from cutover.errors import ConfigError, Problem, Severity
from cutover.legacy_schema import (
    DEPENDENCY_ORDER,
    NOT_MIGRATED,
    TABLES_BY_NAME,
    Dialect,
    Kind,
    Table,
    is_system_table,
)

DEFAULT_BATCH_SIZE = 5000
CONNECT_TIMEOUT_SECONDS = 10
SCRATCH_PREFIX = "cutover_scratch_"

Row = tuple[Any, ...]


# ----------------------------------------------------------------------------- URLs


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where the legacy database is. `url` may carry a password; show `display` instead."""

    dialect: Dialect
    url: str
    sqlite_path: Path | None = None

    @property
    def display(self) -> str:
        return redact_url(self.url)


def redact_url(url: str) -> str:
    """The URL with any password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{quote(user)}:***@{netloc[-1]}"))


def parse_source_url(url: str) -> SourceLocation:
    """Parse a legacy database URL; ConfigError names what is wrong with it."""
    if not url or not url.strip():
        raise ConfigError("no legacy database URL given (--source or NODEJS_DATABASE_URL)")
    url = url.strip()
    scheme = url.split(":", 1)[0].lower()
    if scheme in {"postgresql", "postgres"}:
        parts = urlsplit(url)
        if not parts.path.strip("/"):
            raise ConfigError(f"{redact_url(url)}: the URL names no database")
        return SourceLocation(Dialect.POSTGRESQL, url)
    if scheme == "sqlite":
        if not url.startswith("sqlite:///") or len(url) <= len("sqlite:///"):
            raise ConfigError(f"{url}: expected sqlite:///relative/path or sqlite:////abs/path")
        path = Path(unquote(url[len("sqlite:///") :].split("?", 1)[0]))
        return SourceLocation(Dialect.SQLITE, url, sqlite_path=path)
    raise ConfigError(f"{redact_url(url)}: unsupported scheme {scheme!r} (postgresql, sqlite)")


def sqlite_url(path: Path) -> str:
    resolved = path.resolve()
    return f"sqlite:///{resolved}" if resolved.is_absolute() else f"sqlite:///{path}"


def with_database(url: str, dbname: str) -> str:
    """The same PostgreSQL server URL, naming another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(dbname)))


def database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def libpq_arguments(url: str) -> tuple[str, dict[str, str]]:
    """A password-free URL for a libpq command line, and the environment carrying the
    password (so it never shows in a process listing)."""
    parts = urlsplit(url)
    env: dict[str, str] = {}
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        host = parts.netloc.rsplit("@", 1)[-1]
        user = parts.username
        netloc = f"{quote(user)}@{host}" if user else host
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts), env


# ----------------------------------------------------------------------------- sources


@dataclass(frozen=True, slots=True)
class ActualColumn:
    """A column as the source database declares it."""

    name: str
    declared_type: str
    nullable: bool
    primary_key: bool


class LegacySource(ABC):
    """A read-only snapshot of a legacy database."""

    location: SourceLocation

    @property
    def dialect(self) -> Dialect:
        return self.location.dialect

    @abstractmethod
    def tables(self) -> list[str]:
        """Application tables (engine-internal tables excluded), sorted."""

    @abstractmethod
    def columns(self, table: str) -> list[ActualColumn]:
        """Columns in declaration order; [] if the table does not exist."""

    @abstractmethod
    def count(self, table: str) -> int: ...

    @abstractmethod
    def batches(
        self,
        table: str,
        columns: Sequence[str],
        order_by: Sequence[str] = (),
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> Iterator[list[Row]]:
        """Rows in `order_by` order, `batch_size` at a time, without loading the table."""

    @abstractmethod
    def close(self) -> None: ...

    def rows(
        self,
        table: str,
        columns: Sequence[str],
        order_by: Sequence[str] = (),
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> Iterator[Row]:
        for batch in self.batches(table, columns, order_by, batch_size):
            yield from batch

    def prefetched_batches(
        self,
        table: str,
        columns: Sequence[str],
        order_by: Sequence[str] = (),
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> Iterator[list[Row]]:
        """`batches`, read one batch ahead by a thread while the caller works on the current
        one (the database's time overlaps Python's). The caller must not use this source
        until the iterator is exhausted or closed."""
        return prefetched(self.batches(table, columns, order_by, batch_size))

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_DONE = object()


def prefetched(source: Iterator[Any], depth: int = 2) -> Iterator[Any]:
    """Iterate `source` in a background thread, `depth` items ahead. Exceptions reach the
    consumer; a consumer that stops early stops the producer (and closes `source`)."""
    items: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in source:
                while not stop.is_set():
                    try:
                        items.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
        except BaseException as exc:  # handed to the consumer
            items.put((_DONE, exc))
            return
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                with suppress(Exception):
                    close()
        items.put((_DONE, None))

    thread = threading.Thread(target=produce, name="cutover-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item, error = items.get()
            if item is _DONE:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            with suppress(queue.Empty):
                items.get(timeout=0.05)
        thread.join()


class _LenientTimestampLoader(TimestampLoader):
    def load(self, data: Any) -> Any:
        try:
            return super().load(data)
        except psycopg.DataError:
            return bytes(data).decode()


class _LenientTimestamptzLoader(TimestamptzLoader):
    def load(self, data: Any) -> Any:
        try:
            return super().load(data)
        except psycopg.DataError:
            return bytes(data).decode()


class _LenientDateLoader(DateLoader):
    def load(self, data: Any) -> Any:
        try:
            return super().load(data)
        except psycopg.DataError:
            return bytes(data).decode()


def connect_postgres(url: str, *, autocommit: bool = False) -> psycopg.Connection[Row]:
    """A psycopg connection; ConfigError (naming the server, not the password) if it fails."""
    try:
        return psycopg.connect(
            url,
            autocommit=autocommit,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            application_name="rgms-cutover",
        )
    except psycopg.OperationalError as exc:
        raise ConfigError(f"cannot connect to {redact_url(url)}: {exc}".strip()) from exc


class PostgresSource(LegacySource):
    def __init__(self, location: SourceLocation) -> None:
        self.location = location
        self.conn = connect_postgres(location.url)
        adapters = self.conn.adapters
        adapters.register_loader("json", TextLoader)
        adapters.register_loader("jsonb", TextLoader)
        self.conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        self.schema: str = self._scalar("SELECT current_schema()")
        self._cursor_seq = 0
        self._lenient: dict[tuple[str, tuple[str, ...]], bool] = {}

    def _scalar(self, query: str, params: Sequence[Any] = ()) -> Any:
        row = self.conn.execute(query, params).fetchone()  # type: ignore[arg-type]
        return None if row is None else row[0]

    def export_snapshot(self) -> str:
        """The snapshot id `pg_dump --snapshot` can use to dump exactly what this source sees."""
        return str(self._scalar("SELECT pg_export_snapshot()"))

    def server_version(self) -> str:
        return str(self._scalar("SHOW server_version"))

    def tables(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname",
            (self.schema,),
        ).fetchall()
        return [r[0] for r in rows]

    def columns(self, table: str) -> list[ActualColumn]:
        rows = self.conn.execute(
            """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
                   COALESCE(a.attnum = ANY(i.indkey), false)
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
            WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r', 'p')
              AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """,
            (self.schema, table),
        ).fetchall()
        return [ActualColumn(r[0], r[1], bool(r[2]), bool(r[3])) for r in rows]

    def _table(self, table: str) -> sql.Composed:
        return sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(table))

    def count(self, table: str) -> int:
        query = sql.SQL("SELECT count(*) FROM {}").format(self._table(table))
        return int(self.conn.execute(query).fetchone()[0])  # type: ignore[index]

    def batches(
        self,
        table: str,
        columns: Sequence[str],
        order_by: Sequence[str] = (),
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> Iterator[list[Row]]:
        query = sql.SQL("SELECT {} FROM {}").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), self._table(table)
        )
        if order_by:
            query += sql.SQL(" ORDER BY {}").format(
                sql.SQL(", ").join(map(sql.Identifier, order_by))
            )
        self._cursor_seq += 1
        with self.conn.cursor(name=f"cutover_read_{self._cursor_seq}") as cur:
            if self._needs_lenient(table, tuple(columns)):
                cur.adapters.register_loader("timestamp", _LenientTimestampLoader)
                cur.adapters.register_loader("timestamptz", _LenientTimestamptzLoader)
                cur.adapters.register_loader("date", _LenientDateLoader)
            cur.itersize = batch_size
            cur.execute(query)
            while batch := cur.fetchmany(batch_size):
                yield batch

    def _needs_lenient(self, table: str, columns: tuple[str, ...]) -> bool:
        """Whether a date or time stamp column of the read holds a value Python cannot
        represent ('infinity', BC, year > 9999). Those reads use the lenient loaders (text
        for such values; Python-level, slower); every other read keeps psycopg's C loaders."""
        key = (table, columns)
        if key not in self._lenient:
            rows = self.conn.execute(
                "SELECT a.attname, format_type(a.atttypid, NULL) FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 "
                "AND NOT a.attisdropped AND a.attname = ANY(%s) AND format_type(a.atttypid, "
                "NULL) IN ('date', 'timestamp without time zone', 'timestamp with time zone')",
                (self.schema, table, list(columns)),
            ).fetchall()
            checks = [
                sql.SQL("NOT ({c} >= {low} AND {c} < {high})").format(
                    c=sql.Identifier(name),
                    low=sql.Literal("0001-01-02"),
                    high=sql.Literal("9999-12-31"),
                )
                for name, _type in rows
            ]
            lenient = False
            if checks:
                query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE {})").format(
                    self._table(table), sql.SQL(" OR ").join(checks)
                )
                lenient = bool(self.conn.execute(query).fetchone()[0])  # type: ignore[index]
            self._lenient[key] = lenient
        return self._lenient[key]

    def close(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()


def _sqlite_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _decode_sqlite_text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


class SqliteSource(LegacySource):
    def __init__(self, location: SourceLocation) -> None:
        assert location.sqlite_path is not None
        self.location = location
        path = location.sqlite_path
        if not path.is_file():
            raise ConfigError(f"SQLite database {path} does not exist")
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        try:
            # Read by one thread at a time, not always the one that opened it (prefetching).
            self.conn = sqlite3.connect(
                uri, uri=True, isolation_level=None, check_same_thread=False
            )
            self.conn.text_factory = _decode_sqlite_text
            self.conn.execute("BEGIN")
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"cannot read SQLite database {path}: {exc}") from exc

    def tables(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).fetchall()
        return [r[0] for r in rows if not is_system_table(r[0])]

    def columns(self, table: str) -> list[ActualColumn]:
        rows = self.conn.execute(f"PRAGMA table_info({_sqlite_ident(table)})").fetchall()
        # table_info: cid, name, type, notnull, dflt_value, pk
        return [ActualColumn(r[1], r[2] or "", not r[3], bool(r[5])) for r in rows]

    def count(self, table: str) -> int:
        query = f"SELECT count(*) FROM {_sqlite_ident(table)}"  # noqa: S608 (quoted identifier)
        return int(self.conn.execute(query).fetchone()[0])

    def batches(
        self,
        table: str,
        columns: Sequence[str],
        order_by: Sequence[str] = (),
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> Iterator[list[Row]]:
        selected = ", ".join(map(_sqlite_ident, columns))
        query = f"SELECT {selected} FROM {_sqlite_ident(table)}"  # noqa: S608 (quoted identifiers)
        if order_by:
            query += f" ORDER BY {', '.join(map(_sqlite_ident, order_by))}"
        cur = self.conn.execute(query)
        try:
            while batch := cur.fetchmany(batch_size):
                yield batch
        finally:
            cur.close()

    def close(self) -> None:
        with suppress(sqlite3.Error):
            self.conn.execute("ROLLBACK")
        self.conn.close()


def open_source(url: str | SourceLocation) -> LegacySource:
    """Open a read-only snapshot of the legacy database."""
    location = parse_source_url(url) if isinstance(url, str) else url
    if location.dialect is Dialect.POSTGRESQL:
        return PostgresSource(location)
    return SqliteSource(location)


# ----------------------------------------------------------------------------- PostgreSQL admin


def create_database(server_url: str, name: str) -> str:
    """Create an empty database on the server of `server_url`; returns its URL."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ConfigError(f"refusing an unusual database name {name!r}")
    with connect_postgres(server_url, autocommit=True) as conn:
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error as exc:
            raise ConfigError(
                f"cannot create database {name} on {redact_url(server_url)}: "
                f"{str(exc).strip()} (point --scratch-url at a server where that is allowed)"
            ) from exc
    return with_database(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    with connect_postgres(server_url, autocommit=True) as conn:
        try:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        except psycopg.Error as exc:
            raise ConfigError(
                f"cannot drop database {name} on {redact_url(server_url)}: {str(exc).strip()}"
            ) from exc


@contextmanager
def scratch_database(server_url: str, purpose: str = "db") -> Iterator[str]:
    """A throwaway database named cutover_scratch_<purpose>_<random>, dropped afterwards."""
    name = f"{SCRATCH_PREFIX}{purpose}_{secrets.token_hex(4)}"
    url = create_database(server_url, name)
    try:
        yield url
    finally:
        drop_database(server_url, name)


# ----------------------------------------------------------------------------- introspection


class TableStatus(StrEnum):
    PRESENT = "present"  # a declared legacy table, found
    MISSING = "missing"  # a declared table expected in this dialect, not found (error)
    ABSENT_DOCUMENTED = "absent_documented"  # not expected in this dialect, not found
    NOT_MIGRATED = "not_migrated"  # found, deliberately not migrated (exported raw)
    UNKNOWN = "unknown"  # found, not declared at all (exported raw, reported)


_PG_TYPE_NAMES = {
    "SERIAL": "integer",
    "INTEGER": "integer",
    "TEXT": "text",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "timestamp without time zone",
    "DATE": "date",
    "DOUBLE PRECISION": "double precision",
    "JSONB": "jsonb",
    "JSON": "json",
}


def _expected_type_token(dialect: Dialect, declared: str) -> str:
    if dialect is Dialect.POSTGRESQL:
        varchar = re.fullmatch(r"VARCHAR\((\d+)\)", declared.upper())
        if varchar:
            return f"character varying({varchar[1]})"
        return _PG_TYPE_NAMES.get(declared.upper(), declared.lower())
    return declared.upper()


def _actual_type_token(dialect: Dialect, declared: str) -> str:
    return declared.lower() if dialect is Dialect.POSTGRESQL else declared.upper()


@dataclass(frozen=True, slots=True)
class TablePlan:
    """What the source has for one table and how to read it."""

    name: str
    status: TableStatus
    schema: Table | None
    columns: tuple[ActualColumn, ...] = ()
    order_by: tuple[str, ...] = ()
    unknown_columns: tuple[str, ...] = ()
    missing_columns: tuple[str, ...] = ()
    absent_columns: tuple[str, ...] = ()
    reduced_form: bool = False
    problems: tuple[Problem, ...] = ()

    @property
    def exists(self) -> bool:
        return self.status in {TableStatus.PRESENT, TableStatus.NOT_MIGRATED, TableStatus.UNKNOWN}

    @property
    def migrated(self) -> bool:
        return self.schema is not None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def kinds(self) -> tuple[Kind | None, ...]:
        """The conversion kind of each actual column (None for unknown columns)."""
        if self.schema is None:
            return tuple(None for _ in self.columns)
        return tuple(
            self.schema.column(c.name).kind if self.schema.has_column(c.name) else None
            for c in self.columns
        )


@dataclass(frozen=True, slots=True)
class Inspection:
    """The source compared with the declared legacy schema."""

    source: str
    dialect: Dialect
    tables: tuple[TablePlan, ...]
    problems: tuple[Problem, ...] = field(default=())

    def plan(self, name: str) -> TablePlan:
        for plan in self.tables:
            if plan.name == name:
                return plan
        raise KeyError(name)

    @property
    def existing(self) -> tuple[TablePlan, ...]:
        return tuple(p for p in self.tables if p.exists)


def _plan_declared(source: LegacySource, table: Table) -> TablePlan:
    dialect = source.dialect
    actual = source.columns(table.name)
    problems: list[Problem] = []
    if not actual:
        if table.is_expected_in(dialect):
            problems.append(
                Problem(
                    Severity.ERROR,
                    "missing_table",
                    f"table {table.name} is missing from the source",
                    table=table.name,
                )
            )
            return TablePlan(table.name, TableStatus.MISSING, table, problems=tuple(problems))
        problems.append(
            Problem(
                Severity.NOTICE,
                "absent_table",
                f"table {table.name} is absent ({dialect}): {table.absent_reason}",
                table=table.name,
            )
        )
        return TablePlan(table.name, TableStatus.ABSENT_DOCUMENTED, table, problems=tuple(problems))

    names = {c.name for c in actual}
    form = table.reduced_form
    reduced = form is not None and names == set(form.columns)
    if form is not None and reduced:
        problems.append(
            Problem(
                Severity.NOTICE,
                "reduced_form",
                f"{table.name} has its reduced form: {form.description}",
                table=table.name,
            )
        )
    unknown = tuple(c.name for c in actual if not table.has_column(c.name))
    problems.extend(
        Problem(
            Severity.WARNING,
            "unknown_column",
            f"{table.name}.{name} is not a declared legacy column; it is exported as is "
            "and the import refuses it until it is mapped",
            table=table.name,
            column=name,
        )
        for name in unknown
    )
    missing: list[str] = []
    absent: list[str] = []
    for col in table.columns:
        if col.name in names:
            continue
        documented = (not col.is_expected_in(dialect)) or (
            form is not None and reduced and col.name not in form.columns
        )
        if documented:
            absent.append(col.name)
            reason = col.absent_reason or "absent from the reduced form"
            problems.append(
                Problem(
                    Severity.NOTICE,
                    "absent_column",
                    f"{table.name}.{col.name} is absent ({dialect}): {reason}",
                    table=table.name,
                    column=col.name,
                )
            )
        else:
            missing.append(col.name)
            severity = Severity.ERROR if col.primary_key else Severity.WARNING
            problems.append(
                Problem(
                    severity,
                    "missing_column",
                    f"{table.name}.{col.name} is expected in {dialect} sources but missing; the "
                    "import will use the model default",
                    table=table.name,
                    column=col.name,
                )
            )
    for act in actual:
        if not table.has_column(act.name):
            continue
        col = table.column(act.name)
        declared = col.type_for(dialect)
        if form is not None and reduced:
            forms = form.pg_types if dialect is Dialect.POSTGRESQL else form.sqlite_types
            declared = forms.get(act.name, declared)
        expected = _expected_type_token(dialect, declared)
        got = _actual_type_token(dialect, act.declared_type)
        if expected != got:
            problems.append(
                Problem(
                    Severity.NOTICE,
                    "type_differs",
                    f"{table.name}.{act.name} is {act.declared_type}, declared legacy type "
                    f"{declared}; the {col.kind} rule accepts both",
                    table=table.name,
                    column=act.name,
                )
            )
    order_by = (table.primary_key,) if table.primary_key in names else ()
    return TablePlan(
        table.name,
        TableStatus.PRESENT,
        table,
        columns=tuple(actual),
        order_by=order_by,
        unknown_columns=unknown,
        missing_columns=tuple(missing),
        absent_columns=tuple(absent),
        reduced_form=reduced,
        problems=tuple(problems),
    )


def _plan_extra(source: LegacySource, name: str) -> TablePlan:
    actual = tuple(source.columns(name))
    order_by = tuple(c.name for c in actual if c.primary_key)
    if name in NOT_MIGRATED:
        status = TableStatus.NOT_MIGRATED
        problem = Problem(
            Severity.NOTICE,
            "not_migrated_table",
            f"table {name} is exported raw but not migrated: {NOT_MIGRATED[name].reason}",
            table=name,
        )
    else:
        status = TableStatus.UNKNOWN
        problem = Problem(
            Severity.WARNING,
            "unknown_table",
            f"table {name} is not a declared legacy table; it is exported raw and not imported",
            table=name,
        )
    return TablePlan(name, status, None, columns=actual, order_by=order_by, problems=(problem,))


def inspect_source(source: LegacySource) -> Inspection:
    """Compare the source with the declared schema. Declared tables come first, in dependency
    order, then not-migrated and unknown tables by name."""
    present = set(source.tables())
    plans = [_plan_declared(source, TABLES_BY_NAME[name]) for name in DEPENDENCY_ORDER]
    plans.extend(_plan_extra(source, name) for name in sorted(present - set(TABLES_BY_NAME)))
    problems = tuple(p for plan in plans for p in plan.problems)
    return Inspection(source.location.display, source.dialect, tuple(plans), problems)
