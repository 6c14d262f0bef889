"""Celery tasks of the authentication app: thin wrappers that load by id and call a service."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from rgms.authentication import services
from rgms.users.models import User


@shared_task(
    name="rgms.authentication.tasks.password_reset_email_send",
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def password_reset_email_send(*, user_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_archived=False).exclude(email__isnull=True).first()
    if user is None or not user.email:
        return
    services.password_reset_email_send(user=user)
