"""Roll back to the legacy backend: timed, verified against the backup manifest, bounded.

`rollback(legacy_url=..., backup_manifest=... | backup_dir=..., platform=...)` runs, each step
timed and reported:

1. ``backup``: the backup to restore: the given manifest, or the latest one in `backup_dir`
   whose validation record (written by `validate_backup`) says it restored to exactly its
   manifest. A manifest without a passing validation record is validated first (restored into
   a scratch database); the backup file's size and SHA-256 are checked in every case. A backup
   that does not validate stops the rollback before anything is touched;
2. ``stop_services``: the four Django services stopped through the platform
   (`cutover.platform.Platform`; skipped, and said so, without one);
3. ``restore``: the legacy database restored from the backup. PostgreSQL: ``pg_restore
   --clean --if-exists --single-transaction`` into the legacy database (all or nothing), then
   tables created after the backup (the lazily created staff_audit, say) dropped and named;
   SQLite: the backup copied beside the legacy file, synced, then renamed over it (atomic),
   after removing the old file's journal and WAL;
4. ``verify_restore``: every table of the restored legacy database recomputed (columns, row
   counts, content hashes) and compared with the backup manifest: hash-equal or failed;
5. ``point_frontend``: the frontend pointed back at the legacy backend (`frontend_url`),
   only after the restore verified;
6. ``legacy_health``: the legacy health check URL, when configured.

The result says whether every step passed and whether the whole took less than the bound
(R18: 15 minutes). A failed step stops the steps that depend on it; stopping the services
failing does not stop the restore (bringing the legacy database back matters most), but the
rollback is reported failed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import time as clock
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import orjson
import psycopg
import psycopg.sql

from cutover.backup import (
    PG_RESTORE,
    compare_with_manifest,
    validate_backup,
    validation_path,
)
from cutover.errors import ConfigError, CutoverError, DiscrepancyError
from cutover.legacy_schema import Dialect
from cutover.manifest import Manifest, ManifestError, artefact_path, check_file, read_manifest
from cutover.platform.base import Platform, PlatformError, check_legacy_health
from cutover.progress import NULL_PROGRESS, Progress
from cutover.sources import (
    DEFAULT_BATCH_SIZE,
    libpq_arguments,
    parse_source_url,
    redact_url,
    with_database,
)

ROLLBACK_BOUND_S: Final = 15 * 60  # R18
LOCK_TIMEOUT_MS: Final = 120_000
STDERR_TAIL_CHARS: Final = 2000


class RollbackError(DiscrepancyError):
    """A rollback step that failed."""


@dataclass(slots=True)
class RollbackStep:
    name: str
    status: str = "not run"  # ok | failed | skipped | not run
    seconds: float = 0.0
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in {"ok", "skipped"}

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "seconds": round(self.seconds, 3),
            "detail": self.detail,
            **({"data": self.data} if self.data else {}),
        }


STEP_NAMES: Final = (
    "backup",
    "stop_services",
    "restore",
    "verify_restore",
    "point_frontend",
    "legacy_health",
)


@dataclass(slots=True)
class RollbackResult:
    legacy: str
    platform: str | None
    steps: list[RollbackStep]
    seconds: float
    time_bound_s: float
    backup_manifest: str | None = None

    def step(self, name: str) -> RollbackStep:
        return next(s for s in self.steps if s.name == name)

    @property
    def completed(self) -> bool:
        """Every step passed (or was deliberately skipped)."""
        return all(s.ok for s in self.steps)

    @property
    def within_bound(self) -> bool:
        return self.seconds <= self.time_bound_s

    @property
    def restored(self) -> bool:
        """The legacy database holds exactly the backup's content."""
        return self.step("verify_restore").status == "ok"

    @property
    def ok(self) -> bool:
        return self.completed and self.within_bound

    @property
    def summary(self) -> str:
        if self.ok:
            return (
                f"rolled back in {self.seconds:.1f} s (bound {self.time_bound_s:.0f} s): legacy "
                "database restored and hash-equal to the backup manifest"
            )
        failed = [f"{s.name}: {s.detail}" for s in self.steps if s.status == "failed"]
        if not self.within_bound:
            failed.append(f"took {self.seconds:.1f} s, over the {self.time_bound_s:.0f} s bound")
        return "rollback FAILED: " + "; ".join(failed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "summary": self.summary,
            "completed": self.completed,
            "restored": self.restored,
            "within_bound": self.within_bound,
            "seconds": round(self.seconds, 3),
            "time_bound_s": self.time_bound_s,
            "legacy": self.legacy,
            "platform": self.platform,
            "backup_manifest": self.backup_manifest,
            "steps": [s.as_dict() for s in self.steps],
        }


# ----------------------------------------------------------------------------- backups


def _validation_record(manifest_path: Path) -> dict[str, Any] | None:
    path = validation_path(manifest_path)
    try:
        record = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return record if isinstance(record, dict) else None


