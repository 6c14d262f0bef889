"""The platform interface shared by the local and the Render adapters.

Five operations, each returning a plain record the caller can print or put in a report:

``stop_services()`` / ``start_services()``
    Stop (suspend) or start (resume) the four Django services. Stop order: web and channels
    first (no new requests), then beat (no new scheduled work), then the worker (it finishes
    what it holds); start in the reverse order.
``point_frontend(url)``
    Make the frontend talk to the backend at ``url`` (the legacy one on rollback).
``legacy_health(url)``
    Is the legacy backend answering at ``url``? A bounded GET; 2xx is healthy.
``deploy_status()``
    What runs now: per service, live or not, and the commit it runs.

Errors the platform reports (an API refusing, a process that will not start) raise
:class:`PlatformError` with a message naming the service and what failed.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Final, Protocol, runtime_checkable


class PlatformError(RuntimeError):
    """A platform operation failed (the message names the service and the cause)."""


class ServiceRole(StrEnum):
    """The four Django services."""

    WEB = "web"
    CHANNELS = "channels"
    WORKER = "worker"
    BEAT = "beat"


ROLES: Final = (ServiceRole.WEB, ServiceRole.CHANNELS, ServiceRole.WORKER, ServiceRole.BEAT)
# Stop traffic first, then scheduling, then the worker (it finishes what it holds).
STOP_ORDER: Final = (ServiceRole.WEB, ServiceRole.CHANNELS, ServiceRole.BEAT, ServiceRole.WORKER)
START_ORDER: Final = tuple(reversed(STOP_ORDER))


@dataclass(frozen=True)
class ServiceState:
    """One service as the platform sees it.

    ``live``: serving (local: the process runs; Render: the latest deploy is ``live`` and the
    service is not suspended). ``status``: the platform's own word (``running``/``stopped``, or
    Render's deploy status). ``commit``: the commit the service runs, when the platform knows.
    """

    role: str
    name: str
    live: bool
    status: str
    commit: str | None = None
    detail: str = ""
    service_id: str | None = None
    deploy_id: str | None = None
    suspended: bool | None = None
    pid: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DeployStatus:
    """Every service's state, with the questions deploy-verify asks of them."""

    platform: str
    services: tuple[ServiceState, ...]
    observed_at: float = field(default_factory=time.time)

    def service(self, role: str) -> ServiceState | None:
        return next((s for s in self.services if s.role == role), None)

    @property
    def all_live(self) -> bool:
        return bool(self.services) and all(s.live for s in self.services)

    @property
    def commits(self) -> dict[str, str | None]:
        return {s.role: s.commit for s in self.services}

    @property
    def same_commit(self) -> bool | None:
        """True when every service reports one and the same commit; None when a service does
        not report its commit (unknown is not "the same")."""
        commits = list(self.commits.values())
        if not commits or any(c is None for c in commits):
            return None
        return len(set(commits)) == 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "observed_at": self.observed_at,
            "all_live": self.all_live,
            "same_commit": self.same_commit,
            "services": [s.as_dict() for s in self.services],
        }


@dataclass(frozen=True)
class FrontendPointer:
    """What ``point_frontend`` changed: where the frontend pointed before and now."""

    target: str  # the frontend: a service name, or the local config file
    key: str
    previous: str | None
    current: str
    deploy_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LegacyHealth:
    """The legacy backend's health check result."""

    url: str
    ok: bool
    status: int | None
    latency_ms: float | None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@runtime_checkable
class Platform(Protocol):
    """What rollback and deploy-verify need from wherever the services run."""

    name: str

    def stop_services(self) -> list[ServiceState]: ...

    def start_services(self) -> list[ServiceState]: ...

    def point_frontend(self, url: str) -> FrontendPointer: ...

    def legacy_health(self, url: str, *, timeout: float = 10.0) -> LegacyHealth: ...

    def deploy_status(self) -> DeployStatus: ...


def check_legacy_health(
    url: str, *, timeout: float = 10.0, attempts: int = 3, pause: float = 1.0
) -> LegacyHealth:
    """GET ``url``; healthy on a 2xx answer. Up to ``attempts`` tries (a backend that was just
    started may need a moment), each bounded by ``timeout`` seconds."""
    if not url.startswith(("http://", "https://")):
        return LegacyHealth(url, False, None, None, "not an http(s) URL")
    last = LegacyHealth(url, False, None, None, "not tried")
    for attempt in range(max(1, attempts)):
        if attempt:
            time.sleep(pause)
        started = time.perf_counter()
        try:
            # The scheme is checked above: http(s) only.
            request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                status = int(response.status)
                latency = (time.perf_counter() - started) * 1000
                last = LegacyHealth(url, 200 <= status < 300, status, round(latency, 1))
        except urllib.error.HTTPError as exc:
            latency = (time.perf_counter() - started) * 1000
            last = LegacyHealth(url, False, exc.code, round(latency, 1), f"HTTP {exc.code}")
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            last = LegacyHealth(url, False, None, None, f"no answer: {reason}")
        if last.ok:
            return last
    return last


def ordered(states: Iterable[ServiceState], order: Iterable[str]) -> list[ServiceState]:
    """States sorted by a role order (roles not in it last)."""
    rank = {role: i for i, role in enumerate(order)}
    return sorted(states, key=lambda s: rank.get(s.role, len(rank)))
