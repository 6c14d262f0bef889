"""Background-work services: starting tracked tasks, the beat jobs, email delivery.

Every function here is plain Python over the ORM; ``tasks.py`` only wraps them.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from celery import Task
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from config import env
from rgms.jobs.models import TrackedTask
from rgms.notifications.models import Notification
from rgms.users.models import User

logger = logging.getLogger(__name__)

# A probe may hold a worker at most this long (it is a diagnostic, not a load generator).
PROBE_MAX_SECONDS = 60


def task_enqueue(
    *, task: Task, owner: User | None, kwargs: dict[str, Any], task_id: str | None = None
) -> TrackedTask:
    """Record who starts ``task`` and send it to the broker once the transaction commits.

    The id is chosen here, so the caller can answer 202 with it at once; the message leaves
    only after commit, so a worker never looks for rows that are not there yet."""
    task_id = task_id or str(uuid.uuid4())
    tracked = TrackedTask.objects.create(task_id=task_id, name=task.name, owner=owner)
    transaction.on_commit(lambda: task.apply_async(kwargs=kwargs, task_id=task_id))
    return tracked


def task_attempt_record(*, task_id: str | None, name: str) -> TrackedTask | None:
    """Count one pick-up of a task by a worker (a redelivered task counts again)."""
    if not task_id:
        return None
    tracked, _ = TrackedTask.objects.get_or_create(task_id=task_id, defaults={"name": name})
    TrackedTask.objects.filter(pk=tracked.pk).update(attempts=F("attempts") + 1)
    tracked.refresh_from_db()
    return tracked


def task_complete(*, task_id: str | None) -> bool:
    """Mark a tracked task completed; False when it already was (a duplicate run)."""
    if not task_id:
        return True
    updated = TrackedTask.objects.filter(task_id=task_id, completed_at__isnull=True).update(
        completed_at=timezone.now()
    )
    return updated == 1


# EMAIL
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailOutcome:
    sent: bool
    recipients: list[str]
    reason: str = ""


def email_send(*, to: list[str], subject: str, body: str) -> EmailOutcome:
    """Send one plain-text email through the configured backend. SMTP and connection errors
    propagate, so the task can retry them."""
    recipients = [address for address in to if address]
    if not recipients:
        return EmailOutcome(sent=False, recipients=[], reason="no recipient address")
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=recipients
    )
    message.send(fail_silently=False)
    return EmailOutcome(sent=True, recipients=recipients)


def notification_email_send(*, notification: Notification) -> EmailOutcome:
    """Email a saved notification to its user (global notifications are not emailed)."""
    user = notification.user
    if user is None:
        return EmailOutcome(sent=False, recipients=[], reason="global notification")
    if not user.email:
        return EmailOutcome(sent=False, recipients=[], reason="the user has no email address")
    return email_send(
        to=[user.email],
        subject=f"RGMS: {notification.type.replace('_', ' ')}",
        body=notification.message,
    )


# BEAT JOBS
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanupOutcome:
    deleted: int
    details: dict[str, int] = field(default_factory=dict)


def cleanup_old_sessions() -> CleanupOutcome:
    """Delete expired sessions (what `manage.py clearsessions` does)."""
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
        return CleanupOutcome(deleted=deleted)
    # Other engines expire by themselves or know how to clear (cache: no-op).
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return CleanupOutcome(deleted=0)


def cleanup_expired_tokens() -> CleanupOutcome:
    """Delete refresh tokens past their expiry from simplejwt's blacklist tables (what
    `manage.py flushexpiredtokens` does; their blacklist entries go with them)."""
    expired = OutstandingToken.objects.filter(expires_at__lte=timezone.now())
    _, per_model = expired.delete()
    outstanding = per_model.get(OutstandingToken._meta.label, 0)
    blacklisted = per_model.get(BlacklistedToken._meta.label, 0)
    return CleanupOutcome(
        deleted=outstanding,
        details={"outstanding_tokens": outstanding, "blacklisted_tokens": blacklisted},
    )


@dataclass(frozen=True)
class BackupOutcome:
    status: str  # "completed" or "not_configured"
    reason: str = ""
    backup: dict[str, Any] | None = None
    validation: dict[str, Any] | None = None


NOT_CONFIGURED, COMPLETED = "not_configured", "completed"


class BackupFailed(RuntimeError):
    """A backup was made but does not restore to what its manifest records."""


def backup_target() -> Path | None:
    """Where weekly backups go: a directory that outlives a deploy (a Render persistent disk
    mounted on the worker). ``settings.LEGACY_BACKUP_DIR``; unset means not configured, since
    a backup on the worker's ephemeral disk would vanish at the next deploy."""
    target = getattr(settings, "LEGACY_BACKUP_DIR", None)
    return Path(target) if target else None


def backup_database(*, target: Path | None = None) -> BackupOutcome:
    """Back up the legacy database with the migration toolkit (cutover.backup), then prove
    the backup restores (validate_backup). Says plainly when it cannot run; it never reports
    a backup it did not make, and a backup that does not validate fails the task."""
    if not env.is_set("NODEJS_DATABASE_URL"):
        return _not_configured("NODEJS_DATABASE_URL is not set")
    target = target or backup_target()
    if target is None:
        return _not_configured("no backup directory is configured (LEGACY_BACKUP_DIR)")
    try:
        toolkit = import_module("cutover.backup")
    except ImportError as exc:
        return _not_configured(f"the migration toolkit's backup (cutover.backup) is missing: {exc}")
    source = env.get("NODEJS_DATABASE_URL")
    # PostgreSQL backups are restored into a scratch database on the legacy server, as the
    # toolkit's CLI does by default; SQLite backups are checked as a file copy.
    scratch = source if source.startswith(("postgres://", "postgresql://")) else None
    result = toolkit.create_backup(source, target)
    validation = toolkit.validate_backup(result.manifest_path, scratch_server_url=scratch)
    if not validation.ok:
        raise BackupFailed(
            f"backup {result.backup_path} does not match its manifest: "
            f"{len(validation.discrepancies)} discrepancies"
        )
    logger.info("legacy database backed up to %s and validated", result.backup_path)
    return BackupOutcome(COMPLETED, backup=result.as_dict(), validation=validation.as_dict())


def _not_configured(reason: str) -> BackupOutcome:
    logger.warning("backup-database did not run: %s", reason)
    return BackupOutcome(NOT_CONFIGURED, reason)


# DIAGNOSTICS
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProbeOutcome:
    task_id: str | None
    attempt: int
    completed: bool
    duplicate: bool


def worker_probe(*, task_id: str | None, seconds: float = 0.0) -> ProbeOutcome:
    """A round trip through the broker and a worker (deploy-verify's Celery check).

    ``seconds`` holds the worker that long (bounded), which lets an operator watch a task
    survive a worker being killed: the task is idempotent by its id, so a redelivery after
    completion completes nothing a second time."""
    tracked = task_attempt_record(task_id=task_id, name="rgms.jobs.tasks.worker_probe")
    attempt = tracked.attempts if tracked else 1
    if tracked is not None and tracked.completed_at is not None:
        return ProbeOutcome(task_id, attempt, completed=False, duplicate=True)
    time.sleep(max(0.0, min(float(seconds), PROBE_MAX_SECONDS)))
    completed = task_complete(task_id=task_id)
    return ProbeOutcome(task_id, attempt, completed=completed, duplicate=not completed)
