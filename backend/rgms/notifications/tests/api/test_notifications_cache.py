"""The cached notification list: never stale after a write that concerns the viewer, left in
place by writes that do not, and never caching a refusal or an unknown parameter."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from conftest import bearer_client
from rgms.api.testing import warm_shared_lookups
from rgms.cadets.services import cadet_notify_many
from rgms.cadets.tests.factories import CadetFactory
from rgms.notifications.services import notification_create
from rgms.users.models import Role, User

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/api/v1/notifications/"


def messages(client: APIClient, url: str = LIST) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return [row["message"] for row in response.json()["results"]]


def queries(client: APIClient, url: str = LIST) -> int:
    warm_shared_lookups(client)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.fixture
def cadet_user(make_user: Callable[..., User]) -> User:
    return make_user(Role.CADET, cadet=CadetFactory())


def test_a_repeated_read_is_served_from_the_cache(cadet_user: User) -> None:
    client = bearer_client(cadet_user)
    notification_create(user=cadet_user, message="first", type="grade")
    assert queries(client) > 0
    assert queries(client) == 0


def test_every_write_that_concerns_the_viewer_shows_at_once(
    cadet_user: User, make_user: Callable[..., User]
) -> None:
    client = bearer_client(cadet_user)
    admin = bearer_client(make_user(Role.ADMIN))
    assert messages(client) == []
    # one for the cadet, through the API
    created = admin.post(
        LIST, {"user_id": cadet_user.pk, "message": "own", "type": "grade"}, format="json"
    ).json()["id"]
    assert messages(client) == ["own"]
    # a global announcement
    notification_create(user=None, message="drill at 7", type="announcement")
    assert messages(client) == ["drill at 7", "own"]
    # many cadets at once (bulk attendance)
    cadet_notify_many(messages={cadet_user.cadet_id: "bulk"}, type="attendance")
    assert messages(client) == ["bulk", "drill at 7", "own"]
    # read and deleted
    client.post(f"{LIST}{created}/read/")
    assert [row["is_read"] for row in client.get(LIST).json()["results"]] == [False, False, True]
    client.delete(f"{LIST}{created}/")
    assert messages(client) == ["bulk", "drill at 7"]


def test_another_users_notification_leaves_the_cached_list_in_place(
    cadet_user: User, make_user: Callable[..., User]
) -> None:
    client = bearer_client(cadet_user)
    messages(client)
    notification_create(user=make_user(Role.CADET), message="someone else's", type="grade")
    assert queries(client) == 0
    assert messages(client) == []


def test_the_admin_list_of_everyone_sees_every_write(
    cadet_user: User, make_user: Callable[..., User]
) -> None:
    admin = bearer_client(make_user(Role.ADMIN))
    url = f"{LIST}?scope=all"
    assert messages(admin, url) == []
    notification_create(user=cadet_user, message="a cadet's", type="grade")
    assert messages(admin, url) == ["a cadet's"]


def test_refusals_and_unknown_parameters_are_not_cached(cadet_user: User) -> None:
    client = bearer_client(cadet_user)
    assert client.get(f"{LIST}?scope=all").status_code == 403
    assert client.get(f"{LIST}?scope=all").status_code == 403
    assert client.get(f"{LIST}?type=nonsense").status_code == 400
    # a parameter the list does not know is answered, but never fills the cache
    assert queries(client, f"{LIST}?junk=1") > 0
    assert queries(client, f"{LIST}?junk=1") > 0
