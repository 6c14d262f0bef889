"""The command line through typer's runner: the whole phase-1 chain, --json output and the
documented exit codes (0 ok, 1 discrepancy, 2 usage/config, 3 internal)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cutover import cli
from cutover.cli import EXIT_DISCREPANCY, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, app
from cutover.legacy_seed import SeedResult
from cutover.sources import parse_source_url, sqlite_url

BACKEND = Path(__file__).resolve().parents[2]
runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, [*args, "--json"], env=env or {})
    try:
        document = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"not JSON (exit {result.exit_code}): {result.stdout!r} {result.stderr!r}")
    assert document["exit_code"] == result.exit_code
    return result.exit_code, document


def test_the_phase_one_chain_on_sqlite(tmp_path: Path) -> None:
    source = sqlite_url(tmp_path / "legacy.db")
    code, seeded = run(
        "seed",
        "--target",
        source,
        "--scale",
        "0.01",
        "--credentials",
        str(tmp_path / "credentials.json"),
    )
    assert code == EXIT_OK
    assert seeded["counts"]["cadets"] == 30
    assert json.loads((tmp_path / "credentials.json").read_text())["credentials"]

    code, backup = run("backup", "--source", source, "--out", str(tmp_path / "backups"))
    assert code == EXIT_OK
    assert backup["validation"]["ok"] is True
    manifest = backup["backup"]["manifest"]

    code, validation = run("validate-backup", manifest)
    assert code == EXIT_OK
    assert validation["discrepancies"] == []

    code, exported = run(
        "export", "--out", str(tmp_path / "export"), env={"NODEJS_DATABASE_URL": source}
    )
    assert code == EXIT_OK
    assert exported["total_rows"] == seeded["total_rows"]
    assert exported["tables"][0]["name"] == "cadets"

    code, checked = run("check-export", str(tmp_path / "export"))
    assert code == EXIT_OK
    assert checked["ok"] is True

    code, inspected = run("inspect", "--source", source)
    assert code == EXIT_OK
    assert {t["name"]: t["rows"] for t in inspected["tables"] if t["rows"] is not None} == {
        t["name"]: t["rows"] for t in exported["tables"] if t["rows"] is not None
    }


def test_postgres_backup_validates_on_the_source_server(
    pg_legacy: tuple[str, SeedResult], tmp_path: Path
) -> None:
    code, document = run("backup", "--source", pg_legacy[0], "--out", str(tmp_path))
    assert code == EXIT_OK, document
    assert document["validation"]["ok"] is True
    assert "cutover_scratch_validate_" in document["validation"]["restored_into"]


def test_human_output_has_a_summary(sqlite_legacy: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "--source", sqlite_legacy, "--out", str(tmp_path / "x")])
    assert result.exit_code == EXIT_OK
    assert "attendance_records" in result.stdout
    assert "export: OK" in result.stdout
    assert "NOTICE" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--source", "mysql://db/rotc", "--out", "OUT"],
        ["export", "--source", "sqlite:////nonexistent/legacy.db", "--out", "OUT"],
        ["export", "--source", "postgresql://u:secret@127.0.0.1:1/rotc", "--out", "OUT"],
        ["validate-backup", "/nonexistent/x.manifest.json"],
        ["seed", "--target", "sqlite:///SEEDFILE", "--create-database"],
    ],
)
def test_configuration_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    args = [
        a.replace("OUT", str(tmp_path / "out")).replace("SEEDFILE", str(tmp_path / "s.db"))
        for a in args
    ]
    code, document = run(*args)
    assert code == EXIT_USAGE
    assert document["error_kind"] == "config"
    assert "secret" not in json.dumps(document)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert (
        runner.invoke(
            app, ["export", "--out", str(tmp_path)], env={"NODEJS_DATABASE_URL": ""}
        ).exit_code
        == EXIT_USAGE
    )
    assert runner.invoke(app, ["backup", "--bogus"]).exit_code == EXIT_USAGE
    assert runner.invoke(app, ["no-such-command"]).exit_code == EXIT_USAGE


def test_non_empty_export_directory_exits_2(sqlite_legacy: str, tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x")
    code, document = run("export", "--source", sqlite_legacy, "--out", str(tmp_path))
    assert code == EXIT_USAGE
    assert "not empty" in document["error"]


def test_tampered_backup_exits_1_naming_the_table(sqlite_legacy: str, tmp_path: Path) -> None:
    code, document = run(
        "backup", "--source", sqlite_legacy, "--out", str(tmp_path), "--no-validate"
    )
    assert code == EXIT_OK
    backup_file = Path(document["backup"]["backup"])
    conn = sqlite3.connect(backup_file)
    conn.execute("DELETE FROM attendance_records WHERE id = 1")
    conn.commit()
    conn.close()
    code, document = run("validate-backup", document["backup"]["manifest"])
    assert code == EXIT_DISCREPANCY
    tables = {d["table"] for d in document["discrepancies"] if d["code"] != "file_sha256"}
    assert tables == {"attendance_records"}


def test_missing_table_exits_1(sqlite_legacy: str, tmp_path: Path) -> None:
    path = parse_source_url(sqlite_legacy).sqlite_path
    assert path is not None
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE sync_events")
    conn.close()
    code, document = run("export", "--source", sqlite_legacy, "--out", str(tmp_path / "out"))
    assert code == EXIT_DISCREPANCY
    assert any(
        p["code"] == "missing_table" and p["table"] == "sync_events" for p in document["problems"]
    )
    assert run("inspect", "--source", sqlite_legacy)[0] == EXIT_DISCREPANCY


def test_strict_turns_warnings_into_failures(sqlite_legacy: str, tmp_path: Path) -> None:
    path = parse_source_url(sqlite_legacy).sqlite_path
    assert path is not None
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE cadets ADD COLUMN nickname TEXT")
    conn.close()
    assert run("inspect", "--source", sqlite_legacy)[0] == EXIT_OK
    assert run("inspect", "--source", sqlite_legacy, "--strict")[0] == EXIT_DISCREPANCY
    code, _ = run("export", "--source", sqlite_legacy, "--out", str(tmp_path / "o"), "--strict")
    assert code == EXIT_DISCREPANCY


def test_unexportable_cell_exits_1_with_the_cell(sqlite_legacy: str, tmp_path: Path) -> None:
    path = parse_source_url(sqlite_legacy).sqlite_path
    assert path is not None
    conn = sqlite3.connect(path)
    conn.execute("UPDATE cadets SET address = X'00ff' WHERE id = 4")
    conn.commit()
    conn.close()
    code, document = run("export", "--source", sqlite_legacy, "--out", str(tmp_path / "o"))
    assert code == EXIT_DISCREPANCY
    assert document["cell"]["table"] == "cadets"
    assert document["cell"]["pk"] == 4
    assert document["cell"]["column"] == "address"


def test_internal_errors_exit_3(
    monkeypatch: pytest.MonkeyPatch, sqlite_legacy: str, tmp_path: Path
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "export_database", broken)
    code, document = run("export", "--source", sqlite_legacy, "--out", str(tmp_path / "o"))
    assert code == EXIT_INTERNAL
    assert document["error"] == "RuntimeError: boom"


@pytest.mark.parametrize(
    ("script", "command"), [("backup_database.py", "backup"), ("export_nodejs_data.py", "export")]
)
def test_plan_named_scripts_are_shims(
    script: str, command: str, sqlite_legacy: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(BACKEND / "scripts" / script),
            "--source",
            sqlite_legacy,
            "--out",
            str(tmp_path / "o"),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == EXIT_OK, done.stderr
    assert json.loads(done.stdout)["command"] == command


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cutover", "version"],
        capture_output=True,
        text=True,
        check=True,
        cwd=BACKEND,
    )
    assert done.stdout.strip()


# ----------------------------------------------------------------------------- import, verify,
# rollback (they need the Django test database)


@pytest.mark.django_db(transaction=True)
def test_import_verify_rollback_chain(sqlite_legacy: str, tmp_path: Path) -> None:
    # given a validated backup and an export of a legacy database
    code, backup = run("backup", "--source", sqlite_legacy, "--out", str(tmp_path / "backups"))
    assert code == EXIT_OK
    assert run("export", "--source", sqlite_legacy, "--out", str(tmp_path / "export"))[0] == 0
    # when it is imported (twice), verified, changed and rolled back
    code, imported = run(
        "import",
        "--export-dir",
        str(tmp_path / "export"),
        "--quarantine",
        str(tmp_path / "quarantine.json"),
        "--report",
        str(tmp_path / "import.json"),
    )
    assert code == EXIT_OK, imported
    assert imported["inserted"] == imported["total_rows"] > 0
    assert (
        json.loads((tmp_path / "import.json").read_text())["total_rows"] == (imported["total_rows"])
    )
    assert json.loads((tmp_path / "quarantine.json").read_text())["total"] == 0
    code, again = run("import", "--export-dir", str(tmp_path / "export"), "--atomic", "table")
    assert code == EXIT_OK
    assert again["inserted"] == again["updated"] == 0
    code, verified = run(
        "verify",
        "--source",
        sqlite_legacy,
        "--quarantine",
        str(tmp_path / "quarantine.json"),
        "--report",
        str(tmp_path / "verify.json"),
    )
    assert code == EXIT_OK, verified["summary"]
    assert verified["totals"]["legacy_rows"] == imported["total_rows"]
    assert json.loads((tmp_path / "verify.json").read_text())["ok"] is True
    path = parse_source_url(sqlite_legacy).sqlite_path
    assert path is not None
    conn = sqlite3.connect(path)
    conn.execute("UPDATE cadets SET last_name = 'Changed' WHERE id = 2")
    conn.commit()
    conn.close()
    code, differs = run("verify", "--source", sqlite_legacy)
    assert code == EXIT_DISCREPANCY
    assert differs["mismatches"][0]["column"] == "last_name"
    code, rolled = run(
        "rollback",
        "--source",
        sqlite_legacy,
        "--backup-dir",
        str(tmp_path / "backups"),
        "--report",
        str(tmp_path / "rollback.json"),
    )
    # then each says so with its exit code, and the rollback put the backup's content back
    assert code == EXIT_OK, rolled["summary"]
    assert rolled["restored"] is True
    assert rolled["backup_manifest"] == backup["backup"]["manifest"]
    assert run("verify", "--source", sqlite_legacy)[0] == EXIT_OK


@pytest.mark.django_db(transaction=True)
def test_import_stops_at_an_unconvertible_value_with_exit_1(
    sqlite_legacy: str, tmp_path: Path
) -> None:
    path = parse_source_url(sqlite_legacy).sqlite_path
    assert path is not None
    conn = sqlite3.connect(path)
    conn.execute("UPDATE training_days SET date = 'next Saturday' WHERE id = 2")
    conn.commit()
    conn.close()
    assert run("export", "--source", sqlite_legacy, "--out", str(tmp_path / "e"))[0] == EXIT_OK
    report = tmp_path / "import.json"
    code, document = run("import", "-e", str(tmp_path / "e"), "--report", str(report))
    assert code == EXIT_DISCREPANCY
    assert document["cell"] == json.loads(report.read_text())["cell"]
    assert (document["cell"]["table"], document["cell"]["pk"], document["cell"]["column"]) == (
        "training_days",
        2,
        "date",
    )
    assert "next Saturday" in document["cell"]["value"]


@pytest.mark.django_db(transaction=True)
def test_import_refuses_unknown_columns_with_exit_2(sqlite_legacy: str, tmp_path: Path) -> None:
    path = parse_source_url(sqlite_legacy).sqlite_path
    assert path is not None
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE grades ADD COLUMN bonus INTEGER")
    conn.close()
    assert run("export", "--source", sqlite_legacy, "--out", str(tmp_path / "e"))[0] == EXIT_OK
    code, document = run("import", "-e", str(tmp_path / "e"))
    assert code == EXIT_USAGE
    assert "grades.bonus" in document["error"]


def test_rollback_without_a_backup_exits_2(sqlite_legacy: str, tmp_path: Path) -> None:
    code, document = run("rollback", "--source", sqlite_legacy, env={"LEGACY_BACKUP_DIR": ""})
    assert code == EXIT_USAGE
    code, document = run("rollback", "--source", sqlite_legacy, "--backup-dir", str(tmp_path))
    assert code == EXIT_DISCREPANCY
    assert "no validated backup" in document["steps"][0]["detail"]


def test_rollback_on_render_needs_an_api_key(sqlite_legacy: str, tmp_path: Path) -> None:
    code, document = run(
        "rollback",
        "--source",
        sqlite_legacy,
        "--backup-dir",
        str(tmp_path),
        "--platform",
        "render",
        env={"RENDER_API_KEY": ""},
    )
    assert code == EXIT_USAGE
    assert "API key" in document["error"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("script", "command"),
    [
        ("import_django_data.py", "import"),
        ("verify_migration.py", "verify"),
        ("rollback_to_nodejs.py", "rollback"),
    ],
)
def test_the_other_plan_named_scripts_are_shims(
    script: str, command: str, sqlite_legacy: str, tmp_path: Path
) -> None:
    from cutover.django_target import reader_url

    assert run("backup", "--source", sqlite_legacy, "--out", str(tmp_path / "b"))[0] == EXIT_OK
    assert run("export", "--source", sqlite_legacy, "--out", str(tmp_path / "e"))[0] == EXIT_OK
    arguments = {
        "import": ["--export-dir", str(tmp_path / "e")],
        "verify": ["--source", sqlite_legacy],
        "rollback": ["--source", sqlite_legacy, "--backup-dir", str(tmp_path / "b")],
    }[command]
    done = subprocess.run(
        [sys.executable, str(BACKEND / "scripts" / script), *arguments, "--json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "DATABASE_URL": reader_url("default"), "CUTOVER_LOG_LEVEL": "ERROR"},
    )
    document = json.loads(done.stdout)
    assert document["command"] == command
    # verify runs against an empty Django database here: it must say so, not pass
    expected = EXIT_DISCREPANCY if command == "verify" else EXIT_OK
    assert done.returncode == expected, done.stderr[-2000:]
