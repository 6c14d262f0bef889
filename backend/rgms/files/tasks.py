"""Celery tasks of the files app (thin: load by id, call the service)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from rgms.files import services
from rgms.files.models import StoredFile
from rgms.files.storage import StorageError
from rgms.jobs.services import task_attempt_record, task_complete
from rgms.jobs.tasking import LoggedTask


@shared_task(
    name="rgms.files.tasks.file_process",
    bind=True,
    base=LoggedTask,
    autoretry_for=(StorageError, ConnectionError, TimeoutError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=3,
)
def file_process(self: LoggedTask, file_id: int) -> dict[str, Any]:
    task_attempt_record(task_id=self.request.id, name=self.name)
    stored = services.file_process(stored=StoredFile.objects.get(pk=file_id))
    task_complete(task_id=self.request.id)
    return {
        "file_id": stored.pk,
        "processing_status": stored.processing_status,
        "processing": stored.processing,
    }
