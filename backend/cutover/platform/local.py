"""The local platform: the four services as processes on this machine.

The backend does not start processes itself (that is the harness's job, and the backend never
imports the harness). Whoever started them supplies a :class:`ProcessControl`: for each role,
its state, and stop/start. ``verification.targets.local`` supplies one over the gunicorn,
daphne, Celery worker and beat processes it runs.

The local "frontend" is a small JSON file (``{"api_url": ..., "updated_at": ...}``) standing in
for the frontend's VITE_API_URL; ``point_frontend`` rewrites it atomically and reports what it
held before.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Protocol

from cutover.platform.base import (
    ROLES,
    START_ORDER,
    STOP_ORDER,
    DeployStatus,
    FrontendPointer,
    LegacyHealth,
    PlatformError,
    ServiceState,
    check_legacy_health,
)

FRONTEND_KEY = "api_url"


class ProcessControl(Protocol):
    """What the local adapter needs from whoever runs the processes."""

    def state(self, role: str) -> ServiceState:
        """The role's process as it is now (``live`` when it runs)."""
        ...

    def stop(self, role: str) -> None:
        """Stop the role's process (no error if it is not running)."""
        ...

    def start(self, role: str) -> None:
        """Start the role's process and wait until it is ready (PlatformError if not)."""
        ...


class LocalPlatform:
    name = "local"

    def __init__(
        self,
        control: ProcessControl,
        *,
        frontend_config: Path | None = None,
        roles: tuple[str, ...] = tuple(ROLES),
        health_attempts: int = 3,
    ) -> None:
        self.control = control
        self.frontend_config = frontend_config
        self.roles = roles
        self.health_attempts = health_attempts

    def deploy_status(self) -> DeployStatus:
        return DeployStatus(self.name, tuple(self.control.state(role) for role in self.roles))

    def stop_services(self) -> list[ServiceState]:
        order = [r for r in STOP_ORDER if r in self.roles]
        for role in order:
            self.control.stop(role)
        return [self.control.state(role) for role in order]

    def start_services(self) -> list[ServiceState]:
        order = [r for r in START_ORDER if r in self.roles]
        for role in order:
            self.control.start(role)
        return [self.control.state(role) for role in order]

    def point_frontend(self, url: str) -> FrontendPointer:
        if self.frontend_config is None:
            raise PlatformError("no local frontend config file: cannot repoint the frontend")
        previous = None
        try:
            previous = json.loads(self.frontend_config.read_text(encoding="utf-8")).get(
                FRONTEND_KEY
            )
        except FileNotFoundError:
            pass
        except (OSError, ValueError, AttributeError) as exc:
            raise PlatformError(
                f"{self.frontend_config}: unreadable frontend config: {exc}"
            ) from exc
        self.frontend_config.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.frontend_config.with_name(self.frontend_config.name + ".tmp")
        tmp.write_text(
            json.dumps({FRONTEND_KEY: url, "updated_at": time.time()}, indent=2) + "\n",
            encoding="utf-8",
        )
        tmp.replace(self.frontend_config)
        return FrontendPointer(str(self.frontend_config), FRONTEND_KEY, previous, url)

    def legacy_health(self, url: str, *, timeout: float = 10.0) -> LegacyHealth:
        return check_legacy_health(url, timeout=timeout, attempts=self.health_attempts)
