"""Celery tasks of the jobs app: thin wrappers that load by id and call a service.

The beat entries of settings.CELERY_BEAT_SCHEDULE name these tasks by their dotted path.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import shared_task

from rgms.jobs import services
from rgms.jobs.tasking import RETRY_POLICY, LoggedTask
from rgms.notifications.models import Notification


@shared_task(name="rgms.jobs.tasks.email_send", bind=True, base=LoggedTask, **RETRY_POLICY)
def email_send(self: LoggedTask, *, to: list[str], subject: str, body: str) -> dict[str, Any]:
    return asdict(services.email_send(to=to, subject=subject, body=body))


@shared_task(
    name="rgms.jobs.tasks.notification_email_send", bind=True, base=LoggedTask, **RETRY_POLICY
)
def notification_email_send(self: LoggedTask, notification_id: int) -> dict[str, Any]:
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    return asdict(services.notification_email_send(notification=notification))


@shared_task(name="rgms.jobs.tasks.cleanup_old_sessions", base=LoggedTask)
def cleanup_old_sessions() -> dict[str, Any]:
    return asdict(services.cleanup_old_sessions())


@shared_task(name="rgms.jobs.tasks.cleanup_expired_tokens", base=LoggedTask)
def cleanup_expired_tokens() -> dict[str, Any]:
    return asdict(services.cleanup_expired_tokens())


@shared_task(name="rgms.jobs.tasks.backup_database", base=LoggedTask)
def backup_database() -> dict[str, Any]:
    return asdict(services.backup_database())


@shared_task(name="rgms.jobs.tasks.worker_probe", bind=True, base=LoggedTask)
def worker_probe(self: LoggedTask, seconds: float = 0.0) -> dict[str, Any]:
    return asdict(services.worker_probe(task_id=self.request.id, seconds=seconds))
