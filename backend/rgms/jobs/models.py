"""Who started a background task, and how many times a worker picked it up.

Celery's own state (PENDING/STARTED/RETRY/SUCCESS/FAILURE, result, traceback) lives in
django-celery-results' ``TaskResult`` table, so it survives a Redis restart or flush. This
table adds what Celery does not keep: the owner who may read the status, and the number of
attempts (with acks late, a task whose worker died is delivered again).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TrackedTask(models.Model):
    task_id = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=255)
    # NULL owner: started by the system (beat); only admins read those.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tracked_tasks",
    )
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="tracked_task_owner")]

    def __str__(self) -> str:
        return f"{self.name} {self.task_id}"
