"""Platform adapters: what the cutover does to the running services, on one small interface.

Rollback (and the harness's deploy-verify) need to stop and start the Django services, point
the frontend at a backend, check the legacy backend's health and read what is deployed. Each
platform implements :class:`cutover.platform.base.Platform`:

* :mod:`cutover.platform.local`: processes on this machine, through a small
  :class:`~cutover.platform.local.ProcessControl` the caller supplies (the harness supplies
  one over the processes it started; the backend never imports the harness);
* :mod:`cutover.platform.render`: Render's public REST API, after validating ``render.yaml``
  (:mod:`cutover.platform.blueprint`).
"""

from cutover.platform.base import (
    ROLES,
    DeployStatus,
    FrontendPointer,
    LegacyHealth,
    Platform,
    PlatformError,
    ServiceRole,
    ServiceState,
    check_legacy_health,
)

__all__ = [
    "ROLES",
    "DeployStatus",
    "FrontendPointer",
    "LegacyHealth",
    "Platform",
    "PlatformError",
    "ServiceRole",
    "ServiceState",
    "check_legacy_health",
]
