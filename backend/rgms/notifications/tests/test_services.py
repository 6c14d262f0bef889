from unittest import mock

import pytest

from rgms.core.exceptions import Conflict, NotAllowed
from rgms.notifications import services
from rgms.notifications.models import Notification, PushSubscription
from rgms.notifications.tests.factories import (
    NotificationFactory,
    PushSubscriptionFactory,
    push_keys,
)
from rgms.users.models import User

pytestmark = pytest.mark.django_db


def test_create_broadcasts_to_the_user_group_on_commit(
    cadet_user: User, django_capture_on_commit_callbacks: object
) -> None:
    # given a user
    # when a notification is created and the transaction commits
    with (
        mock.patch("rgms.notifications.services.broadcast") as broadcast,
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification = services.notification_create(
            user=cadet_user, message="Grade posted", type="grade", priority="high"
        )
        broadcast.assert_not_called()
    # then one enveloped notification went to user.<id> with the documented fields
    broadcast.assert_called_once()
    group, type_, data = broadcast.call_args.args
    assert group == f"user.{cadet_user.pk}"
    assert type_ == "notification"
    assert data["id"] == notification.pk
    assert {"id", "message", "timestamp", "priority", "user_id"} <= set(data)


def test_create_global_is_saved_without_a_user() -> None:
    # when a global notification is created
    notification = services.notification_create(user=None, message="Drill", type="announcement")
    # then it is saved with no user (the legacy NULL = global)
    assert Notification.objects.get(pk=notification.pk).user_id is None


def test_mark_read_own(cadet_user: User) -> None:
    # given an unread notification of the cadet
    notification = NotificationFactory(user=cadet_user)
    # when the cadet marks it read
    services.notification_mark_read(notification=notification, viewer=cadet_user)
    # then it is read
    notification.refresh_from_db()
    assert notification.is_read


def test_mark_read_global_is_for_admins(cadet_user: User, admin_user: User) -> None:
    # given a global notification
    notification = NotificationFactory(user=None, type="announcement")
    # when a cadet marks it read, then it is refused
    with pytest.raises(NotAllowed):
        services.notification_mark_read(notification=notification, viewer=cadet_user)
    # when an admin does, then it is read
    services.notification_mark_read(notification=notification, viewer=admin_user)
    notification.refresh_from_db()
    assert notification.is_read


def test_mark_all_read_touches_only_the_viewers(cadet_user: User, other_cadet_user: User) -> None:
    # given unread notifications of two cadets and a global one
    NotificationFactory.create_batch(2, user=cadet_user)
    theirs = NotificationFactory(user=other_cadet_user)
    public = NotificationFactory(user=None, type="announcement")
    # when the first cadet marks all read
    updated = services.notification_mark_all_read(viewer=cadet_user)
    # then only their two changed
    assert updated == 2
    theirs.refresh_from_db()
    public.refresh_from_db()
    assert not theirs.is_read
    assert not public.is_read


def test_delete_global_is_for_admins(cadet_user: User, admin_user: User) -> None:
    # given a global notification
    notification = NotificationFactory(user=None, type="announcement")
    # when a cadet deletes it, then it is refused
    with pytest.raises(NotAllowed):
        services.notification_delete(notification=notification, viewer=cadet_user)
    # when an admin does, then it is gone
    services.notification_delete(notification=notification, viewer=admin_user)
    assert not Notification.objects.exists()


def test_push_subscription_resubscribe_updates_keys(cadet_user: User) -> None:
    # given a subscription of the cadet
    first, created = services.push_subscription_save(
        user=cadet_user, endpoint="https://push.example.org/a", keys=push_keys()
    )
    assert created
    # when the same endpoint subscribes again with new keys
    new_keys = push_keys()
    again, created = services.push_subscription_save(
        user=cadet_user, endpoint="https://push.example.org/a", keys=new_keys
    )
    # then the same row holds the new keys
    assert not created
    assert again.pk == first.pk
    assert PushSubscription.objects.get().keys == new_keys


def test_push_subscription_of_another_user_is_a_conflict(
    cadet_user: User, other_cadet_user: User
) -> None:
    # given an endpoint held by another user
    PushSubscriptionFactory(user_id=other_cadet_user.pk, endpoint="https://push.example.org/a")
    # when the cadet subscribes it
    # then it is refused and the owner keeps it
    with pytest.raises(Conflict):
        services.push_subscription_save(
            user=cadet_user, endpoint="https://push.example.org/a", keys=push_keys()
        )
    assert PushSubscription.objects.get().user_id == other_cadet_user.pk
