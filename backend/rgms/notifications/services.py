"""Writing notifications and push subscriptions.

A notification is saved, then pushed to the user's open sockets once committed. Every write
drops the cached notification reads (unread counts) once committed.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from rgms.core.exceptions import Conflict, NotAllowed
from rgms.notifications.models import Notification, PushSubscription
from rgms.notifications.selectors import notification_readable_q, notifications_invalidate
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
    notifications_invalidate([notification.user_id])
    if user is not None:
        payload = notification_payload(notification)
        transaction.on_commit(lambda: broadcast(user_group(user.pk), "notification", payload))
    return notification


def notification_mark_read(*, notification: Notification, viewer: User) -> Notification:
    if not Notification.objects.filter(
        notification_readable_q(viewer=viewer), pk=notification.pk
    ).exists():
        raise NotAllowed("Only admins mark global notifications read.")
    if not notification.is_read:
        notification.is_read = True
        notification.save(update_fields=["is_read"])
        notifications_invalidate([notification.user_id])
    return notification


def notification_mark_all_read(*, viewer: User) -> int:
    updated = (
        Notification.objects.filter(notification_readable_q(viewer=viewer))
        .filter(is_read=False)
        .update(is_read=True)
    )
    if updated:
        notifications_invalidate([viewer.pk, None] if viewer.is_admin else [viewer.pk])
    return updated


def notification_delete(*, notification: Notification, viewer: User) -> None:
    if not viewer.is_admin and notification.user_id != viewer.pk:
        raise NotAllowed("Only admins delete global notifications.")
    user_id = notification.user_id
    notification.delete()
    notifications_invalidate([user_id])


@transaction.atomic
def push_subscription_save(
    *, user: User, endpoint: str, keys: dict[str, Any]
) -> tuple[PushSubscription, bool]:
    """Subscribe a browser for this user; re-subscribing the same endpoint updates its keys.

    An endpoint held by another user is a conflict: it is that user's until they unsubscribe
    (taking it over would let anyone who learns an endpoint silence someone's pushes)."""
    existing = PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
    if existing is not None:
        if existing.user_id != user.pk:
            raise Conflict(
                "This push endpoint belongs to another user.",
                errors={"endpoint": ["This push endpoint belongs to another user."]},
            )
        existing.keys = keys
        existing.save(update_fields=["keys"])
        return existing, False
    return PushSubscription.objects.create(user_id=user.pk, endpoint=endpoint, keys=keys), True


def push_subscription_delete(*, subscription: PushSubscription) -> None:
    subscription.delete()
