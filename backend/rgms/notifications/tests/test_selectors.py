from collections.abc import Callable

import pytest

from rgms.notifications import selectors
from rgms.notifications.tests.factories import NotificationFactory
from rgms.users.models import Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(cadet_user: User, other_cadet_user: User, admin_user: User) -> dict[str, object]:
    return {
        "mine": NotificationFactory(user=cadet_user, type="grade"),
        "other": NotificationFactory(user=other_cadet_user, type="grade"),
        "public": NotificationFactory(user=None, type="announcement"),
        "admin_feed": NotificationFactory(user=None, type="login"),
        "admins_own": NotificationFactory(user=admin_user, type="general_update"),
    }


def _names(feed: dict[str, object], rows: object) -> set[str]:
    ids = {row.pk for row in rows}
    return {name for name, row in feed.items() if row.pk in ids}


def test_a_cadet_sees_own_and_public_global(cadet_user: User, feed: dict[str, object]) -> None:
    # when the cadet's list is read
    rows = selectors.notification_list(viewer=cadet_user)
    # then it holds their own and the public global one only
    assert _names(feed, rows) == {"mine", "public"}


def test_staff_see_the_same_rule(make_user: Callable[..., User], feed: dict[str, object]) -> None:
    # given a staff user with no notifications of their own
    staff = make_user(Role.TRAINING_STAFF)
    # when their list is read, even asking for everyone's
    rows = selectors.notification_list(viewer=staff, scope="all")
    # then only the public global one is there
    assert _names(feed, rows) == {"public"}


def test_an_admin_sees_own_and_every_global(admin_user: User, feed: dict[str, object]) -> None:
    # when the admin's default list is read
    rows = selectors.notification_list(viewer=admin_user)
    # then it holds their own and both global ones
    assert _names(feed, rows) == {"public", "admin_feed", "admins_own"}


def test_an_admin_filters_everyone_by_user(
    admin_user: User, cadet_user: User, feed: dict[str, object]
) -> None:
    # when the admin asks for everyone's, then for one cadet's
    everyone = selectors.notification_list(viewer=admin_user, scope="all")
    cadets = selectors.notification_list(viewer=admin_user, user_id=cadet_user.pk)
    # then the first holds all, the second that cadet's only
    assert _names(feed, everyone) == set(feed)
    assert _names(feed, cadets) == {"mine"}


def test_unread_count_counts_what_the_viewer_may_mark(
    cadet_user: User, admin_user: User, feed: dict[str, object]
) -> None:
    # when unread counts are read
    # then the cadet counts their own only, the admin their own and the global ones
    assert selectors.notification_unread_count(viewer=cadet_user) == 1
    assert selectors.notification_unread_count(viewer=admin_user) == 3
