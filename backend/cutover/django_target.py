"""The Django side of the cutover: settings bootstrap and the database import and verify use.

Backup, export and inspection run without Django; import and verify need the models, so they
call `bootstrap()` (once per process: `django.setup()` with `DJANGO_SETTINGS_MODULE`, default
`config.settings.local`, which reads DATABASE_URL). The target database is Django's `default`
database, or any database given by URL (`target_alias(url)` registers it under an alias of
its own, so the rehearsal can import into a fresh database without changing its settings).

`reader_url(alias)` is a URL for a *separate* read-only connection to the same database
(verify reads it in a snapshot, like the legacy source).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from cutover.errors import ConfigError
from cutover.legacy_schema import Dialect
from cutover.sources import redact_url

DEFAULT_SETTINGS_MODULE = "config.settings.local"
ALIAS_PREFIX = "cutover_target_"


def bootstrap() -> None:
    """Set Django up for the commands that need the models (idempotent)."""
    from django.apps import apps

    if apps.ready:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS_MODULE)
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise ConfigError(f"Django settings: {exc}") from exc


def _database_settings(url: str) -> dict[str, Any]:
    import dj_database_url

    try:
        config: dict[str, Any] = dj_database_url.parse(url)
    except ValueError as exc:
        raise ConfigError(f"{redact_url(url)}: not a database URL ({exc})") from exc
    engine = str(config.get("ENGINE", ""))
    if engine.endswith("postgresql"):
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 10)
    elif not engine.endswith("sqlite3"):
        raise ConfigError(f"{redact_url(url)}: the Django database must be PostgreSQL or SQLite")
    return config


def target_alias(database_url: str | None = None) -> str:
    """The database alias to import into or verify: `default`, or one registered for the URL."""
    bootstrap()
    from django.conf import settings
    from django.db import DEFAULT_DB_ALIAS, connections

    if not database_url:
        return DEFAULT_DB_ALIAS
    alias = ALIAS_PREFIX + hashlib.sha256(database_url.encode()).hexdigest()[:12]
    if alias not in connections.settings:
        config = _database_settings(database_url)
        filled = connections.configure_settings(
            {DEFAULT_DB_ALIAS: dict(connections.settings[DEFAULT_DB_ALIAS]), alias: config}
        )[alias]
        connections.settings[alias] = filled
        settings.DATABASES[alias] = filled
    return alias


def release(alias: str) -> None:
    """Close the alias's connection (a registered target stays registered for reuse)."""
    from django.db import connections

    connections[alias].close()


def dialect_of(alias: str) -> Dialect:
    from django.db import connections

    vendor = connections[alias].vendor
    if vendor == "postgresql":
        return Dialect.POSTGRESQL
    if vendor == "sqlite":
        return Dialect.SQLITE
    raise ConfigError(f"database {alias}: unsupported engine {vendor}")


def reader_url(alias: str) -> str:
    """A postgresql:// or sqlite:/// URL for a separate connection to the alias's database."""
    from django.db import connections

    wrapper = connections[alias]
    params = wrapper.settings_dict
    if wrapper.vendor == "sqlite":
        name = str(params["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            raise ConfigError(f"database {alias}: an in-memory SQLite database cannot be re-read")
        return f"sqlite:///{Path(name).resolve()}"
    user = quote(str(params.get("USER") or ""), safe="")
    password = params.get("PASSWORD")
    auth = f"{user}:{quote(str(password), safe='')}@" if password else (f"{user}@" if user else "")
    host = str(params.get("HOST") or "")
    host = host if not host.startswith("/") else ""
    port = f":{params['PORT']}" if params.get("PORT") else ""
    query: dict[str, str] = {}
    if str(params.get("HOST") or "").startswith("/"):
        query["host"] = str(params["HOST"])
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "options"):
        value = (params.get("OPTIONS") or {}).get(key)
        if value:
            query[key] = str(value)
    suffix = f"?{urlencode(query)}" if query else ""
    return f"postgresql://{auth}{host}{port}/{quote(str(params['NAME']), safe='')}{suffix}"


def describe(alias: str) -> str:
    """The alias's database for reports (no password)."""
    return redact_url(reader_url(alias))


def missing_tables(alias: str, db_tables: list[str]) -> list[str]:
    """Which of the model tables the database lacks (an unmigrated database)."""
    from django.db import connections

    connection = connections[alias]
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
    return [name for name in db_tables if name not in present]
