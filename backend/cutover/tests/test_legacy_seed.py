"""The synthetic legacy database: legacy shapes in both dialects, realistic volume, known
passwords, determinism."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import bcrypt
import psycopg
import pytest

from cutover import legacy_seed as seed
from cutover.conversions import PasswordStatus, convert_password
from cutover.errors import ConfigError
from cutover.legacy_schema import Dialect
from cutover.legacy_seed import SeedConfig, SeedResult
from cutover.sources import open_source, parse_source_url, sqlite_url


def test_realistic_scale_has_the_benchmark_shape() -> None:
    data = seed.generate(Dialect.POSTGRESQL, SeedConfig(scale=1.0))
    rows = data.rows
    assert len(rows["cadets"]) == 3000
    assert len(rows["training_days"]) == 15
    assert len(rows["attendance_records"]) == 3000 * 15
    assert len(rows["grades"]) == 3000
    assert len(rows["users"]) == 1 + 40 + 3000
    assert len(rows["audit_logs"]) == len(rows["sync_events"]) >= len(rows["merit_demerit_logs"])
    assert {r["operation"] for r in rows["audit_logs"]} == {"INSERT", "UPDATE", "DELETE"}
    assert len(rows["notifications"]) >= len(rows["attendance_records"])
    assert sum(len(v) for v in rows.values()) > 120_000
    assert data.placeholder_users > 2900


def test_generation_is_deterministic() -> None:
    config = SeedConfig(scale=0.01, seed=3)
    first = seed.generate(Dialect.SQLITE, config)
    assert first.rows == seed.generate(Dialect.SQLITE, config).rows
    other = seed.generate(Dialect.SQLITE, SeedConfig(scale=0.01, seed=4))
    assert other.rows["cadets"] != first.rows["cadets"]


def test_grades_agree_with_attendance_and_ledger() -> None:
    rows = seed.generate(Dialect.POSTGRESQL, SeedConfig(scale=0.02)).rows
    attended: dict[int, int] = {}
    for record in rows["attendance_records"]:
        if record["status"] in ("present", "late", "excused"):
            attended[record["cadet_id"]] = attended.get(record["cadet_id"], 0) + 1
    for grade in rows["grades"]:
        assert grade["attendance_present"] == attended.get(grade["cadet_id"], 0)
    assert any(entry["points"] < 0 for entry in rows["merit_demerit_logs"])


def test_precomputed_hashes_are_real() -> None:
    for (password, prefix), hashed in seed.PRECOMPUTED_HASHES.items():
        assert hashed.startswith(f"${prefix}$10$")
        assert len(hashed) == 60
        assert bcrypt.checkpw(password.encode()[:72], hashed.encode())


def sqlite_conn(url: str) -> sqlite3.Connection:
    path = parse_source_url(url).sqlite_path
    assert path is not None
    return sqlite3.connect(path)


def test_sqlite_variant_shape(
    sqlite_legacy: str, sqlite_legacy_file: tuple[Path, SeedResult]
) -> None:
    _, seeded = sqlite_legacy_file
    conn = sqlite_conn(sqlite_legacy)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "activity_images" not in tables
    for table, count in seeded.counts.items():
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count  # noqa: S608
    cadet_cols = {r[1]: r[2] for r in conn.execute("PRAGMA table_info(cadets)")}
    assert cadet_cols["is_archived"] == "INTEGER"
    assert cadet_cols["created_at"] == "TEXT"
    assert "religion" in cadet_cols
    assert "training_day_id" in {r[1] for r in conn.execute("PRAGMA table_info(excuse_letters)")}
    assert "lifetime_merit_points" not in {r[1] for r in conn.execute("PRAGMA table_info(grades)")}
    assert "custom_bg" not in {r[1] for r in conn.execute("PRAGMA table_info(user_settings)")}
    flags = {r[0] for r in conn.execute("SELECT DISTINCT typeof(is_archived) FROM cadets")}
    assert flags == {"integer"}
    (created,) = conn.execute("SELECT created_at FROM cadets LIMIT 1").fetchone()
    assert len(created) == 19
    assert created[10] == " "
    (payload,) = conn.execute("SELECT payload FROM audit_logs LIMIT 1").fetchone()
    assert json.loads(payload)["reason"] is not None
    conn.close()


def test_sqlite_triggers_behave_like_the_legacy_ones(sqlite_legacy: str) -> None:
    conn = sqlite_conn(sqlite_legacy)
    before = conn.execute("SELECT count(*) FROM audit_logs").fetchone()[0]
    conn.execute(
        "INSERT INTO merit_demerit_logs (cadet_id, type, points, reason)"
        " VALUES (1, 'merit', 2, 'ok')"
    )
    assert conn.execute("SELECT count(*) FROM audit_logs").fetchone()[0] == before + 1
    (payload,) = conn.execute("SELECT payload FROM audit_logs ORDER BY id DESC LIMIT 1").fetchone()
    assert json.loads(payload)["points"] == 2
    # A double quote in the reason breaks the string-built JSON, and with it the insert.
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute(
            "INSERT INTO merit_demerit_logs (cadet_id, type, points, reason)"
            " VALUES (1, 'merit', 2, 'said \"hi\"')"
        )
    conn.close()


def test_postgres_variant_shape(pg_legacy: tuple[str, SeedResult]) -> None:
    url, seeded = pg_legacy
    with psycopg.connect(url) as conn:
        for table, count in seeded.counts.items():
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count  # type: ignore[index]  # noqa: S608

        def columns(table: str) -> dict[str, str]:
            rows = conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = %s",
                (table,),
            ).fetchall()
            return dict(rows)  # type: ignore[arg-type]

        cadets = columns("cadets")
        assert "religion" not in cadets
        assert cadets["is_archived"] == "boolean"
        assert cadets["created_at"] == "timestamp without time zone"
        assert cadets["birthdate"] == "date"
        assert columns("users")["is_approved"] == "integer"
        assert columns("audit_logs")["payload"] == "jsonb"
        excuse = columns("excuse_letters")
        assert "training_day_id" not in excuse
        assert excuse["status"] == "character varying"
        assert "lifetime_merit_points" in columns("grades")
        assert "custom_bg" in columns("user_settings")
        assert "qr_code_data" in columns("training_staff")
        assert seeded.counts["activity_images"] > 0
        # the sequences continue after the seeded ids, and the trigger writes audit rows
        with conn.transaction(force_rollback=True):
            audit_before = conn.execute("SELECT count(*) FROM audit_logs").fetchone()[0]  # type: ignore[index]
            new_id = conn.execute(
                "INSERT INTO merit_demerit_logs (cadet_id, type, points, reason)"
                " VALUES (1, 'merit', 1, 'quote \"ok\" on PG') RETURNING id"
            ).fetchone()[0]  # type: ignore[index]
            assert new_id > max(
                e["id"]
                for e in seed.generate(Dialect.POSTGRESQL, seeded.config).rows["merit_demerit_logs"]
            )
            audit_after = conn.execute("SELECT count(*) FROM audit_logs").fetchone()[0]  # type: ignore[index]
            assert audit_after == audit_before + 1
        index_count = conn.execute(
            "SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'idx_%%'"
        ).fetchone()[0]  # type: ignore[index]
        assert index_count == 37  # as created on PG in the legacy run (one fails: reduced form)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_known_credentials_verify_and_the_rest_are_placeholders(
    dialect: str,
    sqlite_legacy_file: tuple[Path, SeedResult],
    pg_legacy: tuple[str, SeedResult],
) -> None:
    url = sqlite_url(sqlite_legacy_file[0]) if dialect == "sqlite" else pg_legacy[0]
    seeded = sqlite_legacy_file[1] if dialect == "sqlite" else pg_legacy[1]
    with open_source(url) as source:
        users = {
            r[0]: r for r in source.rows("users", ("id", "username", "password", "role"), ("id",))
        }
    notes = {c.note for c in seeded.credentials}
    assert {"spaces at both ends, unicode and emoji", "$2y$ hash (crypt_blowfish)"} <= notes
    assert {c.role for c in seeded.credentials} == {"admin", "training_staff", "cadet"}
    checked = 0
    for credential in seeded.credentials:
        _, username, stored, role = users[credential.user_id]
        assert (username, role) == (credential.username, credential.role)
        assert stored.startswith(("$2a$10$", "$2b$10$", "$2y$10$"))
        assert convert_password(stored).status is PasswordStatus.BCRYPT
        if credential.note != "shared" or checked < 2:
            # bcryptjs used only the first 72 bytes; so does the migrated login.
            assert bcrypt.checkpw(credential.password.encode()[:72], stored.encode()), username
            checked += 1
    statuses = [convert_password(u[2]).status for u in users.values()]
    assert statuses.count(PasswordStatus.PLACEHOLDER) == seeded.placeholder_users
    assert statuses.count(PasswordStatus.INVALID) == seeded.invalid_hash_users == 1
    assert statuses.count(PasswordStatus.BCRYPT) == len(seeded.credentials)


def test_credentials_sidecar(tmp_path: Path, sqlite_legacy_file: tuple[Path, SeedResult]) -> None:
    _, seeded = sqlite_legacy_file
    path = seeded.write_credentials(tmp_path / "credentials.json")
    data = json.loads(path.read_text())
    assert data["placeholder_users"] == seeded.placeholder_users
    assert {c["username"] for c in data["credentials"]} == {c.username for c in seeded.credentials}
    assert data["total_rows"] == sum(seeded.counts.values())


def test_refuses_to_seed_over_existing_data(
    sqlite_legacy_file: tuple[Path, SeedResult], pg_legacy: tuple[str, SeedResult]
) -> None:
    with pytest.raises(ConfigError, match="already exists"):
        seed.seed_legacy_database(sqlite_url(sqlite_legacy_file[0]), SeedConfig(scale=0.01))
    with pytest.raises(ConfigError, match="already has legacy tables"):
        seed.seed_legacy_database(pg_legacy[0], SeedConfig(scale=0.01))


def test_dialect_defaults_can_be_overridden(tmp_path: Path) -> None:
    config = SeedConfig(
        scale=0.01, excuse_form="reduced", religion=False, triggers=False, quirks=False
    )
    url = sqlite_url(tmp_path / "custom.db")
    result = seed.seed_legacy_database(url, config)
    assert set(result.quirks) <= {"negative_ledger_points"}  # legitimate legacy data
    assert result.invalid_hash_users == 0
    conn = sqlite_conn(url)
    assert "religion" not in {r[1] for r in conn.execute("PRAGMA table_info(cadets)")}
    assert "training_day_id" not in {
        r[1] for r in conn.execute("PRAGMA table_info(excuse_letters)")
    }
    assert (
        conn.execute("SELECT count(*) FROM sqlite_master WHERE type='trigger'").fetchone()[0] == 0
    )
    conn.close()


def test_foreign_key_check_catches_orphans(make_pg_database: Callable[[str], str]) -> None:
    url = make_pg_database("orphans")
    config = SeedConfig(scale=0.005, triggers=False, indexes=False)
    seed.seed_legacy_database(url, config)
    tables = seed.present_tables(Dialect.POSTGRESQL, config)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        seed._check_foreign_keys(cur, tables, config)  # the seeded data holds
        cur.execute("SET session_replication_role = replica")
        cur.execute("INSERT INTO grades (cadet_id) VALUES (999999)")
        cur.execute("SET session_replication_role = DEFAULT")
        with pytest.raises(AssertionError, match=r"orphan grades\.cadet_id"):
            seed._check_foreign_keys(cur, tables, config)
