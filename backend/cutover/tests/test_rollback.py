"""Rollback: the services stopped through the platform, the legacy database restored from the
validated backup and hash-equal to its manifest, the frontend pointed back, legacy health
checked; every step timed, R18's bound checked, and failures named instead of hidden."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest

from cutover.backup import compare_with_manifest, create_backup, validate_backup
from cutover.errors import ConfigError
from cutover.legacy_seed import SeedConfig, seed_legacy_database
from cutover.manifest import read_manifest
from cutover.platform.base import PlatformError, ServiceState
from cutover.platform.local import LocalPlatform
from cutover.rollback import ROLLBACK_BOUND_S, latest_validated_backup, rollback
from cutover.sources import parse_source_url

TINY = SeedConfig(scale=0.005, seed=3)


class FakeControl:
    def __init__(self, *, refuse_stop: bool = False) -> None:
        self.running = {"web": True, "channels": True, "worker": True, "beat": True}
        self.calls: list[tuple[str, str]] = []
        self.refuse_stop = refuse_stop

    def state(self, role: str) -> ServiceState:
        up = self.running[role]
        return ServiceState(role, f"local-{role}", up, "running" if up else "stopped")

    def stop(self, role: str) -> None:
        self.calls.append(("stop", role))
        if self.refuse_stop and role == "worker":
            raise PlatformError("worker: will not stop")
        self.running[role] = False

    def start(self, role: str) -> None:
        self.calls.append(("start", role))
        self.running[role] = True


@pytest.fixture
def health_url() -> Iterator[Callable[[int], str]]:
    servers: list[ThreadingHTTPServer] = []

    def serve(status: int) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/api/health"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def sqlite_change(url: str) -> None:
    path = parse_source_url(url).sqlite_path
    assert path is not None
    conn = sqlite3.connect(path)
    conn.execute("UPDATE cadets SET first_name = 'Changed' WHERE id = 1")
    conn.execute("DELETE FROM notifications WHERE id < 20")
    conn.execute("INSERT INTO system_settings (key, value) VALUES ('after_cutover', 'x')")
    conn.commit()
    conn.close()


def backed_up(url: str, directory: Path, **options: object) -> Path:
    result = create_backup(url, directory, **options)  # type: ignore[arg-type]
    scratch = url if url.startswith("postgresql") else None
    assert validate_backup(result.manifest_path, scratch_server_url=scratch).ok
    return result.manifest_path


def test_sqlite_rollback_restores_the_backed_up_content(
    sqlite_legacy: str, tmp_path: Path, health_url: Callable[[int], str]
) -> None:
    # given a validated backup, then changes to the legacy database after it
    manifest = backed_up(sqlite_legacy, tmp_path / "backups")
    sqlite_change(sqlite_legacy)
    _, before = compare_with_manifest(read_manifest(manifest), sqlite_legacy)
    assert before  # the legacy database no longer matches
    control = FakeControl()
    frontend = tmp_path / "frontend.json"
    # when rolling back through the local platform
    result = rollback(
        legacy_url=sqlite_legacy,
        backup_dir=tmp_path / "backups",
        platform=LocalPlatform(control, frontend_config=frontend),
        frontend_url="http://127.0.0.1:5000",
        legacy_health_url=health_url(200),
    )
    # then every step passed, in order, within the bound, and the content is the backup's
    assert result.ok, result.summary
    assert [(s.name, s.status) for s in result.steps] == [
        ("backup", "ok"),
        ("stop_services", "ok"),
        ("restore", "ok"),
        ("verify_restore", "ok"),
        ("point_frontend", "ok"),
        ("legacy_health", "ok"),
    ]
    assert control.calls == [("stop", r) for r in ("web", "channels", "beat", "worker")]
    assert json.loads(frontend.read_text())["api_url"] == "http://127.0.0.1:5000"
    assert compare_with_manifest(read_manifest(manifest), sqlite_legacy)[1] == []
    assert result.within_bound
    assert result.time_bound_s == ROLLBACK_BOUND_S
    assert all(s.seconds >= 0 for s in result.steps)
    assert result.seconds >= sum(s.seconds for s in result.steps) - 0.01
    document = result.as_dict()
    assert document["restored"] is True
    assert document["steps"][3]["data"]["discrepancies"] == []


@pytest.fixture
def pg_private_legacy(make_pg_database: Callable[[str], str]) -> str:
    url = make_pg_database("rollback")
    seed_legacy_database(url, TINY)
    return url


def test_postgres_rollback_restores_the_backed_up_content(
    pg_private_legacy: str, tmp_path: Path
) -> None:
    url = pg_private_legacy
    manifest = backed_up(url, tmp_path)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE cadets SET first_name = 'Changed' WHERE id = 1")
        conn.execute("DELETE FROM attendance_records WHERE id < 10")
        conn.execute("INSERT INTO system_settings (key, value) VALUES ('after_cutover', 'x')")
        conn.execute("ALTER TABLE cadets ADD COLUMN nickname TEXT")
        conn.execute("CREATE TABLE staff_audit (id SERIAL PRIMARY KEY, note TEXT)")
    result = rollback(legacy_url=url, backup_manifest=manifest)
    assert result.ok, result.summary
    assert result.step("restore").data == {
        "dropped_tables_created_after_the_backup": ["staff_audit"]
    }
    assert result.step("stop_services").status == "skipped"  # no platform given
    assert compare_with_manifest(read_manifest(manifest), url)[1] == []
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT first_name FROM cadets WHERE id = 1").fetchone()[0] != (
            "Changed"
        )


def test_an_unvalidated_backup_is_validated_first(sqlite_legacy: str, tmp_path: Path) -> None:
    made = create_backup(sqlite_legacy, tmp_path)
    sqlite_change(sqlite_legacy)
    result = rollback(legacy_url=sqlite_legacy, backup_manifest=made.manifest_path)
    assert result.ok, result.summary
    assert "validated now" in result.step("backup").detail


def test_a_tampered_backup_is_never_restored(sqlite_legacy: str, tmp_path: Path) -> None:
    manifest = backed_up(sqlite_legacy, tmp_path)
    backup_file = tmp_path / read_manifest(manifest).file  # type: ignore[operator]
    with backup_file.open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00garbage")
    sqlite_change(sqlite_legacy)
    legacy = parse_source_url(sqlite_legacy).sqlite_path
    assert legacy is not None
    before = legacy.read_bytes()
    result = rollback(legacy_url=sqlite_legacy, backup_manifest=manifest)
    assert not result.ok
    assert result.step("backup").status == "failed"
    assert "SHA-256" in result.step("backup").detail
    assert result.step("restore").status == "failed"
    assert legacy.read_bytes() == before  # untouched


def test_the_latest_validated_backup_is_chosen(sqlite_legacy: str, tmp_path: Path) -> None:
    first = backed_up(sqlite_legacy, tmp_path, name="a-first")
    time.sleep(1.1)  # manifests record whole seconds
    second = backed_up(sqlite_legacy, tmp_path, name="b-second")
    time.sleep(1.1)
    create_backup(sqlite_legacy, tmp_path, name="c-unvalidated")
    assert latest_validated_backup(tmp_path) == second
    assert first != second
    with pytest.raises(ConfigError, match="no validated backup"):
        latest_validated_backup(tmp_path / "empty")


def test_over_the_time_bound_is_a_failure(sqlite_legacy: str, tmp_path: Path) -> None:
    manifest = backed_up(sqlite_legacy, tmp_path)
    result = rollback(legacy_url=sqlite_legacy, backup_manifest=manifest, time_bound_s=1e-6)
    assert result.completed
    assert not result.within_bound
    assert not result.ok
    assert "bound" in result.summary


def test_an_unhealthy_legacy_backend_fails_the_rollback(
    sqlite_legacy: str, tmp_path: Path, health_url: Callable[[int], str]
) -> None:
    manifest = backed_up(sqlite_legacy, tmp_path)
    result = rollback(
        legacy_url=sqlite_legacy, backup_manifest=manifest, legacy_health_url=health_url(503)
    )
    assert not result.ok
    assert result.restored
    assert result.step("legacy_health").status == "failed"
    assert "503" in result.step("legacy_health").detail


def test_services_that_will_not_stop_do_not_stop_the_restore(
    sqlite_legacy: str, tmp_path: Path
) -> None:
    manifest = backed_up(sqlite_legacy, tmp_path)
    sqlite_change(sqlite_legacy)
    result = rollback(
        legacy_url=sqlite_legacy,
        backup_manifest=manifest,
        platform=LocalPlatform(FakeControl(refuse_stop=True)),
    )
    assert not result.ok
    assert result.step("stop_services").status == "failed"
    assert "worker" in result.step("stop_services").detail
    assert result.restored


def test_a_restore_that_does_not_verify_does_not_point_the_frontend(
    sqlite_legacy: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cutover import rollback as module

    manifest = backed_up(sqlite_legacy, tmp_path)
    monkeypatch.setattr(module, "restore_sqlite", lambda backup, path: sqlite_change(sqlite_legacy))
    frontend = tmp_path / "frontend.json"
    result = rollback(
        legacy_url=sqlite_legacy,
        backup_manifest=manifest,
        platform=LocalPlatform(FakeControl(), frontend_config=frontend),
        frontend_url="http://legacy.example",
    )
    assert not result.ok
    assert result.step("verify_restore").status == "failed"
    assert "cadets" in result.step("verify_restore").detail
    assert result.step("point_frontend").status == "skipped"
    assert not frontend.exists()


def test_a_backup_of_the_other_dialect_is_refused(
    sqlite_legacy: str, pg_private_legacy: str, tmp_path: Path
) -> None:
    manifest = backed_up(sqlite_legacy, tmp_path)
    result = rollback(legacy_url=pg_private_legacy, backup_manifest=manifest)
    assert result.step("backup").status == "failed"
    assert "sqlite backup" in result.step("backup").detail


def test_nothing_to_restore_is_a_configuration_error(sqlite_legacy: str) -> None:
    with pytest.raises(ConfigError):
        rollback(legacy_url=sqlite_legacy)
