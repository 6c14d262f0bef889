"""Generated legacy databases: every declared table in the shape one dialect gives it, filled
with values the legacy backend could hold, hostile ones included.

``legacy_datasets(dialect)`` draws a :class:`LegacyDataset`:

* the shape: PostgreSQL or SQLite column types (``cutover.legacy_seed.create_table_sql``,
  itself derived from ``cutover.legacy_schema``), with the optional parts drawn (reduced or
  full excuse_letters, religion, lifetime_merit_points, qr_code_data, custom_bg,
  activity_images);
* rows for every table (a few each), with primary keys drawn over the whole 32-bit range,
  foreign keys naming drawn parents, and the uniqueness and CHECK rules the legacy DDL has;
* values per column kind, in the physical form the dialect stores: text with unicode and
  emoji, quotes and SQL-looking text, HTML, backslashes and COPY escapes, blank and empty text
  next to NULL, and very long text; integers at the 32-bit bounds; floats at the double
  bounds (subnormals, -0.0); SQLite's mixed storage classes (integers and 'true'/'t' text in
  flag columns, numbers as text); time stamps as PostgreSQL TIMESTAMP values or as the text
  forms SQLite holds (space or 'T', fractions, 'Z' and offsets, no seconds); dates as
  PostgreSQL DATE or the text forms the date rule accepts (ISO, slashes, month first,
  month names, blank, midnight time stamps); JSON text with nesting, unicode, big numbers and
  the literal null; passwords as bcrypt hashes ($2a$/$2b$/$2y$, cost 4) of generated
  passwords, the legacy placeholder, or garbage.

Every cell also carries the value Django must hold after the migration (``expected``),
written here from the documented rules, not by calling the importer: the property tests
compare the Django database with it directly, besides running verify.

``write_dataset(url, dataset)`` creates the tables in an empty PostgreSQL database (or a new
SQLite file) and inserts the rows.
"""

# Generated legacy data: naive time stamps on purpose, test passwords, a generator of rows.
# ruff: noqa: DTZ001

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import bcrypt
import psycopg
from hypothesis import strategies as st
from psycopg import sql

from cutover.conversions import (
    INT32_MAX,
    INT32_MIN,
    JSON_NULL,
    UNUSABLE_INVALID,
    UNUSABLE_PLACEHOLDER,
)
from cutover.legacy_schema import Column, Dialect, Kind, Table
from cutover.legacy_seed import (
    PLACEHOLDER_PASSWORD,
    SeedConfig,
    create_table_sql,
    present_columns,
    present_tables,
)
from cutover.sources import parse_source_url

BCRYPT_TEST_COST = 4
ZONES = ("UTC", "Asia/Manila", "America/New_York")

# ----------------------------------------------------------------------------- text

# Characters PostgreSQL text can store and JSON can carry: no NUL, no lone surrogates.
_CHARACTERS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
HOSTILE_TEXT = (
    "",
    " ",
    "   leading and trailing   ",
    "O'Brien",
    'He said "hello"',
    "'; DROP TABLE cadets; --",
    "Robert'); DROP TABLE students;--",
    "1 OR 1=1",
    "<script>alert('x')</script>",
    "<b>bold</b> &amp; &lt;tag&gt;",
    "\\",
    "\\N",
    "a\tb\nc\rd",
    "100%",
    "%s %(name)s {0} $1",
    "NULL",
    "null",
    "None",
    "true",
    "0",
    "😀👍🏽🇵🇭",
    "Ñandú Muñoz-D'Souza",
    "مرحبا بالعالم",
    "中文字符",
    "\U0001d518\U0001d52b\U0001d526",  # mathematical fraktur, outside the BMP
    "\u200b\u2028\u2029\ufeff",
    "e\u0301",
)


def texts(*, min_size: int = 0) -> st.SearchStrategy[str]:
    """Legacy text, hostile values first."""
    hostile = [t for t in HOSTILE_TEXT if len(t) >= min_size]
    return st.one_of(
        st.sampled_from(hostile),
        st.text(_CHARACTERS, min_size=min_size, max_size=40),
        # very long text: built by repetition (cheap to generate, up to 100k characters)
        st.builds(
            lambda piece, times: piece * times,
            st.text(_CHARACTERS, min_size=max(1, min_size), max_size=8),
            st.integers(1000, 12_500),
        ),
    )


