"""Reads for notifications and push subscriptions.

Who sees what:
- everyone: their own notifications, plus global ones (user NULL) of the public types
  (activity, announcement, reminders, general updates);
- admins: their own plus every global one (the legacy admin feed: logins, profile updates,
  alerts) by default; with scope=all or a user_id filter, everyone's.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from rgms.core import cache
from rgms.notifications.models import PUBLIC_GLOBAL_TYPES, Notification, PushSubscription
from rgms.users.models import User

# Read-cache namespaces. A viewer's reads depend on their own rows and the global ones, so a
# notification for one cadet leaves every other viewer's cached list in place:
# - ``notifications:user:<id>`` and ``notifications:global`` (rows with no user);
# - ``notifications:any``: reads over every user's rows (admins' scope=all / user_id);
# - ``notifications``: every cached notification read (for edits that may touch any row).
CACHE_NAMESPACE = "notifications"
ANY_USER_NAMESPACE = "notifications:any"
GLOBAL_NAMESPACE = "notifications:global"


def user_namespace(user_id: int | None) -> str:
    return GLOBAL_NAMESPACE if user_id is None else f"notifications:user:{user_id}"


def viewer_namespaces(viewer_id: int) -> list[str]:
    """What the viewer's own list depends on (global rows too: everyone sees some)."""
    return [CACHE_NAMESPACE, user_namespace(viewer_id), GLOBAL_NAMESPACE]


def notifications_invalidate(user_ids: Iterable[int | None]) -> None:
    """Drop, on commit, the cached reads that rows of these users (None: global rows) are in."""
    cache.invalidate(ANY_USER_NAMESPACE, *{user_namespace(user_id) for user_id in user_ids})


def notifications_invalidate_all() -> None:
    """Drop every cached notification read on commit (edits that may touch any user's rows)."""
    cache.invalidate(CACHE_NAMESPACE)


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


def unread_count_read(viewer_id: int, role: str) -> cache.Read:
    return viewer_namespaces(viewer_id), ["unread", viewer_id, role]


def notification_unread_count(*, viewer: User) -> int:
    """Unread notifications this viewer can mark read; cached until a write to the viewer's
    own or the global notifications."""

    def build() -> int:
        return (
            Notification.objects.filter(notification_readable_q(viewer=viewer))
            .filter(is_read=False)
            .count()
        )

    return cache.get_or_build(*unread_count_read(viewer.pk, viewer.role), build)


def push_subscription_list(*, user: User) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user_id=user.pk).order_by("id")
