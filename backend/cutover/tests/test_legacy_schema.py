"""The declared legacy schema: complete, consistent, and mapped onto the Django names."""

from __future__ import annotations

import pytest

from cutover import legacy_schema as ls
from cutover.legacy_schema import Dialect, Kind, OnDelete

EXPECTED_MODELS = {
    "cadets": "cadets.Cadet",
    "training_staff": "staff.Staff",
    "users": "users.User",
    "grades": "grading.Grade",
    "merit_demerit_logs": "grading.MeritDemeritLog",
    "training_days": "attendance.TrainingDay",
    "attendance_records": "attendance.AttendanceRecord",
    "staff_attendance_records": "attendance.StaffAttendanceRecord",
    "excuse_letters": "attendance.ExcuseLetter",
    "notifications": "notifications.Notification",
    "push_subscriptions": "notifications.PushSubscription",
    "activities": "activities.Activity",
    "activity_images": "activities.ActivityImage",
    "system_settings": "preferences.SystemSetting",
    "user_settings": "preferences.UserSettings",
    "staff_messages": "messaging.StaffMessage",
    "admin_messages": "messaging.AdminMessage",
    "audit_logs": "audit.AuditLog",
    "sync_events": "audit.SyncEvent",
}


def test_declares_the_nineteen_tables_with_their_models() -> None:
    assert {t.name: str(t.model) for t in ls.TABLES} == EXPECTED_MODELS


def test_staff_audit_is_not_migrated_with_a_reason() -> None:
    entry = ls.NOT_MIGRATED["staff_audit"]
    assert "SQLite-only" in entry.reason
    assert "staff_audit" not in ls.TABLES_BY_NAME


def test_dependency_order_puts_every_parent_first() -> None:
    position = {name: i for i, name in enumerate(ls.DEPENDENCY_ORDER)}
    assert set(position) == set(ls.TABLES_BY_NAME)
    for table in ls.TABLES:
        for parent in table.depends_on:
            assert position[parent] < position[table.name], (parent, table.name)


def test_dependency_order_is_computed_not_declared() -> None:
    # users references training_staff, declared after it: a declaration-order export would
    # break; the computed order must not.
    order = ls.DEPENDENCY_ORDER
    assert order.index("training_staff") < order.index("users")
    assert order.index("users") < order.index("merit_demerit_logs")


def test_dependency_order_rejects_cycles_and_unknown_parents() -> None:
    a = ls.Table(
        "a",
        ls.ModelRef("x", "A"),
        (ls._id(), ls._fk("b_id", "b", OnDelete.CASCADE)),
    )
    b = ls.Table(
        "b",
        ls.ModelRef("x", "B"),
        (ls._id(), ls._fk("a_id", "a", OnDelete.CASCADE)),
    )
    with pytest.raises(ValueError, match="cycle"):
        ls.dependency_order([a, b])
    with pytest.raises(ValueError, match="undeclared"):
        ls.dependency_order([a])


@pytest.mark.parametrize(
    ("table", "column", "target"),
    [
        ("attendance_records", "cadet_id", "attendance.AttendanceRecord.cadet"),
        ("merit_demerit_logs", "issued_by_user_id", "grading.MeritDemeritLog.issued_by_user"),
        ("staff_messages", "sender_staff_id", "messaging.StaffMessage.sender_staff"),
        ("user_settings", "user_id", "preferences.UserSettings.user"),
        ("users", "password", "users.User.password"),
        ("users", "staff_id", "users.User.staff"),
        ("cadets", "first_name", "cadets.Cadet.first_name"),
        # Not foreign keys in the legacy schema: the names stay.
        ("push_subscriptions", "user_id", "notifications.PushSubscription.user_id"),
        ("audit_logs", "user_id", "audit.AuditLog.user_id"),
        ("audit_logs", "record_id", "audit.AuditLog.record_id"),
    ],
)
def test_target_naming(table: str, column: str, target: str) -> None:
    assert str(ls.get_table(table).target(column)) == target


def test_every_column_has_a_target_and_foreign_keys_drop_id() -> None:
    for table in ls.TABLES:
        for col in table.columns:
            if col.references is not None:
                assert col.field == col.name.removesuffix("_id")
            else:
                assert col.field == col.name
    assert len(ls.all_targets()) == sum(len(t.columns) for t in ls.TABLES)


def test_every_table_has_its_primary_key() -> None:
    for table in ls.TABLES:
        assert table.column(table.primary_key).primary_key
    assert ls.get_table("user_settings").primary_key == "user_id"


@pytest.mark.parametrize(
    ("table", "column", "expected_in"),
    [
        ("cadets", "religion", ls.SQLITE_ONLY),
        ("user_settings", "custom_bg", ls.PG_ONLY),
        ("grades", "lifetime_merit_points", ls.PG_ONLY),
        ("training_staff", "qr_code_data", ls.NEITHER),
        ("excuse_letters", "training_day_id", ls.NEITHER),
    ],
)
def test_documented_quirks_are_declared_with_reasons(
    table: str, column: str, expected_in: frozenset[Dialect]
) -> None:
    col = ls.get_table(table).column(column)
    assert col.expected_in == expected_in
    assert col.absent_reason


def test_activity_images_is_postgresql_only_and_excuse_letters_has_a_reduced_form() -> None:
    images = ls.get_table("activity_images")
    assert images.expected_in == ls.PG_ONLY
    assert images.absent_reason
    reduced = ls.get_table("excuse_letters").reduced_form
    assert reduced is not None
    assert "training_day_id" not in reduced.columns
    assert reduced.pg_types["status"] == "VARCHAR(20)"


def test_legacy_types_follow_the_notation() -> None:
    cadets = ls.get_table("cadets")
    archived = cadets.column("is_archived")
    assert (archived.pg_type, archived.sqlite_type, archived.kind) == (
        "BOOLEAN",
        "INTEGER",
        Kind.BOOLEAN,
    )
    created = cadets.column("created_at")
    assert (created.pg_type, created.sqlite_type, created.pg_default) == (
        "TIMESTAMP",
        "TEXT",
        "CURRENT_TIMESTAMP",
    )
    approved = ls.get_table("users").column("is_approved")
    assert (approved.pg_type, approved.sqlite_type, approved.kind) == (
        "INTEGER",
        "INTEGER",
        Kind.BOOLEAN,
    )
    assert ls.get_table("audit_logs").column("payload").pg_type == "JSONB"
    assert ls.get_table("attendance_records").column("time_in").kind is Kind.TIME_TEXT


@pytest.mark.parametrize(
    ("table", "column", "on_delete", "enforced_in"),
    [
        ("users", "cadet_id", OnDelete.CASCADE, ls.BOTH),
        ("users", "staff_id", OnDelete.CASCADE, ls.BOTH),
        ("notifications", "user_id", OnDelete.SET_NULL, ls.BOTH),
        ("merit_demerit_logs", "issued_by_user_id", OnDelete.SET_NULL, ls.PG_ONLY),
        ("user_settings", "user_id", OnDelete.CASCADE, ls.BOTH),
        ("sync_events", "cadet_id", OnDelete.CASCADE, ls.BOTH),
    ],
)
def test_foreign_keys_keep_their_delete_semantics(
    table: str, column: str, on_delete: OnDelete, enforced_in: frozenset[Dialect]
) -> None:
    ref = ls.get_table(table).column(column).references
    assert ref is not None
    assert (ref.on_delete, ref.enforced_in) == (on_delete, enforced_in)


def test_unknown_table_lookup_names_it() -> None:
    with pytest.raises(KeyError, match="staff_audit"):
        ls.get_table("staff_audit")
