"""A target: where the services answer, who may log in, and what else the harness may observe.

The checks take a :class:`Target` and nothing else, so the same checks run against local
processes and against Render. What a target cannot offer is ``None`` and the checks that need
it report SKIP with the reason (never a pass):

* ``platform``: the adapter that says which services are live and on which commit;
* ``database_url``: read-only access to the Django database (the beat schedule as beat stored
  it, the canary's runs);
* ``broker_url``: the Celery broker (a probe task sent straight to the worker; a notification
  created by the worker's ``notify_user`` task);
* ``canary``: a periodic entry and its interval, observed within twice the interval;
* ``limitations``: what this target cannot do at all (no Redis: no worker, no beat, no
  cross-process channel layer), each naming the checks it skips.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cutover.platform.base import Platform

ROLE_ACCOUNTS = ("admin", "staff", "cadet", "other_cadet")


@dataclass(frozen=True)
class Account:
    """A login for the suite: ``key`` is admin, staff, cadet or other_cadet."""

    key: str
    username: str
    password: str
    role: str

    def as_dict(self) -> dict[str, str]:
        return {
            "key": self.key,
            "username": self.username,
            "password": self.password,
            "role": self.role,
        }


@dataclass(frozen=True)
class Canary:
    """A periodic beat entry whose runs the harness observes."""

    name: str
    interval_s: float
    task: str


@dataclass
class Target:
    kind: str  # "local" or "render": picks the gate's critical checks
    web_url: str
    ws_url: str
    accounts: dict[str, Account]
    platform: Platform | None = None
    channels_url: str | None = None  # the channels service over HTTP (its /api/health)
    database_url: str | None = None
    broker_url: str | None = None
    canary: Canary | None = None
    limitations: dict[str, str] = field(default_factory=dict)  # check name -> reason
    # Health dependencies that may report "not_configured" (no Redis: redis and celery).
    unconfigured_ok: frozenset[str] = frozenset()
    description: str = ""

    def account(self, key: str) -> Account | None:
        return self.accounts.get(key)

    def describe(self) -> dict[str, Any]:
        """For the report: no passwords, no credentials in URLs."""
        return {
            "kind": self.kind,
            "web_url": self.web_url,
            "ws_url": self.ws_url,
            "channels_url": self.channels_url,
            "accounts": {k: a.username for k, a in self.accounts.items()},
            "platform": getattr(self.platform, "name", None),
            "database": _redact(self.database_url),
            "broker": _redact(self.broker_url),
            "canary": None
            if self.canary is None
            else {"name": self.canary.name, "interval_s": self.canary.interval_s},
            "limitations": dict(self.limitations),
            "description": self.description,
        }


def _redact(url: str | None) -> str | None:
    if not url:
        return None
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def write_accounts(path: Path, accounts: dict[str, Account]) -> Path:
    """The accounts file the integration suite reads (``--accounts``); mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({k: a.as_dict() for k, a in accounts.items()}, indent=2))
    path.chmod(0o600)
    return path


def read_accounts(path: Path) -> dict[str, Account]:
    data = json.loads(path.read_text())
    return {
        key: Account(key, str(v["username"]), str(v["password"]), str(v.get("role", "")))
        for key, v in data.items()
    }
