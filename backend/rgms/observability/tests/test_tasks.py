"""The observability tasks and their beat entries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from config.celery import app
from rgms.audit.models import AuditLog
from rgms.observability import tasks

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("entry", "task"),
    [
        ("error-rate-check", tasks.error_rate_check),
        ("audit-retention-cleanup", tasks.audit_retention_cleanup),
    ],
)
def test_beat_runs_the_observability_tasks(entry: str, task) -> None:
    scheduled = settings.CELERY_BEAT_SCHEDULE[entry]
    assert scheduled["task"] == task.name
    assert scheduled["task"] in app.tasks
    assert isinstance(scheduled["schedule"], crontab)


def test_error_rate_check_runs_every_minute() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE["error-rate-check"]["schedule"]
    assert schedule.minute == set(range(60))


def test_error_rate_check_task_returns_the_verdict(process_store) -> None:
    assert tasks.error_rate_check.delay().get()["status"] == "insufficient-data"


def test_audit_retention_cleanup_task(settings) -> None:
    settings.AUDIT_RETENTION_DAYS = 365
    AuditLog.objects.create(
        table_name="auth", operation="login_failed", created_at=timezone.now() - timedelta(days=400)
    )
    assert tasks.audit_retention_cleanup.delay().get() == 1
    assert not AuditLog.objects.exists()
