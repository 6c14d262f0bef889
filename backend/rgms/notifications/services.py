"""Creating notifications: saved, then pushed to the user's open sockets once committed."""

from __future__ import annotations

from django.db import transaction

from rgms.core import cache
from rgms.notifications.models import Notification
from rgms.realtime.envelope import broadcast, user_group
from rgms.users.models import User


def notification_payload(notification: Notification) -> dict[str, object]:
    """The websocket `data` of a notification (MISSION D)."""
    return {
        "id": notification.pk,
        "message": notification.message,
        "timestamp": notification.created_at.isoformat() if notification.created_at else None,
        "priority": notification.priority,
        "user_id": notification.user_id,
        "type": notification.type,
    }


def notification_create(
    *,
    user: User | None,
    message: str,
    type: str,
    priority: str = Notification.Priority.NORMAL,
) -> Notification:
    notification = Notification.objects.create(
        user=user, message=message, type=type, priority=priority
    )
    cache.invalidate("notifications")
    if user is not None:
        payload = notification_payload(notification)
        transaction.on_commit(lambda: broadcast(user_group(user.pk), "notification", payload))
    return notification