def latest_validated_backup(backup_dir: Path) -> Path:
    """The newest backup manifest in `backup_dir` whose validation record passed."""
    candidates: list[tuple[str, Path]] = []
    for path in sorted(backup_dir.glob("*.manifest.json")):
        record = _validation_record(path)
        if not record or record.get("ok") is not True:
            continue
        try:
            manifest = read_manifest(path)
        except (ManifestError, ConfigError):
            continue
        if manifest.kind == "backup" and manifest.complete:
            candidates.append((manifest.created_at, path))
    if not candidates:
        raise ConfigError(f"no validated backup in {backup_dir} (run `cutover backup` first)")
    return max(candidates)[1]


def _tail(text: str) -> str:
    text = text.strip()
    return text if len(text) <= STDERR_TAIL_CHARS else "..." + text[-STDERR_TAIL_CHARS:]


def restore_postgres(backup: Path, legacy_url: str) -> None:
    """pg_restore --clean into the legacy database, in one transaction (all or nothing)."""
    target, env = libpq_arguments(legacy_url)
    # A session that holds a lock on a legacy table must not stall the rollback forever.
    lock = f"-c lock_timeout={LOCK_TIMEOUT_MS}"
    options = f"{os.environ['PGOPTIONS']} {lock}" if os.environ.get("PGOPTIONS") else lock
    done = subprocess.run(
        [
            PG_RESTORE,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--dbname={target}",
            str(backup),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **env, "PGOPTIONS": options},
        check=False,
    )
    if done.returncode != 0:
        raise RollbackError(f"pg_restore failed (exit {done.returncode}): {_tail(done.stderr)}")


def drop_tables_created_since(manifest: Manifest, legacy_url: str) -> list[str]:
    """PostgreSQL: tables the legacy database has that the backup did not (created after it,
    such as the lazily created staff_audit): dropped, so the database is the backup's
    exactly. pg_restore --clean only replaces what the dump holds."""
    known = {t.name for t in manifest.tables}
    with psycopg.connect(legacy_url, connect_timeout=10) as conn:
        present = [
            r[0]
            for r in conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
            ).fetchall()
        ]
        extra = sorted(name for name in present if name not in known)
        for name in extra:
            conn.execute(
                psycopg.sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(
                    psycopg.sql.Identifier(name)
                )
            )
        conn.commit()
    return extra