# PostgreSQL btree index entries stop near 2.7 kB: a legacy value longer than that in a
# column Django indexes cannot be imported (the import names the row; see the unit tests).
# Such columns get text of at most this many characters here.
INDEXED_TEXT_MAX = 200


@lru_cache(maxsize=1)
def django_indexed_columns() -> frozenset[tuple[str, str]]:
    """(legacy table, column) pairs whose Django field is in a btree index (needs Django)."""
    from django.apps import apps

    from cutover.legacy_schema import TABLES

    if not apps.ready:
        return frozenset()
    found: set[tuple[str, str]] = set()
    for table in TABLES:
        meta = apps.get_model(table.model.app_label, table.model.model)._meta
        indexed = {f.name for f in meta.concrete_fields if f.db_index or f.unique}
        for index in meta.indexes:
            indexed.update(name.lstrip("-") for name in index.fields)
        for constraint in meta.constraints:
            indexed.update(getattr(constraint, "fields", ()) or ())
        for column in table.columns:
            if column.field in indexed:
                found.add((table.name, column.name))
    return frozenset(found)


# ----------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class Cell:
    """A legacy value as stored, and what Django must hold after the migration."""

    physical: Any
    expected: Any


def _same(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Cell]:
    return strategy.map(lambda v: Cell(v, v))


def _int_cells(dialect: Dialect) -> st.SearchStrategy[Cell]:
    values = st.one_of(
        st.sampled_from((0, -1, 1, INT32_MIN, INT32_MAX, INT32_MIN + 1, INT32_MAX - 1)),
        st.integers(INT32_MIN, INT32_MAX),
    )
    if dialect is Dialect.POSTGRESQL:
        return _same(values)
    # SQLite INTEGER affinity: numbers given as text are stored as numbers, and the rule reads
    # text numbers too; an integral REAL is kept as an integer
    return st.one_of(
        _same(values),
        values.map(lambda v: Cell(str(v), v)),
        values.map(lambda v: Cell(f"  {v} ", v)),
        st.integers(-(2**52), 2**52)
        .filter(lambda v: INT32_MIN <= v <= INT32_MAX)
        .map(lambda v: Cell(float(v), v)),
    )


def _float_cells(dialect: Dialect) -> st.SearchStrategy[Cell]:
    values = st.one_of(
        st.sampled_from((0.0, -0.0, 5e-324, -5e-324, 1.7976931348623157e308, 7.99, -124.29)),
        st.floats(allow_nan=False, allow_infinity=False),
    )
    if dialect is Dialect.POSTGRESQL:
        return _same(values)
    return st.one_of(
        _same(values),
        # REAL affinity stores numeric text as REAL, by SQLite's own decimal conversion, which
        # is not always the correctly rounded double (near the subnormal range): the legacy
        # database holds what SQLite made of it
        values.map(lambda v: Cell(repr(v), _sqlite_real(repr(v)))),
        st.integers(-(10**15), 10**15).map(lambda v: Cell(v, float(v))),
    )


_SQLITE_MEMORY = sqlite3.connect(":memory:", check_same_thread=False)


def _sqlite_real(text: str) -> float:
    return float(_SQLITE_MEMORY.execute("SELECT CAST(? AS REAL)", (text,)).fetchone()[0])


def _bool_cells(column: Column, dialect: Dialect, pg_boolean: bool) -> st.SearchStrategy[Cell]:
    default = column.flag_default

    def expected(value: bool | None) -> Any:
        return default if value is None and default is not None else value

    if dialect is Dialect.POSTGRESQL:
        if pg_boolean:
            return st.sampled_from((True, False, None)).map(lambda v: Cell(v, expected(v)))
        return st.sampled_from((0, 1, None)).map(
            lambda v: Cell(v, expected(None if v is None else v == 1))
        )
    forms: tuple[tuple[Any, bool | None], ...] = (
        (0, False), (1, True), (None, None), ("true", True), ("false", False), ("t", True),
        ("f", False), ("TRUE", True), ("False", False),
    )  # fmt: skip
    return st.sampled_from(forms).map(lambda f: Cell(f[0], expected(f[1])))


