"""Our own four services on 127.0.0.1: a fresh database, a leased Redis slot, seeded accounts,
gunicorn (web), daphne (channels), a Celery worker and Celery beat.

``LocalStack.up()`` brings the stack up, ``down()`` takes it away (processes stopped, Redis
slot flushed and released, the database dropped when the stack created it). The stack is also
the :class:`cutover.platform.local.ProcessControl` of the local platform adapter: per role its
state, stop and start, so rollback and deploy-verify drive it through ``cutover.platform``.

Seeded for the suite (``manage.py shell``, random passwords, written to ``accounts.json`` in
the run directory with mode 0600): an admin, a training staff user with a staff record, and two
cadets with cadet records and grade rows (``cadet`` owns the objects the authorization tests
use, ``other_cadet`` must never see them).

The beat canary (local runs only): a periodic task ``deploy-verify-canary`` running
``rgms.jobs.tasks.worker_probe`` every ``canary_interval_s`` seconds (default 5), created as a
``django_celery_beat`` PeriodicTask row before beat starts. The R21 entries are daily or every
15 minutes, far too slow to observe in a test; the canary proves the same path (beat reads the
database schedule, sends through the broker, a worker runs it, the result is stored) within
seconds. On Render the canary is the real every-minute ``error-rate-check`` entry.

Without Redis (``redis_url=None``) the project runs its in-process fallbacks (eager tasks,
in-memory channel layer): only web and channels start, and the target lists the checks that
cannot run (worker, beat, websocket round trip, Celery round trip, canary).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import subprocess
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cutover.platform.base import ROLES, PlatformError, ServiceRole, ServiceState
from cutover.platform.local import LocalPlatform
from verification.infra import processes
from verification.infra.ports import free_port
from verification.targets.base import Account, Canary, Target, write_accounts
from verification.thresholds import (
    BEAT_CANARY,
    CELERY_ROUND_TRIP,
    LIVENESS_BEAT,
    LIVENESS_WORKER,
    WEBSOCKET_ROUND_TRIP,
)

CANARY_NAME = "deploy-verify-canary"
CANARY_TASK = "rgms.jobs.tasks.worker_probe"
DEFAULT_CANARY_INTERVAL_S = 5.0
READY_TIMEOUT_S = 90.0
NO_REDIS_REASON = (
    "no Redis: the project falls back to eager tasks and an in-process channel layer, so no "
    "separate worker or beat can run and web cannot reach channels' sockets"
)

# Executed by `manage.py shell` (stdin): the seed config arrives as JSON in the first line.
SEED_SCRIPT = r"""
import json, sys
from django.db import transaction
from rgms.cadets.models import Cadet
from rgms.grading.models import Grade
from rgms.staff.models import Staff
from rgms.users.models import Role, User

config = json.loads(CONFIG)
made = {}
with transaction.atomic():
    tag = config["tag"]
    staff = Staff.objects.create(
        first_name="Verify", last_name=f"Staff {tag}", email=f"verify-staff-{tag}@example.edu",
        rank="SSg", role="Instructor", is_profile_completed=True,
    )
    cadets = {}
    for key in ("cadet", "other_cadet"):
        cadets[key] = Cadet.objects.create(
            student_id=f"V{tag}-{key}", first_name="Verify", last_name=f"{key} {tag}",
            email=f"verify-{key}-{tag}@example.edu", course="BSIT", company="Alpha",
            platoon="1", year_level="2", status="Ongoing", is_profile_completed=True,
        )
        Grade.objects.create(cadet=cadets[key])
    links = {
        "admin": {"role": Role.ADMIN},
        "staff": {"role": Role.TRAINING_STAFF, "staff": staff},
        "cadet": {"role": Role.CADET, "cadet": cadets["cadet"]},
        "other_cadet": {"role": Role.CADET, "cadet": cadets["other_cadet"]},
    }
    for key, account in config["accounts"].items():
        extra = dict(links[key])
        role = extra.pop("role")
        user = User.objects.create_user(
            account["username"], account["password"], role=role, is_approved=True,
            email=f"{account['username']}@example.edu", **extra,
        )
        made[key] = {"user_id": user.pk, "cadet_id": user.cadet_id, "staff_id": user.staff_id}
    canary = config.get("canary")
    if canary:
        from django_celery_beat.models import IntervalSchedule, PeriodicTask
        every, _ = IntervalSchedule.objects.get_or_create(
            every=int(canary["interval_s"]), period=IntervalSchedule.SECONDS
        )
        PeriodicTask.objects.update_or_create(
            name=canary["name"],
            defaults={"task": canary["task"], "interval": every, "kwargs": "{}", "enabled": True},
        )
