"""What every task of the project shares: failure logging, retry policy, progress reports.

Tasks stay thin (load by id, call a service); services never import Celery. A service that
can tell how far it got takes a :data:`ProgressCallback`, and the task hands it a
:class:`TaskProgress`, which stores ``{"progress": {...}}`` as the STARTED state's meta in the
result backend (the database), throttled so a 3000-row report does not write 3000 times.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections.abc import Callable
from typing import Any

from celery import Task, states

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]

# Transient delivery failures worth retrying: SMTP errors (a subclass of OSError, named for
# clarity), refused or reset connections, timeouts.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)
RETRY_POLICY: dict[str, Any] = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,  # 2, 4, 8, 16, 32 s (then capped), with jitter
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


class LoggedTask(Task):
    """Logs every retry as a warning and a final failure as an error with its traceback.

    Celery records the FAILURE state and traceback in the result backend by itself; the log
    line is what the monitoring alerts on."""

    abstract = True

    def on_retry(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any):
        logger.warning(
            "task %s [%s] will retry (%d of %s): %s: %s",
            self.name,
            task_id,
            self.request.retries + 1,
            self.max_retries,
            type(exc).__name__,
            exc,
        )

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any):
        logger.error(
            "task %s [%s] failed after %d retries: %s: %s",
            self.name,
            task_id,
            self.request.retries,
            type(exc).__name__,
            exc,
            exc_info=(type(exc), exc, exc.__traceback__),
        )


class TaskProgress:
    """A ProgressCallback that records progress on the running task's STARTED state."""

    def __init__(self, task: Task, *, interval: float = 1.0) -> None:
        self.task = task
        self.interval = interval
        self._last = 0.0

    def __call__(self, current: int, total: int) -> None:
        if not self.task.request.id:
            return
        now = time.monotonic()
        if current < total and now - self._last < self.interval:
            return
        self._last = now
        percent = round(100 * current / total, 1) if total else None
        self.task.update_state(
            state=states.STARTED,
            meta={"progress": {"current": current, "total": total, "percent": percent}},
        )


def no_progress(current: int, total: int) -> None:
    """The ProgressCallback of a service called outside a task."""