def restore_sqlite(backup: Path, legacy_path: Path) -> None:
    """Copy the backup over the legacy file atomically (copy beside it, sync, rename)."""
    legacy_path.parent.mkdir(parents=True, exist_ok=True)
    partial = legacy_path.with_name(f".{legacy_path.name}.restoring")
    shutil.copyfile(backup, partial)
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())
    # The old file's journal or WAL belong to the content being replaced: a WAL left beside
    # the restored file would be replayed into it.
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            legacy_path.with_name(legacy_path.name + suffix).unlink()
    partial.replace(legacy_path)
    directory = os.open(legacy_path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


# ----------------------------------------------------------------------------- rollback


class _Runner:
    def __init__(self, progress: Progress) -> None:
        self.steps = {name: RollbackStep(name) for name in STEP_NAMES}
        self.progress = progress

    def run(self, name: str, action: Callable[[RollbackStep], None]) -> bool:
        step = self.steps[name]
        self.progress.note(f"rollback: {name}")
        started = clock.perf_counter()
        try:
            action(step)
            if step.status == "not run":
                step.status = "ok"
        except (
            CutoverError,
            PlatformError,
            OSError,
            subprocess.SubprocessError,
            psycopg.Error,
            sqlite3.Error,
        ) as exc:
            step.status = "failed"
            step.detail = str(exc)
        finally:
            step.seconds = clock.perf_counter() - started
        return step.ok

    def skip(self, name: str, reason: str, *, failed: bool = False) -> None:
        step = self.steps[name]
        step.status = "failed" if failed else "skipped"
        step.detail = reason


def rollback(
    *,
    legacy_url: str,
    backup_manifest: Path | str | None = None,
    backup_dir: Path | str | None = None,
    platform: Platform | None = None,
    legacy_health_url: str | None = None,
    frontend_url: str | None = None,
    scratch_server_url: str | None = None,
    time_bound_s: float = ROLLBACK_BOUND_S,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress = NULL_PROGRESS,
) -> RollbackResult:
    """Roll back to the legacy database of `legacy_url` (see the module docstring). Never
    raises for a failed step: the result names it (ConfigError only for unusable arguments)."""
    started = clock.perf_counter()
    location = parse_source_url(legacy_url)
    if backup_manifest is None and backup_dir is None:
        raise ConfigError("name the backup to restore (--backup) or a directory of backups")
    runner = _Runner(progress)
    chosen: dict[str, Any] = {}

    def pick_backup(step: RollbackStep) -> None:
        path = (
            Path(backup_manifest)
            if backup_manifest is not None
            else latest_validated_backup(Path(backup_dir))  # type: ignore[arg-type]
        )
        manifest = read_manifest(path)
        if manifest.kind != "backup" or not manifest.complete or manifest.file is None:
            raise ManifestError(f"{path} is not the manifest of a complete backup")
        if manifest.dialect != str(location.dialect):
            raise ConfigError(
                f"{path} is a {manifest.dialect} backup; the legacy database is {location.dialect}"
            )
        backup = artefact_path(path, manifest.file)
        found = check_file(backup, manifest.size, manifest.sha256)
        if found:
            raise RollbackError("; ".join(d.message for d in found))
        record = _validation_record(path)
        if record and record.get("ok") is True:
            step.detail = f"{backup.name}, validated {record.get('validated_at')}"
        else:
            scratch = scratch_server_url or (
                with_database(location.url, "postgres")
                if location.dialect is Dialect.POSTGRESQL
                else None
            )
            validation = validate_backup(
                path, scratch_server_url=scratch, progress=progress, batch_size=batch_size
            )
            if not validation.ok:
                raise RollbackError(
                    "the backup does not restore to its manifest: "
                    + "; ".join(d.message for d in validation.discrepancies)
                )
            step.detail = f"{backup.name}, validated now"
        chosen.update(path=path, manifest=manifest, backup=backup)
        step.data = {"manifest": str(path), "created_at": manifest.created_at,
                     "rows": manifest.total_rows}  # fmt: skip

    def stop(step: RollbackStep) -> None:
        assert platform is not None
        states = platform.stop_services()
        step.data = {"services": [s.as_dict() for s in states]}
        still = [s.role for s in states if s.live]
        if still:
            raise PlatformError(f"still running after stop: {', '.join(still)}")
        step.detail = f"stopped {', '.join(s.role for s in states)}"

    def restore(step: RollbackStep) -> None:
        backup: Path = chosen["backup"]
        if location.dialect is Dialect.POSTGRESQL:
            restore_postgres(backup, location.url)
            step.detail = f"pg_restore --clean of {backup.name} into {location.display}"
            dropped = drop_tables_created_since(chosen["manifest"], location.url)
            if dropped:
                step.data = {"dropped_tables_created_after_the_backup": dropped}
                step.detail += f"; dropped tables created after the backup: {', '.join(dropped)}"
        else:
            assert location.sqlite_path is not None
            restore_sqlite(backup, location.sqlite_path)
            step.detail = f"{backup.name} copied over {location.sqlite_path}"

    def verify(step: RollbackStep) -> None:
        manifest: Manifest = chosen["manifest"]
        digests, found = compare_with_manifest(
            manifest, location.url, progress=progress, batch_size=batch_size
        )
        step.data = {
            "tables": {
                n: {"rows": d.rows, "content_hash": d.content_hash} for n, d in digests.items()
            },
            "discrepancies": [d.as_dict() for d in found],
        }
        if found:
            raise RollbackError(
                f"the restored database differs from the backup manifest: "
                f"{'; '.join(d.message for d in found[:10])}"
            )
        rows = sum(d.rows for d in digests.values())
        step.detail = f"{len(digests)} tables, {rows} rows hash-equal to the manifest"

    def point(step: RollbackStep) -> None:
        assert platform is not None
        assert frontend_url is not None
        pointer = platform.point_frontend(frontend_url)
        step.data = pointer.as_dict()
        step.detail = f"frontend now uses {frontend_url} (was {pointer.previous})"

    def health(step: RollbackStep) -> None:
        assert legacy_health_url is not None
        outcome = (
            platform.legacy_health(legacy_health_url)
            if platform is not None
            else check_legacy_health(legacy_health_url)
        )
        step.data = outcome.as_dict()
        if not outcome.ok:
            raise RollbackError(
                f"legacy health check {legacy_health_url}: {outcome.detail or outcome.status}"
            )
        step.detail = f"HTTP {outcome.status} in {outcome.latency_ms} ms"

    if runner.run("backup", pick_backup):
        if platform is None:
            runner.skip("stop_services", "no platform: stop the Django services by hand")
        else:
            runner.run("stop_services", stop)
        if runner.run("restore", restore):
            restored = runner.run("verify_restore", verify)
        else:
            restored = False
            runner.skip("verify_restore", "not run: the restore failed", failed=True)
        if not restored:
            runner.skip("point_frontend", "not run: the legacy database is not the backup's")
        elif frontend_url is None:
            runner.skip("point_frontend", "no frontend URL given")
        elif platform is None:
            runner.skip("point_frontend", "no platform: point the frontend by hand", failed=True)
        else:
            runner.run("point_frontend", point)
        if legacy_health_url is None:
            runner.skip("legacy_health", "no legacy health URL configured")
        else:
            runner.run("legacy_health", health)
    else:
        for name in STEP_NAMES[1:]:
            runner.skip(name, "not run: no usable backup", failed=name == "restore")
    return RollbackResult(
        legacy=redact_url(legacy_url),
        platform=None if platform is None else platform.name,
        steps=list(runner.steps.values()),
        seconds=clock.perf_counter() - started,
        time_bound_s=time_bound_s,
        backup_manifest=str(chosen["path"]) if "path" in chosen else None,
    )
