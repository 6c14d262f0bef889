"""Celery tasks of observability; beat runs the first two (config/settings/base.py).

* ``error_rate_check`` every minute: the R16.5 alert over the last window (alerting.py);
* ``audit_retention_cleanup`` daily: security audit rows past AUDIT_RETENTION_DAYS (security.py);
* ``observability_probe``: logs one line (and fails on request); lets tests and deploy checks see
  a request id arrive in a worker's log and a task failure reach Sentry.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from rgms.observability import alerting, security

logger = logging.getLogger(__name__)


class ProbeFailure(RuntimeError):
    """Raised on purpose by observability_probe(fail=True)."""


@shared_task(name="rgms.observability.tasks.error_rate_check", ignore_result=True)
def error_rate_check() -> dict[str, Any]:
    return alerting.error_rate_check().to_dict()


@shared_task(name="rgms.observability.tasks.audit_retention_cleanup")
def audit_retention_cleanup() -> int:
    return security.audit_retention_cleanup()


@shared_task(name="rgms.observability.tasks.observability_probe")
def observability_probe(*, fail: bool = False, note: str = "") -> str:
    logger.info("Observability probe ran", extra={"note": note[:100]})
    if fail:
        raise ProbeFailure(f"observability probe failed on purpose ({note[:100]})")
    return "ok"