def _aware(moment: datetime, zone: tzinfo) -> datetime:
    return moment.replace(tzinfo=zone).astimezone(UTC)


_MOMENTS = st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9998, 12, 30))


def _timestamp_cells(dialect: Dialect, zone: tzinfo) -> st.SearchStrategy[Cell]:
    if dialect is Dialect.POSTGRESQL:
        return _MOMENTS.map(lambda m: Cell(m, _aware(m, zone)))

    def as_text(moment: datetime, form: int, offset_minutes: int) -> Cell:
        whole = moment.replace(microsecond=0)
        if form == 0:  # SQLite CURRENT_TIMESTAMP
            return Cell(whole.isoformat(" "), _aware(whole, zone))
        if form == 1:  # ISO with T
            return Cell(whole.isoformat("T"), _aware(whole, zone))
        if form == 2:  # JavaScript's toISOString: milliseconds and Z
            millis = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
            text = millis.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis.microsecond // 1000:03d}Z"
            return Cell(text, millis.replace(tzinfo=UTC))
        if form == 3:  # microseconds
            return Cell(moment.isoformat(" "), _aware(moment, zone))
        if form == 4:  # no seconds
            minute = whole.replace(second=0)
            return Cell(minute.strftime("%Y-%m-%d %H:%M"), _aware(minute, zone))
        offset = timedelta(minutes=offset_minutes)  # an explicit offset is kept
        sign = "-" if offset_minutes < 0 else "+"
        hours, minutes = divmod(abs(offset_minutes), 60)
        text = whole.isoformat(" ") + f"{sign}{hours:02d}:{minutes:02d}"
        return Cell(text, (whole - offset).replace(tzinfo=UTC))

    return st.builds(
        as_text,
        _MOMENTS,
        st.integers(0, 5),
        st.sampled_from((-300, -270, 0, 330, 480, 840)),
    )


_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_DATES = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))


def _date_text_cells(allow_blank: bool) -> st.SearchStrategy[Cell]:
    def as_text(day: date, form: int) -> Cell:
        forms = {
            0: day.isoformat(),
            1: f"{day.year}/{day.month}/{day.day}",
            2: f"{day.month:02d}/{day.day:02d}/{day.year}",
            3: f"{day.month}-{day.day}-{day.year}",
            4: f"{_MONTHS[day.month - 1]} {day.day}, {day.year}",
            5: f"{_MONTHS[day.month - 1][:3]} {day.day} {day.year}",
            6: f"{day.day} {_MONTHS[day.month - 1]} {day.year}",
            7: f"  {day.isoformat()} ",
            8: f"{day.isoformat()}T00:00:00.000Z",
            9: f"{day.isoformat()} 00:00:00",
        }
        return Cell(forms[form], day)

    text = st.builds(as_text, _DATES, st.integers(0, 9))
    if allow_blank:
        return st.one_of(text, st.sampled_from(("", "  ")).map(lambda v: Cell(v, None)))
    return text


def _date_cells(column: Column, dialect: Dialect, nullable: bool) -> st.SearchStrategy[Cell]:
    if dialect is Dialect.POSTGRESQL and column.pg_type == "DATE":
        return _same(_DATES)
    return _date_text_cells(allow_blank=nullable)


_JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(_CHARACTERS, max_size=20),
)
JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(_CHARACTERS, max_size=10), children, max_size=4),
    ),
    max_leaves=12,
)


def _json_cells() -> st.SearchStrategy[Cell]:
    def encode(value: Any, ascii_only: bool, compact: bool) -> Cell:
        separators = (",", ":") if compact else (", ", ": ")
        text = json.dumps(value, ensure_ascii=ascii_only, separators=separators)
        return Cell(text, JSON_NULL if value is None else value)

    return st.builds(encode, JSON_VALUES, st.booleans(), st.booleans())


