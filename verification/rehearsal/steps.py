"""The full local cutover rehearsal, from nothing to a verdict.

Steps (each timed, shown as it runs, and turned into checks for the gate):

1. infrastructure: PostgreSQL and Redis from URLs, else throwaway local servers, else none;
2. legacy database: a realistic synthetic one (``cutover.legacy_seed``; SQLite by default,
   PostgreSQL with ``--legacy-postgres`` or a postgresql:// ``--legacy-url``);
3. backup: ``cutover.backup.create_backup`` then ``validate_backup`` (restored and compared with
   its manifest before anything else runs);
4. export: ``cutover.export.export_database`` then ``check_export``;
5. Django database: a fresh database, migrated (timed: the real ``migrate``);
6. import, 7. verify: the toolkit's own steps (``verification.rehearsal.toolkit``); while a
   step has not landed it is an ERROR check saying so, never a pass;
8. services: gunicorn, daphne, Celery worker and beat on that database;
9. deploy-verify against them (every check; the suite against the live processes), plus
   legacy accounts logging in with their legacy passwords when the import ran;
10. rollback: the toolkit's rollback through the local platform adapter (stop the services,
    restore the legacy database from the backup, verify it against the manifest, point the
    frontend back, legacy health), timed against R18's bound;
11. stop everything; 12. the report (JSON + HTML in the run directory) and the verdict.

Critical for GO (``gate_rules("rehearsal")`` plus the checks that declare themselves
critical): every service check, ``migration.verify``, the backup, export and import, and the
rollback (completed, within bound).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import secrets
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from verification.gate import CheckResult, CheckStatus, GateVerdict
from verification.infra import processes
from verification.targets.base import Target
from verification.thresholds import MIGRATION_VERIFY, ROLLBACK_MAX_S

SEED_CHECK = "migration.seed"
BACKUP_CHECK = "migration.backup"
EXPORT_CHECK = "migration.export"
IMPORT_CHECK = "migration.import"
LOGINS_CHECK = "migration.legacy_logins"
ROLLBACK_CHECK = "rollback.completed"
ROLLBACK_TIME_CHECK = "rollback.time_bound"
LEGACY_LOGIN_SAMPLE = 12


@dataclass
class RehearsalOptions:
    run_dir: Path
    legacy_url: str | None = None
    legacy_postgres: bool = False
    scale: float = 1.0
    seed: int | None = None
    postgres_url: str | None = None
    redis_url: str | None = None
    include_suite: bool = True
    keep: bool = False
    use_postgres: bool = True
    use_redis: bool = True
    # Run the load phase (loadtests.run: its own database and gunicorn, both mixes) and
    # judge its JSON results with the rest; users and run time per mix.
    load: bool = False
    load_users: int = 20
    load_run_time: str = "30s"
    # False: stop after verify (no services, no deploy-verify, no rollback): the migration only.
    services: bool = True
    # True: the Django database is copied from the migrated template (tests), not migrated.
    django_template: bool = False
    # Test hooks: run after import, before verify (the lost-row test deletes a row here).
    after_import: Callable[[str], None] | None = None


@dataclass
class StepRecord:
    number: int
    name: str
    seconds: float = 0.0
    outcome: str = "not run"
    detail: str = ""


@dataclass
class RehearsalState:
    legacy_url: str | None = None
    legacy_db_to_drop: tuple[str, str] | None = None  # (server url, name)
    seed: Any = None
    backup: Any = None
    export_dir: Path | None = None
    export: Any = None
    django_url: str | None = None
    django_db_owned: bool = False
    imported: bool = False
    import_result: Any = None
    verify_result: Any = None
    stack: Any = None
    target: Target | None = None
    notes: list[str] = field(default_factory=list)


def _check(
    name: str,
    status: CheckStatus,
    reason: str | None = None,
    *,
    critical: bool = True,
    seconds: float = 0.0,
    n: int | None = None,
    threshold: str | None = None,
    **evidence: Any,
) -> CheckResult:
    if reason:
        evidence["reason"] = reason
    return CheckResult(name, status, critical, evidence, round(seconds, 3), n, threshold)


def _as_dict(value: Any) -> Any:
    if value is None:
        return None
    for attribute in ("as_dict", "to_dict"):
        method = getattr(value, attribute, None)
        if callable(method):
            return method()
    return str(value)


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "t", "yes"}


def _legacy_standing(legacy_url: str) -> dict[int, bool]:
    """user id -> may log in (approved and not archived), read from the legacy database; a
    NULL flag reads as the legacy default (not approved, not archived)."""
    from cutover.sources import open_source

    standing: dict[int, bool] = {}
    with open_source(legacy_url) as source:
        for batch in source.batches("users", ["id", "is_approved", "is_archived"]):
            for user_id, approved, archived in batch:
                standing[int(user_id)] = _truthy(approved) and not _truthy(archived)
    return standing


class Rehearsal:
    STEPS = (
        "infrastructure",
        "legacy database",
        "backup (validated)",
        "export (checked)",
        "Django database (migrate)",
        "import",
        "verify",
        "services",
        "deploy-verify",
        "load (optional)",
        "rollback (timed)",
        "stop everything",
        "report",
    )

    def __init__(self, options: RehearsalOptions, console: Console) -> None:
        self.options = options
        self.console = console
        self.run_dir = options.run_dir
        self.results: list[CheckResult] = []
        self.records = [StepRecord(i + 1, name) for i, name in enumerate(self.STEPS)]
        self.state = RehearsalState()
        self.started = time.time()

    # --- step bookkeeping --------------------------------------------------------------

    @contextlib.contextmanager
    def step(self, number: int) -> Iterator[StepRecord]:
        record = self.records[number - 1]
        total = len(self.STEPS)
        self.console.print(f"[bold cyan][{number}/{total}][/bold cyan] {record.name} ...")
        started = time.perf_counter()
        try:
            with self.console.status(f"  {record.name}", spinner="dots"):
                yield record
            if record.outcome == "not run":
                record.outcome = "ok"
        except Exception as exc:
            record.outcome = "error"
            record.detail = f"{type(exc).__name__}: {exc}"
            self.results.append(
                _check(
                    f"rehearsal.{record.name.split()[0].lower()}",
                    CheckStatus.ERROR,
                    f"step {number} ({record.name}) crashed: {record.detail}",
                    traceback=traceback.format_exc(limit=8)[-4000:],
                )
            )
        finally:
            record.seconds = round(time.perf_counter() - started, 2)
            style = {"ok": "green", "error": "magenta", "failed": "red"}.get(
                record.outcome, "yellow"
            )
            detail = f"  [dim]{escape(record.detail)}[/dim]" if record.detail else ""
            self.console.print(
                f"      [{style}]{record.outcome}[/{style}] in {record.seconds:.1f} s{detail}"
            )

    def add(self, *results: CheckResult) -> None:
        self.results.extend(results)
        from verification.cli import print_results

        print_results(results, indent="      ")

    # --- the steps ---------------------------------------------------------------------

    def run(self) -> GateVerdict:
        from verification.targets.infra import local_infra

        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.console.rule(f"RGMS cutover rehearsal: {self.run_dir}")
        with contextlib.ExitStack() as cleanup:
            with self.step(1) as record:
                infra = cleanup.enter_context(
                    local_infra(
                        self.options.postgres_url,
                        self.options.redis_url,
                        want_postgres=self.options.use_postgres,
                        want_redis=self.options.use_redis,
                    )
                )
                self.infra = infra
                self.state.notes.extend(infra.notes)
                record.detail = "; ".join(infra.notes)
            cleanup.callback(self._drop_databases)
            with self.step(2) as record:
                self._seed(record)
            with self.step(3) as record:
                self._backup(record)
            with self.step(4) as record:
                self._export(record)
            with self.step(5) as record:
                self._django_database(record)
            with self.step(6) as record:
                self._import(record)
            with self.step(7) as record:
                self._verify(record)
            if self.options.services:
                with self.step(8) as record:
                    self._services(record)
                with self.step(9) as record:
                    self._deploy_verify(record)
                with self.step(10) as record:
                    self._load(record)
                with self.step(11) as record:
                    self._rollback(record)
                with self.step(12) as record:
                    self._stop(record)
            else:
                for number in (8, 9, 10, 11, 12):
                    self.records[number - 1].outcome = "skipped (--no-services)"
        # The report is not a guarded step: if it cannot be written, the run must fail loudly.
        record = self.records[-1]
        total = len(self.STEPS)
        self.console.print(f"[bold cyan][{total}/{total}][/bold cyan] report ...")
        started = time.perf_counter()
        verdict = self._report(record)
        record.seconds = round(time.perf_counter() - started, 2)
        record.outcome = "ok"
        return verdict

    def _seed(self, record: StepRecord) -> None:
        from cutover.legacy_seed import SeedConfig, seed_legacy_database
        from cutover.sources import create_database, with_database

        legacy_url = self.options.legacy_url
        if legacy_url is None and self.options.legacy_postgres:
            if not self.infra.postgres_url:
                raise RuntimeError("--legacy-postgres needs a PostgreSQL server")
            name = f"rgms_legacy_{secrets.token_hex(4)}"
            server = with_database(self.infra.postgres_url, "postgres")
            legacy_url = create_database(server, name)
            self.state.legacy_db_to_drop = (server, name)
        elif legacy_url is None:
            path = self.run_dir / "legacy" / "legacy.sqlite3"
            path.parent.mkdir(parents=True, exist_ok=True)
            legacy_url = f"sqlite:///{path.resolve()}"
        self.state.legacy_url = legacy_url
        config = SeedConfig(scale=self.options.scale)
        if self.options.seed is not None:
            config = SeedConfig(scale=self.options.scale, seed=self.options.seed)
        result = seed_legacy_database(legacy_url, config, overwrite=True)
        (self.run_dir / "legacy").mkdir(parents=True, exist_ok=True)
        result.write_credentials(self.run_dir / "legacy" / "credentials.json")
        self.state.seed = result
        record.detail = (
            f"{result.dialect} {result.total_rows} rows in {len(result.counts)} tables, "
            f"{len(result.credentials)} known passwords"
        )
        self.add(
            _check(
                SEED_CHECK,
                CheckStatus.PASS,
                critical=False,
                seconds=result.seconds,
                n=result.total_rows,
                threshold="a realistic legacy database (legacy DDL shapes)",
                source=result.source,
                counts=result.counts,
                placeholder_users=result.placeholder_users,
                invalid_hash_users=result.invalid_hash_users,
            )
        )

    def _backup(self, record: StepRecord) -> None:
        from cutover.backup import create_backup, validate_backup

        if self.state.legacy_url is None:
            self.add(_check(BACKUP_CHECK, CheckStatus.SKIP, "no legacy database (step 2)"))
            record.outcome = "skipped"
            return
        started = time.perf_counter()
        backup = create_backup(self.state.legacy_url, self.run_dir / "backups")
        validation = validate_backup(
            backup.manifest_path, scratch_server_url=self.infra.postgres_url
        )
        self.state.backup = backup
        seconds = time.perf_counter() - started
        evidence = {
            "backup": str(backup.backup_path),
            "manifest": str(backup.manifest_path),
            "size": backup.manifest.size,
            "sha256": backup.manifest.sha256,
            "restored_into": validation.restored_into,
            "discrepancies": [d.as_dict() for d in validation.discrepancies][:20],
        }
        status = CheckStatus.PASS if validation.ok else CheckStatus.FAIL
        reason = None if validation.ok else f"{len(validation.discrepancies)} discrepancies"
        record.outcome = "ok" if validation.ok else "failed"
        record.detail = f"{backup.backup_path.name}, validated: {validation.ok}"
        self.add(
            _check(
                BACKUP_CHECK,
                status,
                reason,
                seconds=seconds,
                n=backup.manifest.total_rows,
                threshold="restored backup equals its manifest (counts and content hashes)",
                **evidence,
            )
        )

    def _export(self, record: StepRecord) -> None:
        from cutover.export import check_export, export_database

        if self.state.legacy_url is None:
            self.add(_check(EXPORT_CHECK, CheckStatus.SKIP, "no legacy database (step 2)"))
            record.outcome = "skipped"
            return
        started = time.perf_counter()
        out = self.run_dir / "export"
        result = export_database(self.state.legacy_url, out)
        check = check_export(out)
        self.state.export_dir = out
        self.state.export = result
        ok = bool(result.ok and check.ok)
        seconds = time.perf_counter() - started
        record.outcome = "ok" if ok else "failed"
        record.detail = f"{result.total_rows} rows, re-read and checked: {check.ok}"
        self.add(
            _check(
                EXPORT_CHECK,
                CheckStatus.PASS if ok else CheckStatus.FAIL,
                None if ok else "the export or its re-read does not match the manifest",
                seconds=seconds,
                n=result.total_rows,
                threshold="every table exported; re-read equals the manifest",
                export=_as_dict(result),
                check=_as_dict(check),
            )
        )

    def _django_database(self, record: StepRecord) -> None:
        server = self.infra.postgres_url
        if server and self.options.django_template:
            from verification.targets.local import migrated_database

            env = processes.backend_env(database_url="", secret_key=processes.random_secret_key())
            self.state.django_url = migrated_database(server, env=env)
            self.state.django_db_owned = True
            record.detail = "PostgreSQL, copied from the migrated template"
            return
        if server:
            url = processes.create_database(server, f"rgms_rehearsal_{secrets.token_hex(4)}")
            self.state.django_db_owned = True
        else:
            url = f"sqlite:///{(self.run_dir / 'django.sqlite3').resolve()}"
            self.state.notes.append("the Django database is SQLite (no PostgreSQL)")
        self.state.django_url = url
        env = processes.backend_env(database_url=url, secret_key=processes.random_secret_key())
        processes.manage(["migrate", "--noinput", "-v0"], env, timeout=900)
        record.detail = "PostgreSQL" if server else "SQLite"

    def _import(self, record: StepRecord) -> None:
        from verification.rehearsal import toolkit

        step = toolkit.find("import")
        if not step.available:
            record.outcome = "error"
            record.detail = step.missing or ""
            self.add(_check(IMPORT_CHECK, CheckStatus.ERROR, step.missing))
            return
        started = time.perf_counter()
        result = toolkit.run_import(step, self.state.export_dir, self.state.django_url)
        self.state.import_result = result
        self.state.imported = result.ok
        record.outcome = "ok" if result.ok else "failed"
        record.detail = result.summary
        self.add(
            _check(
                IMPORT_CHECK,
                CheckStatus.PASS if result.ok else CheckStatus.FAIL,
                None if result.ok else result.summary,
                seconds=time.perf_counter() - started,
                n=result.rows,
                threshold="every exported row imported, nothing quarantined silently",
                report=result.report,
            )
        )
        if self.options.after_import is not None and self.state.django_url:
            self.options.after_import(self.state.django_url)

    def _verify(self, record: StepRecord) -> None:
        from verification.rehearsal import toolkit

        step = toolkit.find("verify")
        if not step.available:
            record.outcome = "error"
            record.detail = step.missing or ""
            self.add(_check(MIGRATION_VERIFY, CheckStatus.ERROR, step.missing))
            return
        if not self.state.imported:
            record.outcome = "skipped"
            reason = "nothing was imported (see migration.import)"
            self.add(_check(MIGRATION_VERIFY, CheckStatus.SKIP, reason))
            return
        started = time.perf_counter()
        result = toolkit.run_verify(step, self.state.legacy_url, self.state.django_url)
        self.state.verify_result = result
        record.outcome = "ok" if result.ok else "failed"
        record.detail = result.summary
        self.add(
            _check(
                MIGRATION_VERIFY,
                CheckStatus.PASS if result.ok else CheckStatus.FAIL,
                None if result.ok else result.summary,
                seconds=time.perf_counter() - started,
                n=result.rows,
                threshold="counts, orphans and every row and column equal after conversion",
                report=result.report,
            )
        )

    def _services(self, record: StepRecord) -> None:
        from verification.targets.local import LocalStack, StackConfig

        if self.state.django_url is None:
            raise RuntimeError("no Django database (step 5)")
        stack = LocalStack(
            StackConfig(
                run_dir=self.run_dir / "stack",
                database_url=self.state.django_url,
                redis_url=self.infra.redis_url,
                migrate=False,
            )
        )
        self.state.stack = stack
        stack.up()
        self.state.target = stack.target()
        roles = ", ".join(stack.active_roles)
        record.detail = f"{roles} up in {stack.timings.get('up_s')} s; web {stack.web_url}"
        for check, reason in self.state.target.limitations.items():
            self.state.notes.append(f"{check} skipped: {reason}")

    def _deploy_verify(self, record: StepRecord) -> None:
        from verification.checks.runner import VerifyOptions, deploy_verify
        from verification.cli import on_phase

        stack, target = self.state.stack, self.state.target
        if stack is None or target is None:
            raise RuntimeError("the services are not running (step 8)")
        options = VerifyOptions(
            out_dir=self.run_dir,
            include_suite=self.options.include_suite,
            settings_probe=stack.settings_schedule if not stack.has_redis else None,
            on_phase=on_phase,
        )
        run = deploy_verify(target, options)
        self.results.extend(run.results)
        self.phases = run.phases
        self.add(self._legacy_logins(target))
        failed = [r.name for r in run.results if r.status is CheckStatus.FAIL]
        record.detail = f"{len(run.results)} checks, {len(failed)} failed"
        record.outcome = "ok" if not failed else "failed"

    def _legacy_logins(self, target: Target) -> CheckResult:
        """Legacy accounts with known passwords, through web's real login endpoint: an approved,
        unarchived account logs in with its legacy password; an unapproved or archived one
        gets no token (MISSION K: the other rewrite gave them tokens)."""
        import requests

        if not self.state.imported or self.state.seed is None or not self.state.legacy_url:
            return _check(
                LOGINS_CHECK,
                CheckStatus.SKIP,
                "no imported legacy users to log in with (see migration.import)",
                critical=False,
            )
        standing = _legacy_standing(self.state.legacy_url)
        sample = self.state.seed.credentials[:LEGACY_LOGIN_SAMPLE]
        started = time.perf_counter()
        wrong = []
        outcomes = []
        for credential in sample:
            may = standing.get(credential.user_id, False)
            response = requests.post(
                f"{target.web_url}/api/v1/auth/login",
                json={"username": credential.username, "password": credential.password},
                timeout=30,
            )
            got_token = response.status_code == 200 and "access" in response.json()
            outcome = {
                "username": credential.username,
                "note": credential.note,
                "may_log_in": may,
                "status": response.status_code,
            }
            outcomes.append(outcome)
            if got_token != may:
                wrong.append(outcome)
        return _check(
            LOGINS_CHECK,
            CheckStatus.FAIL if wrong else CheckStatus.PASS,
            f"{len(wrong)} of {len(sample)} legacy logins answered wrongly" if wrong else None,
            seconds=time.perf_counter() - started,
            n=len(sample),
            threshold="approved accounts log in with the legacy password; unapproved or "
            "archived ones get no token",
            wrong=wrong,
            outcomes=outcomes,
        )

    def _load(self, record: StepRecord) -> None:
        """The optional load phase: ``python -m loadtests.run`` (the load budgets and their
        verdict are the load run's own), its JSON results read by verification.load_phase."""
        import dataclasses
        import importlib.util
        import subprocess
        import sys

        from verification.load_phase import RUN_CHECK, read_load_result

        if not self.options.load:
            record.outcome = "skipped"
            record.detail = "not asked for (--load)"
            return
        if importlib.util.find_spec("loadtests.run") is None:
            record.outcome = "error"
            record.detail = "no load runner (loadtests.run)"
            self.add(
                _check(RUN_CHECK, CheckStatus.ERROR, "the load runner loadtests.run is missing")
            )
            return
        out = self.run_dir / "load"
        command = [
            sys.executable, "-m", "loadtests.run",
            "--users", str(self.options.load_users),
            "--run-time", self.options.load_run_time,
            "--results-dir", str(out),
        ]  # fmt: skip
        if self.infra.postgres_url:
            command += ["--database-url", self.infra.postgres_url]
        if self.infra.redis_url:
            command += ["--redis-url", self.infra.redis_url]
        out.mkdir(parents=True, exist_ok=True)
        with (out / "run-output.txt").open("w") as log:
            completed = subprocess.run(
                command,
                cwd=processes.REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=1800,
                check=False,
            )
        files = sorted(p for p in out.glob("*.json") if p.name != "load-data.json")
        results: list[CheckResult] = []
        for path in files:
            checks = read_load_result(path)
            if len(files) > 1:  # one name per mix: load.<mix>.<class>
                mix = path.stem.removeprefix("load-")
                checks = [
                    dataclasses.replace(c, name=c.name.replace("load.", f"load.{mix}.", 1))
                    for c in checks
                ]
            results.extend(checks)
        if not results:
            results = read_load_result(out / "load-read.json")
        record.detail = f"loadtests.run exited {completed.returncode}; {len(files)} result files"
        record.outcome = "ok" if completed.returncode == 0 else "failed"
        self.add(*results)

    def _rollback(self, record: StepRecord) -> None:
        from verification.rehearsal import toolkit
        from verification.rehearsal.legacy_standin import LegacyStandIn

        threshold = f"completes within {ROLLBACK_MAX_S / 60:g} min (R18)"
        step = toolkit.find("rollback")
        stack = self.state.stack
        if not step.available:
            record.outcome = "error"
            record.detail = step.missing or ""
            self.add(
                _check(ROLLBACK_CHECK, CheckStatus.ERROR, step.missing),
                _check(ROLLBACK_TIME_CHECK, CheckStatus.ERROR, step.missing, threshold=threshold),
            )
            return
        if stack is None or self.state.backup is None or self.state.legacy_url is None:
            reason = "no running services or no validated backup to roll back with"
            self.add(
                _check(ROLLBACK_CHECK, CheckStatus.SKIP, reason),
                _check(ROLLBACK_TIME_CHECK, CheckStatus.SKIP, reason, threshold=threshold),
            )
            record.outcome = "skipped"
            return
        with LegacyStandIn(self.state.legacy_url) as legacy:
            started = time.perf_counter()
            result = toolkit.run_rollback(
                step,
                platform=stack.platform(),
                backup_manifest=self.state.backup.manifest_path,
                legacy_url=self.state.legacy_url,
                legacy_health_url=legacy.health_url,
                frontend_url=legacy.url,
                scratch_server_url=self.infra.postgres_url,
            )
            seconds = time.perf_counter() - started
        report = result.report if isinstance(result.report, dict) else {}
        completed = bool(report.get("completed", result.ok))
        # Timed here, around the whole call, against the bound the toolkit applied (R18's
        # number has one home, cutover.rollback, re-exported as thresholds.ROLLBACK_MAX_S).
        bound = float(report.get("time_bound_s") or ROLLBACK_MAX_S)
        within = seconds <= bound
        record.outcome = "ok" if completed and within else "failed"
        record.detail = f"{result.summary}; {seconds:.1f} s"
        self.add(
            _check(
                ROLLBACK_CHECK,
                CheckStatus.PASS if completed else CheckStatus.FAIL,
                None if completed else result.summary,
                seconds=seconds,
                threshold="services stopped, legacy restored and hash-equal to the backup "
                "manifest, frontend pointed back, legacy healthy",
                steps=report.get("steps"),
                restored=report.get("restored"),
            ),
            _check(
                ROLLBACK_TIME_CHECK,
                CheckStatus.PASS if within else CheckStatus.FAIL,
                None if within else f"took {seconds:.1f} s, over {bound:g} s",
                seconds=seconds,
                threshold=f"completes within {bound / 60:g} min (R18)",
                rollback_s=round(seconds, 2),
                bound_s=bound,
                latencies_ms=[round(seconds * 1000, 1)],
            ),
        )

    def _stop(self, record: StepRecord) -> None:
        stack = self.state.stack
        if stack is not None:
            stack.down()
        record.detail = "services stopped, Redis slot released"

    def _drop_databases(self) -> None:
        if self.options.keep:
            return
        from cutover.sources import drop_database

        if self.state.django_db_owned and self.state.django_url:
            with contextlib.suppress(Exception):
                processes.drop_database(self.state.django_url)
        if self.state.legacy_db_to_drop:
            with contextlib.suppress(Exception):
                drop_database(*self.state.legacy_db_to_drop)

    def _report(self, record: StepRecord) -> GateVerdict:
        from verification.checks.runner import write_report
        from verification.cli import print_verdict

        steps = {
            f"step {r.number:02d} {r.name}": f"{r.outcome}, {r.seconds:.1f} s"
            + (f": {r.detail}" if r.detail else "")
            for r in self.records[:-1]
        }
        phases = {
            f"deploy-verify {p.name}": f"{p.seconds:.1f} s: {p.summary}"
            for p in getattr(self, "phases", [])
        }
        meta: dict[str, Any] = {
            "command": "rehearse",
            "started_at": dt.datetime.fromtimestamp(self.started, dt.UTC).isoformat(),
            "wall_time_s": round(time.time() - self.started, 1),
            "legacy": None if self.state.seed is None else self.state.seed.source,
            "scale": self.options.scale,
            "notes": "; ".join(self.state.notes),
            **steps,
            **phases,
        }
        if self.state.target is not None:
            meta["target"] = self.state.target.describe()
        report = write_report(self.results, kind="rehearsal", out_dir=self.run_dir, meta=meta)
        (self.run_dir / "steps.json").write_text(
            json.dumps([r.__dict__ for r in self.records], indent=2)
        )
        record.detail = str(report.html_path)
        self._print_timings()
        print_verdict(report.verdict, report.json_path, report.html_path)
        return report.verdict

    def _print_timings(self) -> None:
        from rich.table import Table

        table = Table(title="rehearsal steps", title_justify="left")
        table.add_column("#", justify="right")
        table.add_column("step")
        table.add_column("outcome")
        table.add_column("seconds", justify="right")
        for r in self.records[:-1]:
            table.add_row(str(r.number), r.name, r.outcome, f"{r.seconds:.1f}")
        table.add_row("", "total", "", f"{time.time() - self.started:.1f}")
        self.console.print(table)


def rehearse(options: RehearsalOptions, *, console: Console) -> GateVerdict:
    return Rehearsal(options, console).run()
