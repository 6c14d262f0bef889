"""The two-way accounting between the legacy schema and the Django models (Zulip's idea):
every legacy column lands in a model field of a compatible type, with the same database
column, the same foreign-key target and delete rule, and room for every legacy value; every
model field is fed by a legacy column or listed in NEW_MODEL_FIELDS with its reason.

Needs the Django settings (pytest-django); skipped when run without them.
"""

from __future__ import annotations

from typing import Any

import pytest

from cutover.legacy_schema import NEW_MODEL_FIELDS, TABLES, Column, Kind, Table, get_table

django = pytest.importorskip("django")
from django.conf import settings  # noqa: E402

if not settings.configured:
    pytest.skip("Django settings are not configured", allow_module_level=True)

from django.apps import apps  # noqa: E402
from django.db import models  # noqa: E402

COMPATIBLE: dict[Kind, set[str]] = {
    Kind.INTEGER: {"IntegerField", "BigIntegerField", "AutoField", "BigAutoField"},
    Kind.FLOAT: {"FloatField"},
    Kind.TEXT: {"TextField", "CharField"},
    Kind.BOOLEAN: {"BooleanField"},
    Kind.TIMESTAMP: {"DateTimeField"},
    Kind.DATE: {"DateField"},
    Kind.TIME_TEXT: {"TextField", "CharField"},
    Kind.JSON: {"JSONField"},
    Kind.PASSWORD: {"CharField"},
}
ON_DELETE = {"CASCADE": models.CASCADE, "SET NULL": models.SET_NULL}


def model_of(table: Table) -> Any:
    return apps.get_model(table.model.app_label, table.model.model)


def own_fields(model: Any) -> dict[str, Any]:
    """Fields the model declares (columns and many-to-many), reverse relations excluded."""
    found = {}
    for f in model._meta.get_fields():
        declared = (getattr(f, "concrete", False) or f.many_to_many) and not f.auto_created
        if declared or getattr(f, "primary_key", False):
            found[f.name] = f
    return found


def cases() -> list[tuple[Table, Column]]:
    return [(t, c) for t in TABLES for c in t.columns]


@pytest.mark.parametrize(("table", "column"), cases(), ids=lambda v: getattr(v, "name", ""))
def test_every_legacy_column_lands_in_a_compatible_field(table: Table, column: Column) -> None:
    field = model_of(table)._meta.get_field(column.field)
    assert field.column == column.name, "the database column keeps the legacy name"
    internal = field.get_internal_type()
    if column.references is not None:
        assert internal in {"ForeignKey", "OneToOneField"}
        parent = get_table(column.references.table)
        assert field.remote_field.model._meta.label == str(parent.model)
        assert field.remote_field.on_delete is ON_DELETE[str(column.references.on_delete)]
    else:
        assert internal in COMPATIBLE[column.kind]
    if column.unique and not column.primary_key:
        assert field.unique or internal == "OneToOneField"
    if column.nullable and not column.primary_key and not field.null:
        # Only the documented rule allows it: NULL flags read as the legacy default.
        assert column.flag_default is not None, "a legacy NULL would have nowhere to go"
        assert field.default == column.flag_default


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_model_field_is_accounted_for(table: Table) -> None:
    model = model_of(table)
    mapped = {c.field for c in table.columns}
    new = set(NEW_MODEL_FIELDS.get(str(table.model), {}))
    assert set(own_fields(model)) - mapped == new
    assert not (new & mapped)