# ----------------------------------------------------------------------------- passwords


PASSWORDS = st.text(_CHARACTERS, min_size=1, max_size=90)


@lru_cache(maxsize=4096)
def legacy_hash(password: str, prefix: str) -> str:
    """bcrypt as bcryptjs stored it (first 72 bytes), cost 4, with the given prefix."""
    hashed = bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(BCRYPT_TEST_COST)).decode()
    return f"${prefix}${hashed[4:]}"


@dataclass(frozen=True, slots=True)
class Credential:
    username: str
    password: str
    approved: bool
    archived: bool


# ----------------------------------------------------------------------------- datasets


@dataclass(slots=True)
class LegacyDataset:
    dialect: Dialect
    config: SeedConfig
    zone: str
    tables: tuple[Table, ...]
    columns: dict[str, tuple[Column, ...]]
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    expected: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    credentials: list[Credential] = field(default_factory=list)
    placeholders: int = 0
    invalid_passwords: int = 0

    @property
    def total_rows(self) -> int:
        return sum(len(r) for r in self.rows.values())

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis's printer: not every field of every row

    def __repr__(self) -> str:  # Hypothesis prints failing examples: keep long text short
        counts = {name: len(rows) for name, rows in self.rows.items() if rows}
        first = {n: r[0] for n, r in self.rows.items() if r and len(repr(r[0])) < 400}
        return (
            f"LegacyDataset({self.dialect}, zone={self.zone}, rows={counts}, "
            f"excuse={self.config.excuse_form}, first rows={first})"
        )


_ROLES = ("admin", "cadet", "training_staff")
_STATUSES = ("present", "absent", "late", "excused")
FIXED_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("users", "role"): _ROLES,
    ("attendance_records", "status"): _STATUSES,
    ("staff_attendance_records", "status"): _STATUSES,
    ("merit_demerit_logs", "type"): ("merit", "demerit"),
}


@st.composite
def _shape(draw: st.DrawFn, dialect: Dialect) -> SeedConfig:
    pg = dialect is Dialect.POSTGRESQL
    return SeedConfig(
        excuse_form=draw(st.sampled_from(("reduced", "full"))) if pg else "full",
        religion=False if pg else draw(st.booleans()),
        lifetime_merit_points=draw(st.booleans()),
        qr_code_data=draw(st.booleans()),
        activity_images=pg,  # created by every PostgreSQL start; never on SQLite
        custom_bg=draw(st.booleans()) if pg else False,
        triggers=False,
        indexes=False,
    )


