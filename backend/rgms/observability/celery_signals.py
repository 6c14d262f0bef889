"""Celery signal handlers: the request id travels with a task, and every task run is measured.

* ``before_task_publish`` (in the process that starts the task, e.g. a web request): the
  current request id and user id go into the message headers (``rgms_request_id``,
  ``rgms_user_id``).
* ``task_prerun`` (in the worker): they are put back into the context, with the task's id and
  name, so every log line the task writes carries them.
* ``task_postrun``: outcome and duration go to Prometheus and to the rolling sample store, and the
  context is restored.

An eager task (local runs without Redis, tests) runs inside the request, which already has the
context; prerun then leaves it alone. (With eager propagation a failing task skips
task_postrun, so its failure is not counted; the request's 500 is.)
"""

from __future__ import annotations

import logging
import threading
import time
from contextvars import Token
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun

from rgms.observability import context, metrics, samples
from rgms.observability.stats import TaskSample

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "rgms_request_id"
USER_ID_HEADER = "rgms_user_id"

_running: dict[str, tuple[float, list[tuple[str, Token[Any]]]]] = {}
_MAX_RUNNING = 10_000
_running_lock = threading.Lock()


def connect() -> None:
    before_task_publish.connect(_on_publish, weak=False, dispatch_uid="rgms.obs.publish")
    task_prerun.connect(_on_prerun, weak=False, dispatch_uid="rgms.obs.prerun")
    task_postrun.connect(_on_postrun, weak=False, dispatch_uid="rgms.obs.postrun")


def _on_publish(sender: Any = None, headers: dict[str, Any] | None = None, **_: Any) -> None:
    if headers is None:
        return
    request_id = context.request_id()
    if request_id and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = request_id
    user_id = context.current_user_id()
    if user_id is not None and USER_ID_HEADER not in headers:
        headers[USER_ID_HEADER] = user_id


def _header(request: Any, name: str) -> Any:
    value = getattr(request, name, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(name)
    return value


def _on_prerun(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    if task_id is None or task is None:
        return
    tokens: list[tuple[str, Token[Any]]] = []
    request = getattr(task, "request", None)
    # An eager task runs inside its caller, whose context already says who and which request;
    # and when it fails with eager propagation Celery skips task_postrun, so nothing set here
    # could be restored.
    if not getattr(request, "is_eager", False):
        request_id = context.valid_request_id(_header(request, REQUEST_ID_HEADER))
        if request_id is not None:
            tokens.append(("request_id", context.set_request_id(request_id)))
        user_id = _header(request, USER_ID_HEADER)
        if isinstance(user_id, int) and not isinstance(user_id, bool):
            tokens.append(("user_id", context.set_user_id(user_id)))
        tokens.append(("task", context.set_task(task_id, task.name)))
    with _running_lock:
        if len(_running) >= _MAX_RUNNING:  # eager failures never reach postrun: forget them
            _running.clear()
        _running[task_id] = (time.perf_counter(), tokens)


_RESETS = {
    "request_id": context.reset_request_id,
    "user_id": context.reset_user_id,
    "task": context.reset_task,
}


def _on_postrun(
    task_id: str | None = None, task: Any = None, state: str | None = None, **_: Any
) -> None:
    if task_id is None or task is None:
        return
    with _running_lock:
        entry = _running.pop(task_id, None)
    duration = None if entry is None else time.perf_counter() - entry[0]
    try:
        metrics.task_finished(task=task.name, state=state or "UNKNOWN", duration_s=duration)
        samples.record_task(
            TaskSample(
                time.time(),
                task.name,
                state or "UNKNOWN",
                None if duration is None else round(duration * 1000, 3),
            )
        )
    finally:
        for name, token in reversed(entry[1] if entry else []):
            try:
                _RESETS[name](token)
            except ValueError:  # set in another context (should not happen): leave it
                logger.debug("Could not restore the %s of task %s", name, task_id)
