"""Reading a task's status: Celery's state from the result table, the owner from ours."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from celery import states
from django.http import Http404
from django_celery_results.models import TaskResult

from rgms.core.exceptions import NotAllowed
from rgms.jobs.models import TrackedTask
from rgms.users.models import User


@dataclass(frozen=True)
class TaskStatus:
    task_id: str
    name: str
    status: str
    progress: dict[str, Any] | None
    result: Any
    # Where the result can be fetched (a path under /api/v1/), when the task produced a file.
    result_path: str | None
    error: dict[str, str] | None
    attempts: int
    created_at: datetime | None
    finished_at: datetime | None


def _decode(raw: str | None) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _error(payload: Any) -> dict[str, str]:
    if isinstance(payload, dict) and "exc_type" in payload:
        message = payload.get("exc_message")
        if isinstance(message, list | tuple):
            message = " ".join(str(part) for part in message)
        return {"type": str(payload["exc_type"]), "message": str(message or "")}
    return {"type": "Error", "message": str(payload)}


def task_status_get(*, task_id: str, viewer: User) -> TaskStatus:
    """The status of one task, for its owner or an admin (system tasks: admins only)."""
    tracked = TrackedTask.objects.filter(task_id=task_id).first()
    row = TaskResult.objects.filter(task_id=task_id).first()
    if tracked is None and row is None:
        raise Http404
    owner_id = tracked.owner_id if tracked is not None else None
    if not viewer.is_admin and (owner_id is None or owner_id != viewer.pk):
        raise NotAllowed("Only the user who started this task, or an admin, may read it.")

    status = row.status if row is not None else states.PENDING
    payload = _decode(row.result) if row is not None else None
    progress = result = result_path = error = None
    if status == states.SUCCESS:
        result = payload
        if isinstance(payload, dict):
            result_path = payload.get("download_path")
    elif status in (states.FAILURE, states.RETRY):
        error = _error(payload)
    elif isinstance(payload, dict):
        progress = payload.get("progress")

    return TaskStatus(
        task_id=task_id,
        name=(tracked.name if tracked is not None else row.task_name) or "",
        status=status,
        progress=progress,
        result=result,
        result_path=result_path,
        error=error,
        attempts=tracked.attempts if tracked is not None else 0,
        created_at=tracked.created_at if tracked is not None else row.date_created,
        finished_at=row.date_done if row is not None and status in states.READY_STATES else None,
    )
