"""Reads for notifications and push subscriptions.

Who sees what:
- everyone: their own notifications, plus global ones (user NULL) of the public types
  (activity, announcement, reminders, general updates);
- admins: their own plus every global one (the legacy admin feed: logins, profile updates,
  alerts) by default; with scope=all or a user_id filter, everyone's.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from rgms.core import cache
from rgms.notifications.models import PUBLIC_GLOBAL_TYPES, Notification, PushSubscription
from rgms.users.models import User

CACHE_NAMESPACE = "notifications"


def notification_visible_q(*, viewer: User) -> Q:
    if viewer.is_admin:
        return Q(user=viewer) | Q(user__isnull=True)
    return Q(user=viewer) | Q(user__isnull=True, type__in=PUBLIC_GLOBAL_TYPES)


def notification_readable_q(*, viewer: User) -> Q:
    """The notifications whose read flag this viewer may set (a global row has one flag for
    everybody, so only admins, whose feed it is, mark global rows read)."""
    if viewer.is_admin:
        return Q(user=viewer) | Q(user__isnull=True)
    return Q(user=viewer)


def notification_list(
    *,
    viewer: User,
    scope: str = "mine",
    user_id: int | None = None,
    type: str | None = None,
    is_read: bool | None = None,
) -> QuerySet[Notification]:
    queryset = Notification.objects.all()
    everyone = viewer.is_admin and (scope == "all" or user_id is not None)
    if not everyone:
        queryset = queryset.filter(notification_visible_q(viewer=viewer))
    if user_id is not None:
        queryset = queryset.filter(user_id=user_id)
    if type is not None:
        queryset = queryset.filter(type=type)
    if is_read is not None:
        queryset = queryset.filter(is_read=is_read)
    return queryset


def notification_detail_queryset(*, viewer: User) -> QuerySet[Notification]:
    """What a viewer may open by id: admins any notification, others what they see."""
    if viewer.is_admin:
        return Notification.objects.all()
    return Notification.objects.filter(notification_visible_q(viewer=viewer))


def notification_unread_count(*, viewer: User) -> int:
    """Unread notifications this viewer can mark read; cached until any notification write."""

    def build() -> int:
        return (
            Notification.objects.filter(notification_readable_q(viewer=viewer))
            .filter(is_read=False)
            .count()
        )

    return cache.get_or_build([CACHE_NAMESPACE], ["unread", viewer.pk, viewer.role], build)


def push_subscription_list(*, user: User) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user_id=user.pk).order_by("id")