print("RGMS_SEED_JSON=" + json.dumps(made))
"""


# Executed by `manage.py shell`: the beat schedule as the settings declare it (for a stack
# where beat cannot run, so nothing was stored in the database).
SCHEDULE_SCRIPT = r"""
import json
from django.conf import settings
out = {}
for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
    s = entry["schedule"]
    row = {"task": entry.get("task"), "enabled": True, "timezone": settings.CELERY_TIMEZONE}
    for field in ("minute", "hour", "day_of_week", "day_of_month", "month_of_year"):
        row[field] = getattr(s, "_orig_" + field, None)
    out[name] = row
print("RGMS_SCHEDULE_JSON=" + json.dumps(out, default=str))
"""


def repo_commit() -> str | None:
    """The checkout's commit (with ``-dirty`` when the working tree has changes)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=processes.REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=processes.REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("-dirty" if dirty else "")


# --- databases ---------------------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _migrations_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(processes.BACKEND_DIR.glob("**/migrations/*.py")):
        if ".venv" in path.parts:
            continue
        digest.update(str(path.relative_to(processes.BACKEND_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def migrated_database(server_url: str, *, env: Mapping[str, str]) -> str:
    """A fresh database with every migration applied, copied from a template database that is
    built once per migration set (``CREATE DATABASE ... TEMPLATE``: a second instead of the
    ~10 s a migrate takes here). Returns the new database's URL."""
    import psycopg
    from psycopg import sql

    template = f"rgms_tpl_{_migrations_digest()}"
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('rgms-verify-template'))")
        try:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (template,)
            ).fetchone()
            if not exists:
                building = template + "_building"
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(building)
                    )
                )
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(building)))
                processes.manage(
                    ["migrate", "--noinput", "-v0"],
                    {**env, "DATABASE_URL": _with_database(server_url, building)},
                    timeout=600,
                )
                conn.execute(
                    sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                        sql.Identifier(building), sql.Identifier(template)
                    )
                )
                # Older templates (earlier migration sets) are no longer useful.
                stale = conn.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE 'rgms\\_tpl\\_%%' "
                    "AND datname <> %s AND datname NOT LIKE '%%\\_building'",
                    (template,),
                ).fetchall()
                for (name,) in stale:
                    with contextlib.suppress(psycopg.Error):
                        conn.execute(
                            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                                sql.Identifier(name)
                            )
                        )
            name = f"rgms_stack_{os.getpid()}_{secrets.token_hex(4)}"
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('rgms-verify-template'))")
    return _with_database(server_url, name)


# --- the stack ---------------------------------------------------------------------------


@dataclass
class StackConfig:
    """How to build a local stack.

    Database: ``database_url`` (an existing, already migrated database: the rehearsal's import
    target) or ``postgres_url`` (a server: a fresh database is created, migrated or copied from
    the template, and dropped on ``down``). Neither: a SQLite file in the run directory.
    ``redis_url``: a Redis server (a logical database is leased), or None for the no-Redis mode.
    ``role_env``: per-role environment overrides (the broken-target tests: channels with
    another signing key, web with health behind authentication).
    """

    run_dir: Path
    postgres_url: str | None = None
    database_url: str | None = None
    redis_url: str | None = None
    roles: tuple[str, ...] = tuple(ROLES)
    role_env: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    secret_key: str | None = None
    canary_interval_s: float | None = DEFAULT_CANARY_INTERVAL_S
    use_template: bool = True
    web_workers: int = 2
    settings: str = "config.settings.local"
    seed_accounts: bool = True
    migrate: bool = True  # False: the given database_url is already migrated


Launcher = Callable[[Mapping[str, str], int | None, Path], processes.ManagedProcess]


