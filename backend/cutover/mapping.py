"""Legacy columns onto Django fields, with the conversion rule of each: shared by import and
verify, so both apply exactly the same rules to exactly the same columns.

`table_mapping(table, columns, zone)` takes a declared legacy table and the columns a source
(or an export) actually has, and gives, per column, the Django field it lands in, its database
column and a converter built from `cutover.conversions`:

* the column's `Kind` rule (`conversions.convert`'s functions, the legacy zone bound);
* flags whose Django field is NOT NULL read NULL as the legacy default (`to_flag`), and the
  importer counts how often;
* passwords go through `convert_password` (the authentication rule);
* a NULL that would land in a NOT NULL field is a conversion error (never a database error
  half-way through a batch).

Model fields no present column feeds (new RGMS fields, and legacy columns a source lacks, such
as cadets.religion on PostgreSQL) get their constant model default on insert, or NULL when the
default is computed (a `timezone.now` default would stamp migrated rows with the import time);
they are never updated by a re-import. A field with neither raises ConfigError.

Needs Django set up (`cutover.django_target.bootstrap`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, tzinfo
from functools import partial
from typing import Any

from cutover import conversions as cv
from cutover.conversions import ConversionError, PasswordStatus
from cutover.errors import ConfigError
from cutover.legacy_schema import Kind, Table

Converter = Callable[[object], object]
ColumnConverter = Callable[[Sequence[object]], list[object]]


@dataclass(frozen=True, slots=True)
class Reference:
    """A foreign key in the Django database."""

    table: str  # the parent's db table
    column: str  # the parent's key column
    legacy_table: str | None  # the parent's legacy table, when it is a migrated one


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """One present legacy column and where it lands."""

    legacy: str
    kind: Kind
    field: str
    column: str
    null: bool
    flag_default: bool | None  # the NULL -> default rule applies (NOT NULL flag fields)
    reference: Reference | None
    convert: Converter  # raises ConversionError without a cell (see TableMapping.convert_row)
    convert_column: ColumnConverter  # the same rule over a column of a batch


@dataclass(frozen=True, slots=True)
class Defaulted:
    """A model field no present column feeds, and what inserted rows get there."""

    field: str
    column: str
    value: object
    reason: str


@dataclass(frozen=True, slots=True)
class TableMapping:
    table: Table
    model: Any
    db_table: str
    pk: FieldPlan
    fields: tuple[FieldPlan, ...]  # in the order of the given legacy columns
    defaulted: tuple[Defaulted, ...]

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def legacy_columns(self) -> tuple[str, ...]:
        return tuple(f.legacy for f in self.fields)

    @property
    def db_columns(self) -> tuple[str, ...]:
        return tuple(f.column for f in self.fields)

    @property
    def pk_index(self) -> int:
        return self.fields.index(self.pk)

    @property
    def references(self) -> tuple[FieldPlan, ...]:
        return tuple(f for f in self.fields if f.reference is not None)

    def convert_batch(
        self, rows: Sequence[Sequence[object]], tally: Counter[str] | None = None
    ) -> tuple[list[Sequence[object]], list[ConversionError]]:
        """Convert a batch column by column (the rules applied with `map`, so the per-value
        cost stays in C where it can). Returns the converted rows and, for the rows no rule
        converts, their named errors (those rows are left out). `tally` counts, over the
        converted rows, NULL flags read as their default (key: the legacy column) and
        passwords by status (key: 'password:<status>')."""
        if not rows:
            return [], []
        columns = list(zip(*rows, strict=True))
        try:
            converted = self.convert_columns(columns)
        except ConversionError:
            pass
        else:
            if tally is not None:
                for f, raw, out in zip(self.fields, columns, converted, strict=True):
                    if f.flag_default is not None:
                        tally[f.legacy] += raw.count(None)
                    elif f.kind is Kind.PASSWORD:
                        for status in PasswordStatus:
                            tally[f"password:{status}"] += _count_status(out, status)
            return list(zip(*converted, strict=True)), []
        good: list[Sequence[object]] = []
        errors: list[ConversionError] = []
        for row in rows:
            try:
                good.append(self.convert_row(row))
            except ConversionError as exc:
                errors.append(exc)
                continue
            if tally is not None:
                for f, raw, out in zip(self.fields, row, good[-1], strict=True):
                    if f.flag_default is not None and raw is None:
                        tally[f.legacy] += 1
                    elif f.kind is Kind.PASSWORD:
                        tally[f"password:{cv.password_status(str(out))}"] += 1
        return good, errors

    def convert_columns(self, columns: Sequence[Sequence[object]]) -> list[list[object]]:
        """A batch given as columns, converted column by column; ConversionError (without a
        cell) when any value fails: `convert_row` then names it."""
        return [f.convert_column(c) for f, c in zip(self.fields, columns, strict=True)]

    def convert_row(self, values: Sequence[object]) -> list[object]:
        """Every value converted by its column's rule; ConversionError names table, key,
        column and value."""
        try:
            return [f.convert(v) for f, v in zip(self.fields, values, strict=True)]
        except ConversionError:
            pass
        pk = values[self.pk_index]
        for plan, value in zip(self.fields, values, strict=True):
            try:
                plan.convert(value)
            except ConversionError as exc:
                raise ConversionError(self.name, pk, plan.legacy, value, exc.reason) from None
        raise AssertionError("unreachable")  # pragma: no cover


def _count_status(column: Sequence[object], status: PasswordStatus) -> int:
    if status is PasswordStatus.PLACEHOLDER:
        return column.count(cv.UNUSABLE_PLACEHOLDER)
    if status is PasswordStatus.INVALID:
        return column.count(cv.UNUSABLE_INVALID)
    return len(column) - column.count(cv.UNUSABLE_PLACEHOLDER) - column.count(cv.UNUSABLE_INVALID)


def _mapped(rule: Converter) -> ColumnConverter:
    def convert(column: Sequence[object]) -> list[object]:
        return list(map(rule, column))

    return convert


def _mapped_not_null(rule: Converter) -> ColumnConverter:
    def convert(column: Sequence[object]) -> list[object]:
        out = list(map(rule, column))
        if None in out:
            raise cv.NOWHERE.error(None, "NULL in a NOT NULL field")  # named row by row
        return out

    return convert


def _mapped_flag(default: bool) -> ColumnConverter:
    def convert(column: Sequence[object]) -> list[object]:
        out = list(map(cv.to_bool, column))
        if None in out:
            return [default if v is None else v for v in out]
        return out

    return convert


def _rule(kind: Kind, zone: tzinfo) -> Converter:
    rules: dict[Kind, Converter] = {
        Kind.INTEGER: cv.to_int,
        Kind.FLOAT: cv.to_float,
        Kind.TEXT: cv.to_text,
        Kind.TIME_TEXT: cv.to_time_text,
        Kind.BOOLEAN: cv.to_bool,
        Kind.TIMESTAMP: partial(cv.to_timestamp, legacy_zone=zone),
        Kind.DATE: partial(cv.to_date, legacy_zone=zone),
        Kind.JSON: cv.to_json,
        Kind.PASSWORD: cv.to_password,
    }
    return rules[kind]


def _not_null(rule: Converter, field: str) -> Converter:
    def convert(value: object) -> object:
        result = rule(value)
        if result is None:
            raise cv.NOWHERE.error(value, f"NULL where the Django field {field} is NOT NULL")
        return result

    return convert


def _flag(default: bool) -> Converter:
    def convert(value: object) -> object:
        return cv.to_flag(value, default=default)

    return convert


def _reference(field: Any) -> Reference | None:
    if not (field.many_to_one or field.one_to_one) or field.remote_field is None:
        return None
    from cutover.legacy_schema import TABLES

    parent = field.remote_field.model
    label = parent._meta.label
    legacy = next((t.name for t in TABLES if str(t.model) == label), None)
    return Reference(parent._meta.db_table, field.target_field.column, legacy)


def model_of(table: Table) -> Any:
    from django.apps import apps

    return apps.get_model(table.model.app_label, table.model.model)


def _insert_default(field: Any) -> Defaulted:
    from django.db.models import NOT_PROVIDED

    if field.default is not NOT_PROVIDED and not callable(field.default):
        value = field.get_default()
        if isinstance(value, str):
            value = str(value)  # TextChoices members are str subclasses
        return Defaulted(field.name, field.column, value, "the model default")
    if field.null:
        reason = (
            "NULL: the model default is computed (it would be the import time)"
            if field.default is not NOT_PROVIDED
            else "NULL"
        )
        return Defaulted(field.name, field.column, None, reason)
    raise ConfigError(
        f"{field.model._meta.label}.{field.name} is NOT NULL with no constant default and no "
        "legacy column feeds it"
    )


def table_mapping(table: Table, columns: Sequence[str], zone: tzinfo = UTC) -> TableMapping:
    """The mapping of a legacy table whose source has `columns` (all declared; unknown columns
    are the caller's to refuse)."""
    model = model_of(table)
    meta = model._meta
    plans: list[FieldPlan] = []
    fed: set[str] = set()
    for name in columns:
        column = table.column(name)
        field = meta.get_field(column.field)
        null = bool(field.null)
        flag_default = column.flag_default if (column.kind is Kind.BOOLEAN and not null) else None
        if column.kind is Kind.PASSWORD:
            rule = cv.to_password  # never NULL: the rule makes every value a password
            column_rule = _mapped(rule)
        elif flag_default is not None:
            rule = _flag(flag_default)
            column_rule = _mapped_flag(flag_default)
        else:
            base = _rule(column.kind, zone)
            if null:
                rule, column_rule = base, _mapped(base)
            else:
                rule = _not_null(base, f"{meta.label}.{field.name}")
                column_rule = _mapped_not_null(base)
        plans.append(
            FieldPlan(
                name,
                column.kind,
                field.name,
                field.column,
                null,
                flag_default,
                _reference(field),
                rule,
                column_rule,
            )
        )
        fed.add(field.name)
    pk_plans = [p for p in plans if p.field == meta.pk.name]
    if not pk_plans:
        raise ConfigError(f"{table.name}: the source lacks the primary key {table.primary_key}")
    defaulted = tuple(
        _insert_default(f) for f in meta.concrete_fields if f.name not in fed and not f.primary_key
    )
    return TableMapping(table, model, meta.db_table, pk_plans[0], tuple(plans), defaulted)
