"""Import: faithful (every row, keys kept, documented conversions), idempotent (a second run
changes nothing), fast bulk SQL without application side effects, and loud: a value no rule
converts stops it naming table, key, column and value, or is quarantined when asked."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core import mail

from cutover import importer
from cutover.conversions import UNUSABLE_INVALID, UNUSABLE_PLACEHOLDER, ConversionError
from cutover.errors import CellError, ConfigError, DiscrepancyError
from cutover.export import export_database
from cutover.importer import AtomicMode, import_export, read_quarantine
from cutover.legacy_seed import SeedResult
from cutover.sources import open_source, parse_source_url

pytestmark = pytest.mark.django_db(transaction=True)


def sqlite_file(url: str) -> Path:
    path = parse_source_url(url).sqlite_path
    assert path is not None
    return path


def alter(url: str, *statements: str) -> None:
    conn = sqlite3.connect(sqlite_file(url))
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


@pytest.fixture
def export_of(tmp_path: Path) -> Callable[[str], Path]:
    counter = iter(range(1, 1000))

    def export(url: str) -> Path:
        out = tmp_path / f"export-{next(counter)}"
        result = export_database(url, out)
        assert result.ok, result.problems
        return out

    return export


def django_counts() -> dict[str, int]:
    from cutover.legacy_schema import TABLES
    from cutover.mapping import model_of

    return {t.name: model_of(t).objects.count() for t in TABLES}


def legacy_counts(url: str) -> dict[str, int]:
    with open_source(url) as source:
        present = set(source.tables())
        from cutover.legacy_schema import TABLES

        return {t.name: source.count(t.name) if t.name in present else 0 for t in TABLES}


def table_rows(model_label: str) -> list[dict[str, Any]]:
    from django.apps import apps

    model = apps.get_model(model_label)
    return list(model.objects.order_by("pk").values())


def test_imports_every_row_with_its_key(
    sqlite_legacy: str, sqlite_legacy_file: tuple[Path, SeedResult], export_of: Callable
) -> None:
    # given an export of a seeded SQLite legacy database
    export = export_of(sqlite_legacy)
    # when it is imported
    result = import_export(export)
    # then every table has exactly the legacy rows, inserted, with the legacy keys
    assert result.ok, result.problems
    assert django_counts() == legacy_counts(sqlite_legacy)
    assert result.inserted == result.total_rows == sum(legacy_counts(sqlite_legacy).values())
    assert result.updated == result.unchanged == result.quarantined == 0
    from rgms.attendance.models import AttendanceRecord
    from rgms.cadets.models import Cadet

    with open_source(sqlite_legacy) as source:
        legacy_ids = [r[0] for r in source.rows("attendance_records", ["id"], ["id"])]
        legacy_pairs = list(
            source.rows("attendance_records", ["id", "training_day_id", "cadet_id"], ["id"])
        )
    assert list(AttendanceRecord.objects.order_by("id").values_list("id", flat=True)) == legacy_ids
    assert (
        list(
            AttendanceRecord.objects.order_by("id").values_list("id", "training_day_id", "cadet_id")
        )
        == legacy_pairs
    )
    assert Cadet.objects.get(pk=1).created_at.tzinfo is not None


def test_passwords_follow_the_authentication_rule_and_are_counted(
    sqlite_legacy: str, sqlite_legacy_file: tuple[Path, SeedResult], export_of: Callable
) -> None:
    _, seeded = sqlite_legacy_file
    result = import_export(export_of(sqlite_legacy))
    users = next(t for t in result.tables if t.name == "users")
    assert users.passwords == {
        "bcrypt": len(seeded.credentials),
        "placeholder": seeded.placeholder_users,
        "invalid": seeded.invalid_hash_users,
    }
    from rgms.users.models import User

    stored = dict(User.objects.values_list("username", "password"))
    for credential in seeded.credentials:
        assert stored[credential.username].startswith("bcrypt$$2")
    assert sum(1 for v in stored.values() if v == UNUSABLE_PLACEHOLDER) == seeded.placeholder_users
    assert sum(1 for v in stored.values() if v == UNUSABLE_INVALID) == seeded.invalid_hash_users
    assert not User.objects.get(password=UNUSABLE_INVALID).has_usable_password()


def test_a_second_import_changes_nothing(sqlite_legacy: str, export_of: Callable) -> None:
    export = export_of(sqlite_legacy)
    first = import_export(export)
    before = {label: table_rows(label) for label in ("cadets.Cadet", "audit.AuditLog")}
    second = import_export(export)
    assert second.changed == 0
    assert second.unchanged == first.inserted
    assert {label: table_rows(label) for label in before} == before


def test_a_changed_legacy_row_is_updated_and_only_it(
    sqlite_legacy: str, export_of: Callable
) -> None:
    import_export(export_of(sqlite_legacy))
    alter(sqlite_legacy, "UPDATE cadets SET first_name = 'Renamed' WHERE id = 7")
    result = import_export(export_of(sqlite_legacy))
    assert (result.inserted, result.updated) == (0, 1)
    cadets = next(t for t in result.tables if t.name == "cadets")
    assert cadets.updated == 1
    from rgms.cadets.models import Cadet

    assert Cadet.objects.get(pk=7).first_name == "Renamed"


def test_sequences_continue_after_the_largest_key(sqlite_legacy: str, export_of: Callable) -> None:
    result = import_export(export_of(sqlite_legacy))
    from rgms.cadets.models import Cadet
    from rgms.notifications.models import Notification

    largest = Notification.objects.order_by("-id").values_list("id", flat=True)[0]
    assert result.sequences["notifications"] == largest
    created = Notification.objects.create(message="after cutover", type="general_update")
    assert created.pk == largest + 1
    cadet = Cadet.objects.create(first_name="New", last_name="Cadet", student_id="2099-00001")
    assert cadet.pk == Cadet.objects.exclude(pk=cadet.pk).order_by("-id")[0].pk + 1
    assert result.sequences["user_settings"] is None  # keyed by the user, no sequence


def test_null_flags_read_as_the_legacy_default_and_are_counted(
    sqlite_legacy: str, export_of: Callable
) -> None:
    alter(
        sqlite_legacy,
        "UPDATE cadets SET is_archived = NULL WHERE id IN (2, 3)",
        "UPDATE users SET is_approved = NULL WHERE id = 5",
    )
    result = import_export(export_of(sqlite_legacy))
    cadets = next(t for t in result.tables if t.name == "cadets")
    users = next(t for t in result.tables if t.name == "users")
    assert cadets.flag_defaults["is_archived"] == 2
    assert users.flag_defaults["is_approved"] == 1
    from rgms.cadets.models import Cadet
    from rgms.users.models import User

    assert not Cadet.objects.get(pk=2).is_archived
    assert not User.objects.get(pk=5).is_approved


def test_fields_without_a_legacy_column_get_constant_defaults_never_the_import_time(
    pg_legacy: tuple[str, SeedResult], export_of: Callable
) -> None:
    # PostgreSQL sources lack cadets.religion; excuse letters have the reduced form
    result = import_export(export_of(pg_legacy[0]))
    cadets = next(t for t in result.tables if t.name == "cadets")
    assert cadets.defaulted == {"religion": None}
    notifications = next(t for t in result.tables if t.name == "notifications")
    assert notifications.defaulted == {"priority": "normal"}
    from rgms.cadets.models import Cadet
    from rgms.notifications.models import Notification

    assert set(Cadet.objects.values_list("religion", flat=True)) == {None}
    assert set(Notification.objects.values_list("priority", flat=True)) == {"normal"}
    assert django_counts() == legacy_counts(pg_legacy[0])


def test_naive_times_are_read_in_the_legacy_zone(sqlite_legacy: str, export_of: Callable) -> None:
    alter(sqlite_legacy, "UPDATE cadets SET created_at = '2024-06-01 08:00:00' WHERE id = 1")
    import_export(export_of(sqlite_legacy), legacy_zone="Asia/Manila")
    from rgms.cadets.models import Cadet

    assert Cadet.objects.get(pk=1).created_at == datetime(2024, 6, 1, 0, 0, tzinfo=UTC)


def test_an_unconvertible_value_stops_the_import_naming_it(
    sqlite_legacy: str, export_of: Callable
) -> None:
    alter(sqlite_legacy, "UPDATE cadets SET birthdate = '31/12/2003' WHERE id = 9")
    with pytest.raises(ConversionError) as caught:
        import_export(export_of(sqlite_legacy))
    error = caught.value
    assert (error.table, error.pk, error.column, error.value) == (
        "cadets",
        9,
        "birthdate",
        "31/12/2003",
    )
    # whole-run atomic: nothing was written
    assert sum(django_counts().values()) == 0


def test_quarantine_sets_rows_aside_with_their_dependants_and_continues(
    sqlite_legacy: str, export_of: Callable, tmp_path: Path
) -> None:
    alter(sqlite_legacy, "UPDATE cadets SET birthdate = '31/12/2003' WHERE id = 9")
    report = tmp_path / "quarantine.json"
    result = import_export(export_of(sqlite_legacy), quarantine=report)
    assert result.quarantined > 1
    document = json.loads(report.read_text())
    cadet = document["tables"]["cadets"][0]
    assert (cadet["pk"], cadet["column"], cadet["value"]) == (9, "birthdate", "31/12/2003")
    assert cadet["row"]["student_id"]  # the whole export row, to fix and re-import
    # every row naming cadet 9 is set aside too, saying why
    with open_source(sqlite_legacy) as source:
        expected = {
            table: {r[0] for r in source.rows(table, ["id", "cadet_id"]) if r[1] == 9}
            for table in ("grades", "attendance_records", "users")
        }
    held = read_quarantine(report)
    for table, keys in expected.items():
        assert held[table] >= keys
    assert all("quarantined" in row["reason"] for row in document["tables"]["attendance_records"])
    counts = django_counts()
    legacy = legacy_counts(sqlite_legacy)
    assert {t: counts[t] + len(held.get(t, ())) for t in counts} == legacy


def test_unknown_columns_refuse_the_import_naming_them(
    sqlite_legacy: str, export_of: Callable
) -> None:
    alter(
        sqlite_legacy,
        "ALTER TABLE cadets ADD COLUMN nickname TEXT",
        "ALTER TABLE users ADD COLUMN mfa_secret TEXT",
    )
    with pytest.raises(ConfigError) as caught:
        import_export(export_of(sqlite_legacy))
    assert "cadets.nickname" in str(caught.value)
    assert "users.mfa_secret" in str(caught.value)
    assert sum(django_counts().values()) == 0


def test_unknown_tables_refuse_the_import(sqlite_legacy: str, export_of: Callable) -> None:
    alter(sqlite_legacy, "CREATE TABLE sessions (id INTEGER PRIMARY KEY, token TEXT)")
    with pytest.raises(ConfigError, match="table sessions"):
        import_export(export_of(sqlite_legacy))


def test_a_tampered_export_is_refused(sqlite_legacy: str, export_of: Callable) -> None:
    export = export_of(sqlite_legacy)
    path = export / "cadets.json"
    path.write_bytes(path.read_bytes().replace(b'"Santos"', b'"Sant0s"', 1))
    with pytest.raises(DiscrepancyError, match="cadets"):
        import_export(export)


def test_an_incomplete_export_is_refused(sqlite_legacy: str, export_of: Callable) -> None:
    export = export_of(sqlite_legacy)
    manifest = json.loads((export / "manifest.json").read_text())
    manifest["complete"] = False
    (export / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DiscrepancyError, match="did not finish"):
        import_export(export)


class Killed(RuntimeError):
    pass


@pytest.fixture
def kill_after() -> Iterator[Callable[[int], None]]:
    """Raise inside the bulk write once `rows` rows have been staged (a crash mid-import)."""
    original = importer._Stage.load
    state = {"left": None}

    def load(self: Any, rows: Any) -> None:
        if state["left"] is not None:
            state["left"] -= len(rows)
            if state["left"] < 0:
                raise Killed("killed mid-import")
        original(self, rows)

    def arm(rows: int) -> None:
        state["left"] = rows

    with mock.patch.object(importer._Stage, "load", load):
        yield arm


@pytest.mark.parametrize("atomic", list(AtomicMode))
def test_an_import_killed_mid_way_and_rerun_gives_identical_data(
    atomic: AtomicMode, sqlite_legacy: str, export_of: Callable, kill_after: Callable
) -> None:
    export = export_of(sqlite_legacy)
    kill_after(1500)
    with pytest.raises(Killed):
        import_export(export, atomic=atomic, batch_size=100)
    partial = sum(django_counts().values())
    if atomic is AtomicMode.RUN:
        assert partial == 0
    else:
        assert 0 < partial < sum(legacy_counts(sqlite_legacy).values())
    kill_after(10**9)
    rerun = import_export(export, atomic=atomic, batch_size=100)
    assert django_counts() == legacy_counts(sqlite_legacy)
    assert rerun.inserted + rerun.unchanged == rerun.total_rows
    snapshot = table_rows("attendance.AttendanceRecord")
    # identical to a clean import
    from django.core.management import call_command

    call_command("flush", "--noinput")
    import_export(export, atomic=atomic)
    assert table_rows("attendance.AttendanceRecord") == snapshot


def test_no_application_side_effects(
    sqlite_legacy: str, export_of: Callable, settings: Any
) -> None:
    # given the paths an application write would take: model signals, cache invalidation,
    # task queueing, websocket broadcasts and email
    from django.db.models import signals

    saved: list[Any] = []
    signals.post_save.connect(lambda **kw: saved.append(kw), weak=False, dispatch_uid="t-import")
    try:
        with (
            mock.patch("rgms.core.cache.invalidate") as invalidate,
            mock.patch("celery.app.task.Task.apply_async") as queued,
            mock.patch("channels.layers.InMemoryChannelLayer.group_send") as broadcast,
        ):
            result = import_export(export_of(sqlite_legacy))
    finally:
        signals.post_save.disconnect(dispatch_uid="t-import")
    # then the import used none of them
    assert saved == []
    invalidate.assert_not_called()
    queued.assert_not_called()
    broadcast.assert_not_called()
    assert mail.outbox == []
    # and created no audit rows or notifications of its own: exactly the legacy ones
    counts = django_counts()
    legacy = legacy_counts(sqlite_legacy)
    assert counts["audit_logs"] == legacy["audit_logs"]
    assert counts["notifications"] == legacy["notifications"]
    assert result.ok


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_import_into_a_database_given_by_url(
    sqlite_legacy: str, export_of: Callable, default_database_url: str
) -> None:
    result = import_export(export_of(sqlite_legacy), database_url=default_database_url)
    assert result.ok
    assert django_counts() == legacy_counts(sqlite_legacy)


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_an_unmigrated_database_is_a_configuration_error(
    sqlite_legacy: str, export_of: Callable, unmigrated_django_url: str
) -> None:
    with pytest.raises(ConfigError, match="migrate"):
        import_export(export_of(sqlite_legacy), database_url=unmigrated_django_url)


def test_rows_the_database_refuses_are_named(sqlite_legacy: str, export_of: Callable) -> None:
    # given a user in the Django database that shares a username with a legacy user
    from rgms.users.models import User

    with open_source(sqlite_legacy) as source:
        username = next(source.rows("users", ["username"], ["id"]))[0]
    User.objects.create(id=999_999, username=username, role="admin")
    with pytest.raises(CellError) as caught:
        import_export(export_of(sqlite_legacy))
    assert caught.value.table == "users"
    assert caught.value.pk == 1
    assert "refused" in caught.value.reason


def test_the_export_is_not_modified(sqlite_legacy: str, export_of: Callable) -> None:
    export = export_of(sqlite_legacy)
    before = {p.name: p.read_bytes() for p in export.iterdir()}
    import_export(export)
    assert {p.name: p.read_bytes() for p in export.iterdir()} == before


def test_a_value_too_large_for_a_django_index_is_named_not_a_crash(
    sqlite_legacy: str, export_of: Callable, tmp_path: Path
) -> None:
    # SQLite indexes any length; PostgreSQL btree entries stop near 2.7 kB, and Django indexes
    # cadets.platoon
    alter(sqlite_legacy, "UPDATE cadets SET platoon = hex(randomblob(4000)) WHERE id = 12")
    with pytest.raises(CellError) as caught:
        import_export(export_of(sqlite_legacy))
    assert (caught.value.table, caught.value.pk) == ("cadets", 12)
    assert "index row size" in caught.value.reason
    result = import_export(export_of(sqlite_legacy), quarantine=tmp_path / "q.json")
    assert 12 in read_quarantine(tmp_path / "q.json")["cadets"]
    assert result.quarantined >= 1


def test_a_database_failure_is_an_error_and_leaves_nothing(
    sqlite_legacy: str, export_of: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    original = importer._Stage.upsert

    def failing(self: Any, key: object = None) -> Any:
        if self.mapping.name == "notifications":
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return original(self, key)

    monkeypatch.setattr(importer._Stage, "upsert", failing)
    with pytest.raises(ConfigError, match="failed: server closed"):
        import_export(export_of(sqlite_legacy))
    assert sum(django_counts().values()) == 0
