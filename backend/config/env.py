"""The only reader of the process environment.

Every variable the project understands is declared once here: its name, how it is parsed,
its local default, whether production requires it, which Render services receive it, and one
line of documentation. Settings modules, gunicorn.conf.py and the tools read through
:func:`get`; ``.env.example``, ``render.yaml`` and ``docs/configuration.md`` are checked
against :data:`VARIABLES` by a test, so the four lists cannot drift apart.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

BACKEND_DIR = Path(__file__).resolve().parent.parent

WEB, CHANNELS, WORKER, BEAT = "web", "channels", "worker", "beat"
ALL_SERVICES = (WEB, CHANNELS, WORKER, BEAT)

# A signing key shorter than this is refused outright, never replaced (MISSION K).
MIN_SECRET_KEY_LENGTH = 50
# Security audit rows are kept at least this long: a shorter AUDIT_RETENTION_DAYS refuses to
# start instead of silently deleting history (R16.4).
MIN_AUDIT_RETENTION_DAYS = 90
MIN_METRICS_TOKEN_LENGTH = 24


class EnvError(ValueError):
    """A variable is present but does not have the expected shape."""


def _text(raw: str) -> str:
    return raw.strip()


def _secret_key(raw: str) -> str:
    if len(raw) < MIN_SECRET_KEY_LENGTH:
        raise EnvError(f"must be at least {MIN_SECRET_KEY_LENGTH} characters, got {len(raw)}")
    if len(set(raw)) < 5:
        raise EnvError("has too few distinct characters to be a real secret")
    return raw


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise EnvError(f'"{raw}" is not a boolean (use true or false)')


def _int(raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError as exc:
        raise EnvError(f'"{raw}" is not an integer') from exc


def _positive_int(raw: str) -> int:
    value = _int(raw)
    if value < 1:
        raise EnvError(f'"{raw}" must be 1 or more')
    return value


def _port(raw: str) -> int:
    value = _int(raw)
    if not 0 < value < 65536:
        raise EnvError(f'"{raw}" is not a TCP port')
    return value


def _fraction(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError as exc:
        raise EnvError(f'"{raw}" is not a number') from exc
    if not 0.0 <= value <= 1.0:
        raise EnvError(f'"{raw}" must be between 0 and 1')
    return value


def _seconds(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError as exc:
        raise EnvError(f'"{raw}" is not a number of seconds') from exc
    if value <= 0:
        raise EnvError(f'"{raw}" must be more than 0')
    return value


def _url(*schemes: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip()
        parts = urlsplit(value)
        if parts.scheme not in schemes:
            raise EnvError(f'"{_redact(value)}" must start with one of {", ".join(schemes)}://')
        if parts.scheme != "sqlite" and not parts.hostname:
            raise EnvError(f'"{_redact(value)}" has no host')
        return value

    return parse


def _redact(url: str) -> str:
    """Hide a password in a URL before it appears in an error message."""
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def _hosts(raw: str) -> list[str]:
    hosts = [item.strip() for item in raw.split(",") if item.strip()]
    if not hosts:
        raise EnvError("is empty")
    for host in hosts:
        if "://" in host or "/" in host or " " in host:
            raise EnvError(f'"{host}" is not a host name (no scheme or path)')
    return hosts


def _origins(raw: str) -> list[str]:
    origins = [item.strip() for item in raw.split(",") if item.strip()]
    if not origins:
        raise EnvError("is empty")
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path not in {"", "/"}:
            raise EnvError(f'"{origin}" is not an http(s) origin')
    return [origin.rstrip("/") for origin in origins]


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip()
        if value not in choices:
            raise EnvError(f'"{raw}" is not one of {", ".join(choices)}')
        return value

    return parse


def _retention_days(raw: str) -> int:
    value = _int(raw)
    if value < MIN_AUDIT_RETENTION_DAYS:
        raise EnvError(
            f'"{raw}" is below the minimum of {MIN_AUDIT_RETENTION_DAYS} days '
            "(audit history is never silently shortened)"
        )
    return value


def _metrics_token(raw: str) -> str:
    value = raw.strip()
    if len(value) < MIN_METRICS_TOKEN_LENGTH:
        raise EnvError(f"must be at least {MIN_METRICS_TOKEN_LENGTH} characters")
    return value


def _time_zone(raw: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    value = raw.strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise EnvError(f'"{raw}" is not an IANA time zone') from exc
    return value


@dataclass(frozen=True)
class Variable:
    name: str
    parse: Callable[[str], Any]
    default: Any
    doc: str
    required_in_production: bool = False
    secret: bool = False
    services: tuple[str, ...] = ALL_SERVICES
    # Set by Render itself on every service; never written in render.yaml.
    platform_provided: bool = False


_DB_URL = _url("postgres", "postgresql", "postgis", "sqlite")
_REDIS_URL = _url("redis", "rediss")

VARIABLES: dict[str, Variable] = {
    v.name: v
    for v in (
        Variable(
            "DJANGO_SETTINGS_MODULE",
            _choice("config.settings.local", "config.settings.test", "config.settings.production"),
            "config.settings.local",
            "Settings module; production on Render (local settings refuse to run there).",
        ),
        Variable(
            "SECRET_KEY",
            _secret_key,
            None,
            "Signing key shared by every service (sessions, JWT). At least 50 characters.",
            True,
            secret=True,
        ),
        Variable(
            "DATABASE_URL",
            _DB_URL,
            None,
            "PostgreSQL URL of the Django database; unset locally means SQLite.",
            True,
            secret=True,
        ),
        Variable(
            "DATABASE_SSLMODE",
            _choice("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
            "prefer",
            "libpq sslmode used when the URL does not set one.",
        ),
        Variable(
            "DATABASE_POOL_MIN_SIZE",
            _positive_int,
            1,
            "Connections psycopg's pool keeps open per process.",
        ),
        Variable(
            "DATABASE_POOL_MAX_SIZE", _positive_int, 8, "Upper bound of psycopg's pool per process."
        ),
        Variable(
            "REDIS_URL",
            _REDIS_URL,
            None,
            "Redis URL: cache, channel layer and Celery "
            "broker; unset locally means in-process fallbacks.",
            True,
            secret=True,
        ),
        Variable(
            "ALLOWED_HOSTS",
            _hosts,
            ["localhost", "127.0.0.1", "[::1]"],
            "Comma-separated host names Django serves.",
            True,
        ),
        Variable(
            "CORS_ALLOWED_ORIGINS",
            _origins,
            ["http://localhost:5173", "http://127.0.0.1:5173"],
            "Comma-separated origins of the frontend.",
            True,
        ),
        Variable(
            "ENVIRONMENT",
            _choice("local", "test", "staging", "production"),
            None,
            "Name reported by /api/health, logs and Sentry.",
            True,
        ),
        Variable(
            "SERVICE_NAME",
            _text,
            "web",
            "Which of the four services this process is; appears in every log line.",
        ),
        Variable(
            "LOG_LEVEL", _choice("DEBUG", "INFO", "WARNING", "ERROR"), "INFO", "Root log level."
        ),
        Variable(
            "SENTRY_DSN",
            _url("http", "https"),
            None,
            "Sentry project DSN; errors are reported only when set.",
            secret=True,
        ),
        Variable(
            "SENTRY_TRACES_SAMPLE_RATE",
            _fraction,
            0.0,
            "Share of requests traced by Sentry (0 to 1).",
        ),
        Variable(
            "HEALTH_CHECK_TIMEOUT",
            _seconds,
            1.5,
            "Seconds each dependency probe of /api/health may take.",
        ),
        Variable(
            "METRICS_TOKEN",
            _metrics_token,
            None,
            "Bearer token for GET /metrics (Prometheus); unset means /metrics answers 404.",
            secret=True,
            services=(WEB, CHANNELS),
        ),
        Variable(
            "PROMETHEUS_MULTIPROC_DIR",
            _text,
            None,
            "prometheus-client's multiprocess directory; unset: gunicorn makes a fresh one.",
            services=(),
        ),
        Variable(
            "ALERT_WEBHOOK_URL",
            _url("http", "https"),
            None,
            "Receives a JSON POST when the error-rate alert fires (docs/monitoring.md).",
            secret=True,
            services=(WORKER,),
        ),
        Variable(
            "AUDIT_RETENTION_DAYS",
            _retention_days,
            365,
            f"Days security audit rows are kept (minimum {MIN_AUDIT_RETENTION_DAYS}).",
            services=(WORKER,),
        ),
        Variable(
            "WEB_CONCURRENCY", _positive_int, 4, "gunicorn worker processes.", services=(WEB,)
        ),
        Variable(
            "CLOUDINARY_URL",
            _url("cloudinary"),
            None,
            "cloudinary://key:secret@cloud; unset means local media storage.",
            secret=True,
            services=(WEB, WORKER),
        ),
        Variable(
            "EMAIL_HOST",
            _text,
            None,
            "SMTP host; unset means console email.",
            services=(WEB, WORKER, BEAT),
        ),
        Variable("EMAIL_PORT", _port, 587, "SMTP port.", services=(WEB, WORKER, BEAT)),
        Variable(
            "EMAIL_HOST_USER",
            _text,
            "",
            "SMTP user name.",
            secret=True,
            services=(WEB, WORKER, BEAT),
        ),
        Variable(
            "EMAIL_HOST_PASSWORD",
            _text,
            "",
            "SMTP password.",
            secret=True,
            services=(WEB, WORKER, BEAT),
        ),
        Variable(
            "DEFAULT_FROM_EMAIL",
            _text,
            "RGMS <noreply@localhost>",
            "Sender of every email.",
            services=(WEB, WORKER, BEAT),
        ),
        Variable(
            "FRONTEND_URL",
            _origins,
            ["http://localhost:5173"],
            "Origin of the frontend, used in password-reset links.",
            services=(WEB, WORKER),
        ),
        Variable(
            "INITIAL_ADMIN_USERNAME",
            _text,
            None,
            "First admin created by `manage.py ensure_admin` at deploy time.",
            services=(WEB,),
        ),
        Variable(
            "INITIAL_ADMIN_EMAIL", _text, None, "E-mail of that first admin.", services=(WEB,)
        ),
        Variable(
            "INITIAL_ADMIN_PASSWORD",
            _text,
            None,
            "Password of that first admin.",
            secret=True,
            services=(WEB,),
        ),
        Variable(
            "NODEJS_DATABASE_URL",
            _DB_URL,
            None,
            "Legacy Node.js database (PostgreSQL or sqlite:///path) read by the migration toolkit.",
            secret=True,
            services=(WORKER, BEAT),
        ),
        Variable(
            "LEGACY_TIME_ZONE",
            _time_zone,
            "UTC",
            "Zone the legacy naive timestamps were written in.",
            services=(WORKER, BEAT),
        ),
        Variable(
            "LEGACY_BACKUP_DIR",
            _text,
            None,
            "Directory (a persistent disk on the worker) where the weekly legacy backup goes; "
            "unset means the backup-database job reports not configured.",
            services=(WORKER,),
        ),
        Variable(
            "READ_DOT_ENV_FILE",
            _bool,
            False,
            "Read backend/.env before the environment (local use only).",
            services=(),
        ),
        Variable(
            "PORT",
            _port,
            8000,
            "Port to bind on 0.0.0.0 (set by Render).",
            services=(WEB, CHANNELS),
            platform_provided=True,
        ),
        Variable(
            "RENDER_EXTERNAL_HOSTNAME",
            _text,
            None,
            "Public host name of a Render web service; added to ALLOWED_HOSTS.",
            platform_provided=True,
        ),
        Variable(
            "RENDER",
            _bool,
            False,
            "Set to true by Render on every service; local settings refuse to run there.",
            platform_provided=True,
        ),
        Variable(
            "RENDER_GIT_COMMIT",
            _text,
            None,
            "Commit being run; reported as the version.",
            platform_provided=True,
        ),
    )
}

PRODUCTION_REQUIRED = tuple(name for name, v in VARIABLES.items() if v.required_in_production)


def _environ() -> Mapping[str, str]:
    if _bool(os.environ.get("READ_DOT_ENV_FILE", "false")):
        merged = dict(_read_dot_env(BACKEND_DIR / ".env"))
        merged.update(os.environ)
        return merged
    return os.environ


def _read_dot_env(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def is_set(name: str) -> bool:
    if name not in VARIABLES:
        raise KeyError(f"{name} is not declared in config/env.py")
    return bool(_environ().get(name, "").strip())


def get(name: str, default: Any = ...) -> Any:
    """The parsed value of a declared variable, or its declared (or given) default."""
    variable = VARIABLES[name]
    raw = _environ().get(name, "")
    if not raw.strip():
        return variable.default if default is ... else default
    try:
        return variable.parse(raw)
    except EnvError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from exc


def problems(names: tuple[str, ...] = PRODUCTION_REQUIRED) -> list[str]:
    """One line per declared variable that is missing or malformed (presence + shape)."""
    lines = []
    environ = _environ()
    for name in names:
        raw = environ.get(name, "")
        if not raw.strip():
            lines.append(f"{name}: missing")
    for name, variable in VARIABLES.items():
        raw = environ.get(name, "")
        if raw.strip():
            try:
                variable.parse(raw)
            except EnvError as exc:
                lines.append(f"{name}: {exc}")
    return lines


def require_for_production() -> None:
    """Refuse to start with one error listing every missing or malformed variable."""
    lines = problems()
    url = _environ().get("DATABASE_URL", "")
    if url.startswith("sqlite"):
        lines.append("DATABASE_URL: production needs PostgreSQL, not SQLite")
    if lines:
        raise ImproperlyConfigured(
            "Refusing to start: the environment is incomplete.\n" + "\n".join(lines)
        )


def markdown_table() -> str:
    """docs/configuration.md, generated from the declarations above (a test keeps it equal)."""
    lines = [
        "# Configuration",
        "",
        "Generated from `backend/config/env.py` by `python -m config.env > "
        "../docs/configuration.md` (run in `backend/`); a test fails when they differ.",
        "Every variable is read only through `config.env`. Production (`config.settings."
        "production`) refuses to start, listing every variable that is missing or malformed.",
        "",
        "| Variable | Required in production | Local default | Secret | Services | Meaning |",
        "|---|---|---|---|---|---|",
    ]
    for v in VARIABLES.values():
        default = (
            ""
            if v.default is None
            else (", ".join(v.default) if isinstance(v.default, list) else str(v.default))
        )
        services = "set by Render" if v.platform_provided else (", ".join(v.services) or "none")
        lines.append(
            f"| `{v.name}` | {'yes' if v.required_in_production else 'no'} | "
            f"{f'`{default}`' if default else '(unset)'} | {'yes' if v.secret else 'no'} | "
            f"{services} | {v.doc} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown_table())