class _Builder:
    def __init__(self, draw: st.DrawFn, dataset: LegacyDataset, max_rows: int) -> None:
        self.draw = draw
        self.data = dataset
        self.max_rows = max_rows
        self.zone: tzinfo = UTC if dataset.zone == "UTC" else ZoneInfo(dataset.zone)
        self.ids: dict[str, list[int]] = {}

    def keys(self, table: Table, count: int) -> list[int]:
        return self.draw(
            st.lists(
                st.one_of(st.integers(1, 50), st.integers(1, INT32_MAX)),
                min_size=count,
                max_size=count,
                unique=True,
            ),
            label=f"{table.name} keys",
        )

    def cell(self, table: Table, column: Column, index: int) -> Cell:
        dialect = self.data.dialect
        name = (table.name, column.name)
        if name in FIXED_CHOICES:
            return self.draw(_same(st.sampled_from(FIXED_CHOICES[name])))
        nullable = column.nullable
        kind = column.kind
        if kind is Kind.BOOLEAN:
            return self.draw(_bool_cells(column, dialect, column.pg_type == "BOOLEAN"))
        if kind is Kind.PASSWORD:
            raise AssertionError("passwords are drawn by the users builder")
        strategy: st.SearchStrategy[Cell]
        if kind is Kind.INTEGER:
            strategy = _int_cells(dialect)
        elif kind is Kind.FLOAT:
            strategy = _float_cells(dialect)
        elif kind in (Kind.TEXT, Kind.TIME_TEXT):
            strategy = _same(texts(min_size=0))
            if name in django_indexed_columns():
                short_text = st.text(_CHARACTERS, max_size=INDEXED_TEXT_MAX)
                strategy = _same(st.one_of(st.sampled_from(HOSTILE_TEXT), short_text))
            limit = self.varchar_limit(table, column)
            if limit is not None:  # the reduced excuse_letters.status is VARCHAR(20) on PG
                strategy = _same(st.text(_CHARACTERS, max_size=limit))
            if column.unique:  # hostile, and still unique
                base = texts()
                if name == ("users", "username") or name in django_indexed_columns():
                    # the login endpoint takes usernames of at most 254 characters
                    base = st.one_of(
                        st.sampled_from(HOSTILE_TEXT), st.text(_CHARACTERS, max_size=60)
                    )
                strategy = base.map(lambda t, i=index: Cell(f"{t}#{i}", f"{t}#{i}"))
        elif kind is Kind.TIMESTAMP:
            strategy = _timestamp_cells(dialect, self.zone)
        elif kind is Kind.DATE:
            strategy = _date_cells(column, dialect, nullable)
        elif kind is Kind.JSON:
            strategy = _json_cells()
        else:  # pragma: no cover
            raise AssertionError(kind)
        if nullable:
            strategy = st.one_of(st.just(Cell(None, None)), strategy)
        return self.draw(strategy, label=f"{table.name}.{column.name}")

    def varchar_limit(self, table: Table, column: Column) -> int | None:
        form = table.reduced_form
        if form is None or self.data.dialect is not Dialect.POSTGRESQL:
            return None
        if self.data.config.excuse_form != "reduced":
            return None
        declared = form.pg_types.get(column.name, "")
        if declared.upper().startswith("VARCHAR("):
            return int(declared[len("VARCHAR(") : -1])
        return None

    def parent(self, column: Column, nullable: bool) -> Cell:
        assert column.references is not None
        choices = self.ids.get(column.references.table, [])
        if not choices:
            return Cell(None, None)
        options: list[int | None] = list(choices)
        if nullable:
            options.append(None)
        value = self.draw(st.sampled_from(options), label=f"{column.name}")
        return Cell(value, value)

    def table(self, table: Table) -> None:
        columns = self.data.columns[table.name]
        names = {c.name for c in columns}
        reduced = table.name == "excuse_letters" and self.data.config.excuse_form == "reduced"
        count = self.draw(st.integers(0, self.max_rows), label=f"{table.name} rows")
        rows: list[dict[str, Any]] = []
        expected: dict[int, dict[str, Any]] = {}
        if table.primary_key == "id":
            keys = self.keys(table, count)
        else:  # user_settings: keyed by its user
            users = self.ids.get("users", [])
            keys = self.draw(
                st.lists(st.sampled_from(users), unique=True, max_size=min(count, len(users)))
                if users
                else st.just([])
            )
        pairs: set[tuple[Any, ...]] = set()
        unique_parents: set[Any] = set()
        for index, key in enumerate(keys):
            physical: dict[str, Any] = {}
            logical: dict[str, Any] = {}
            for column in columns:
                if column.name == table.primary_key:
                    cell = Cell(key, key)
                elif column.kind is Kind.PASSWORD:
                    cell = self.password(physical)
                elif column.references is not None and column.name != table.primary_key:
                    cell = self.parent(column, column.nullable or reduced)
                    if not (column.nullable or reduced) and cell.physical is None:
                        break  # no parent to name: no row
                    if column.unique:
                        if cell.physical in unique_parents:
                            break
                        unique_parents.add(cell.physical)
                else:
                    cell = self.cell(table, column, index)
                physical[column.name] = cell.physical
                logical[column.field] = cell.expected
            else:
                group = next((g for g in table.unique_together if set(g) <= names), None)
                if group is not None:
                    pair = tuple(physical[c] for c in group)
                    if pair in pairs:
                        continue
                    pairs.add(pair)
                rows.append(physical)
                expected[key] = logical
        self.data.rows[table.name] = rows
        self.data.expected[table.name] = expected
        self.ids[table.name] = [r[table.primary_key] for r in rows]
        if table.name == "users":
            self.credentials(rows)

    def password(self, physical: dict[str, Any]) -> Cell:
        choice = self.draw(st.sampled_from(("known", "known", "placeholder", "garbage")))
        if choice == "placeholder":
            return Cell(PLACEHOLDER_PASSWORD, UNUSABLE_PLACEHOLDER)
        if choice == "garbage":
            garbage = self.draw(st.one_of(texts(), st.just("$2a$10$tooShort")))
            return Cell(garbage, UNUSABLE_INVALID)
        password = self.draw(PASSWORDS, label="password")
        prefix = self.draw(st.sampled_from(("2a", "2b", "2y")))
        hashed = legacy_hash(password, prefix)
        physical["__password__"] = password
        return Cell(hashed, "bcrypt$" + hashed)

    def credentials(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            password = row.pop("__password__", None)
            expected = self.data.expected["users"][row["id"]]
            if expected["password"] == UNUSABLE_PLACEHOLDER:
                self.data.placeholders += 1
            elif expected["password"] == UNUSABLE_INVALID:
                self.data.invalid_passwords += 1
            if password is not None:
                self.data.credentials.append(
                    Credential(
                        row["username"],
                        password,
                        bool(expected["is_approved"]),
                        bool(expected["is_archived"]),
                    )
                )


@st.composite
def legacy_datasets(
    draw: st.DrawFn,
    dialect: Dialect,
    *,
    max_rows: int = 3,
    zones: Sequence[str] = ZONES,
) -> LegacyDataset:
    """A legacy database of `dialect` (see the module docstring)."""
    config = draw(_shape(dialect))
    tables = present_tables(dialect, config)
    dataset = LegacyDataset(
        dialect,
        config,
        draw(st.sampled_from(tuple(zones)), label="legacy zone"),
        tables,
        {t.name: present_columns(t, dialect, config) for t in tables},
    )
    builder = _Builder(draw, dataset, max_rows)
    for table in tables:
        builder.table(table)
    return dataset


# ----------------------------------------------------------------------------- writing


def _insert_sql(table: Table, columns: Sequence[Column]) -> str:
    names = ", ".join(f'"{c.name}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    return f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'  # noqa: S608


def write_dataset(url: str, dataset: LegacyDataset) -> None:
    """Create the dataset's tables in an empty database (or a new SQLite file) and fill them."""
    location = parse_source_url(url)
    if location.dialect is not dataset.dialect:
        raise ValueError(f"a {dataset.dialect} dataset cannot go into {location.dialect}")
    if location.dialect is Dialect.SQLITE:
        assert location.sqlite_path is not None
        conn = sqlite3.connect(location.sqlite_path, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("BEGIN")
            for table in dataset.tables:
                conn.execute(create_table_sql(table, Dialect.SQLITE, dataset.config))
            for table in dataset.tables:
                columns = dataset.columns[table.name]
                conn.executemany(
                    _insert_sql(table, columns),
                    [tuple(row[c.name] for c in columns) for row in dataset.rows[table.name]],
                )
            conn.execute("COMMIT")
        finally:
            conn.close()
        return
    with psycopg.connect(location.url) as conn, conn.cursor() as cur:
        for table in dataset.tables:
            cur.execute(create_table_sql(table, Dialect.POSTGRESQL, dataset.config))  # type: ignore[arg-type]
        for table in dataset.tables:
            columns = dataset.columns[table.name]
            copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table.name),
                sql.SQL(", ").join(sql.Identifier(c.name) for c in columns),
            )
            with cur.copy(copy_sql) as copy:
                for row in dataset.rows[table.name]:
                    copy.write_row([row[c.name] for c in columns])
            if table.primary_key == "id":
                cur.execute(
                    sql.SQL(
                        "SELECT setval(pg_get_serial_sequence({}, 'id'), "
                        "COALESCE((SELECT max(id) FROM {}), 1))"
                    ).format(sql.Literal(table.name), sql.Identifier(table.name))
                )
        conn.commit()


def reset_postgres_schema(url: str) -> None:
    """Empty a scratch PostgreSQL database between examples (faster than a new database)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