class LocalStack:
    """The four services as local processes (see the module docstring)."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.run_dir = config.run_dir
        self.log_dir = config.run_dir / "logs"
        self.processes: dict[str, processes.ManagedProcess] = {}
        self.ports: dict[str, int] = {}
        self.env: dict[str, str] = {}
        self.database_url: str | None = None
        self.owns_database = False
        self.lease: processes.RedisLease | None = None
        self.accounts: dict[str, Account] = {}
        self.seeded: dict[str, Any] = {}
        self.canary: Canary | None = None
        self.commit: str | None = None
        self.timings: dict[str, float] = {}
        self.stopped_roles: set[str] = set()

    # --- life cycle ------------------------------------------------------------------

    @property
    def has_redis(self) -> bool:
        return self.lease is not None

    @property
    def active_roles(self) -> tuple[str, ...]:
        """The roles this stack runs (without Redis: web and channels only)."""
        if self.has_redis:
            return self.config.roles
        return tuple(r for r in self.config.roles if r in (ServiceRole.WEB, ServiceRole.CHANNELS))

    def up(self) -> LocalStack:
        started = time.perf_counter()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.commit = repo_commit()
        try:
            self._prepare_environment()
            self.timings["database_s"] = round(time.perf_counter() - started, 2)
            # Seeding and starting overlap: beat picks the canary row up when it appears
            # (the database scheduler rereads a changed schedule within 5 s).
            with ThreadPoolExecutor(max_workers=1) as pool:
                seeding = pool.submit(self._seed) if self.config.seed_accounts else None
                try:
                    self._start_roles(self.active_roles)
                finally:
                    if seeding is not None:
                        seeding.result()
            self.timings["up_s"] = round(time.perf_counter() - started, 2)
            self.write_stack_file()
        except BaseException:
            self.down()
            raise
        return self

    def down(self) -> None:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda p: p.stop(timeout=15), list(self.processes.values())))
        if self.lease is not None:
            self.lease.release()
            self.lease = None
        if self.owns_database and self.database_url:
            with contextlib.suppress(Exception):
                processes.drop_database(self.database_url)
            self.owns_database = False

    def __enter__(self) -> LocalStack:
        return self.up()

    def __exit__(self, *exc: object) -> None:
        self.down()

    def _prepare_environment(self) -> None:
        config = self.config
        if config.redis_url:
            self.lease = processes.lease_redis_db(config.redis_url)
        secret = config.secret_key or processes.random_secret_key()
        base = processes.backend_env(
            database_url="",  # set below
            redis_url=self.lease.url if self.lease else None,
            secret_key=secret,
            settings=config.settings,
            LOG_LEVEL="INFO",
            HEALTH_CHECK_TIMEOUT="2",
            MEDIA_ROOT=str(self.run_dir / "media"),
        )
        if config.database_url:
            self.database_url = config.database_url
        elif config.postgres_url:
            if config.use_template:
                self.database_url = migrated_database(config.postgres_url, env=base)
            else:
                self.database_url = processes.create_database(config.postgres_url)
            self.owns_database = True
        else:
            self.database_url = f"sqlite:///{(self.run_dir / 'django.sqlite3').resolve()}"
        base["DATABASE_URL"] = self.database_url
        self.env = base
        copied = bool(config.postgres_url and config.use_template and not config.database_url)
        if config.migrate and not copied:
            processes.manage(["migrate", "--noinput", "-v0"], base, timeout=900)

    def _seed(self) -> None:
        tag = secrets.token_hex(3)
        roles = {
            "admin": "admin",
            "staff": "training_staff",
            "cadet": "cadet",
            "other_cadet": "cadet",
        }
        accounts = {
            key: Account(
                key, f"verify-{key.replace('_', '-')}-{tag}", secrets.token_urlsafe(18), role
            )
            for key, role in roles.items()
        }
        canary = None
        if self.has_redis and self.config.canary_interval_s:
            canary = Canary(CANARY_NAME, float(int(self.config.canary_interval_s)), CANARY_TASK)
        seed_config = {
            "tag": tag,
            "accounts": {k: a.as_dict() for k, a in accounts.items()},
            "canary": None
            if canary is None
            else {"name": canary.name, "interval_s": canary.interval_s, "task": canary.task},
        }
        script = f"CONFIG = {json.dumps(json.dumps(seed_config))}\n" + SEED_SCRIPT
        result = processes.manage(["shell"], self.env, input_text=script, timeout=300)
        marker = [line for line in result.stdout.splitlines() if line.startswith("RGMS_SEED_JSON=")]
        if not marker:
            raise PlatformError(f"seeding accounts printed no result:\n{result.stdout[-2000:]}")
        self.seeded = json.loads(marker[-1].split("=", 1)[1])
        self.accounts = accounts
        self.canary = canary
        write_accounts(self.run_dir / "accounts.json", accounts)

    # --- per role ----------------------------------------------------------------------

    def _role_env(self, role: str) -> dict[str, str]:
        return {**self.env, **dict(self.config.role_env.get(role, {}))}

    def _launch(self, role: str) -> processes.ManagedProcess:
        env = self._role_env(role)
        common: dict[str, Any] = {"log_dir": self.log_dir, "ready_timeout": READY_TIMEOUT_S}
        if role == ServiceRole.WEB:
            port = self.ports.setdefault(role, free_port())
            return processes.gunicorn(
                env, port=port, workers=self.config.web_workers, name=role, **common
            )
        if role == ServiceRole.CHANNELS:
            port = self.ports.setdefault(role, free_port())
            return processes.daphne(env, port=port, name=role, **common)
        if role == ServiceRole.WORKER:
            return processes.celery_worker(env, name=role, **common)
        if role == ServiceRole.BEAT:
            return processes.celery_beat(env, name=role, **common)
        raise PlatformError(f"unknown role {role!r}")

    def _start_roles(self, roles: tuple[str, ...]) -> None:
        with ThreadPoolExecutor(max_workers=len(roles) or 1) as pool:
            futures = {role: pool.submit(self._launch, role) for role in roles}
            errors = []
            for role, future in futures.items():
                try:
                    self.processes[role] = future.result()
                    self.stopped_roles.discard(role)
                except Exception as exc:
                    errors.append(f"{role}: {exc}")
        if errors:
            raise PlatformError("could not start " + "; ".join(errors))

    # ProcessControl (cutover.platform.local)

    def state(self, role: str) -> ServiceState:
        proc = self.processes.get(role)
        name = f"local-{role}"
        if role not in self.active_roles:
            return ServiceState(role, name, False, "not_started", self.commit, NO_REDIS_REASON)
        if proc is None:
            return ServiceState(role, name, False, "not_started", self.commit, "never started")
        if proc.running():
            detail = f"pid {proc.pid}" + (f", {proc.url}" if proc.port else "")
            return ServiceState(role, name, True, "running", self.commit, detail, pid=proc.pid)
        code = proc.popen.returncode
        return ServiceState(
            role, name, False, "stopped", self.commit, f"exited with status {code}", pid=proc.pid
        )

    def stop(self, role: str) -> None:
        proc = self.processes.get(role)
        if proc is not None:
            proc.stop(timeout=15)
        self.stopped_roles.add(role)

    def start(self, role: str) -> None:
        proc = self.processes.get(role)
        if proc is not None and proc.running():
            return
        try:
            self.processes[role] = self._launch(role)
        except processes.ProcessFailed as exc:
            raise PlatformError(f"local {role} did not start: {exc}") from exc
        self.stopped_roles.discard(role)

    # --- what the checks see -----------------------------------------------------------

    def platform(self) -> LocalPlatform:
        return LocalPlatform(
            self, frontend_config=self.run_dir / "frontend.json", roles=self.config.roles
        )

    @property
    def web_url(self) -> str:
        return f"http://{processes.HOST}:{self.ports[ServiceRole.WEB]}"

    @property
    def channels_url(self) -> str | None:
        port = self.ports.get(ServiceRole.CHANNELS)
        return f"http://{processes.HOST}:{port}" if port else None

    def target(self) -> Target:
        limitations: dict[str, str] = {}
        if not self.has_redis:
            for check in (
                LIVENESS_WORKER,
                LIVENESS_BEAT,
                WEBSOCKET_ROUND_TRIP,
                CELERY_ROUND_TRIP,
                BEAT_CANARY,
            ):
                limitations[check] = NO_REDIS_REASON
        channels = self.channels_url
        return Target(
            kind="local",
            web_url=self.web_url,
            ws_url=(channels or self.web_url).replace("http://", "ws://"),
            accounts=dict(self.accounts),
            platform=self.platform(),
            channels_url=channels,
            database_url=self.database_url,
            broker_url=self.lease.url if self.lease else None,
            canary=self.canary,
            limitations=limitations,
            unconfigured_ok=frozenset() if self.has_redis else frozenset({"redis", "celery"}),
            description=f"local processes from this checkout ({self.commit or 'unknown commit'})",
        )

    def write_stack_file(self) -> Path:
        """``stack.json`` in the run directory: where everything is (no passwords)."""
        path = self.run_dir / "stack.json"
        doc = {
            "web_url": self.web_url,
            "channels_url": self.channels_url,
            "database_url": self.database_url,
            "broker_url": self.lease.url if self.lease else None,
            "accounts_file": str(self.run_dir / "accounts.json"),
            "canary": None
            if self.canary is None
            else {"name": self.canary.name, "interval_s": self.canary.interval_s},
            "processes": {
                role: {"pid": p.pid, "log": str(p.log_path)} for role, p in self.processes.items()
            },
            "commit": self.commit,
            "timings": self.timings,
        }
        path.write_text(json.dumps(doc, indent=2))
        return path

    def settings_schedule(self) -> dict[str, dict[str, Any]]:
        """The beat schedule as the app's settings declare it (read through the app)."""
        result = processes.manage(["shell"], self.env, input_text=SCHEDULE_SCRIPT, timeout=120)
        for line in result.stdout.splitlines():
            if line.startswith("RGMS_SCHEDULE_JSON="):
                return dict(json.loads(line.split("=", 1)[1]))
        raise PlatformError(f"reading the schedule printed nothing:\n{result.stdout[-2000:]}")

    def logs_tail(self, role: str, chars: int = 3000) -> str:
        proc = self.processes.get(role)
        return proc.log_text(tail=chars) if proc else ""
