"""Celery tasks of the realtime app."""

from __future__ import annotations

from celery import shared_task

from rgms.notifications.models import Notification
from rgms.notifications.services import notification_create
from rgms.users.models import User


@shared_task(name="rgms.realtime.tasks.notify_user")
def notify_user(
    user_id: int,
    message: str,
    type: str = "general_update",
    priority: str = Notification.Priority.NORMAL,
) -> int | None:
    """Create a notification for a user from a worker; it reaches their open sockets through
    the channel layer once saved. Returns the notification id (None if the user is gone)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    return notification_create(user=user, message=message, type=type, priority=priority).pk
