from typing import Any

import pytest
from rest_framework.test import APIClient

from rgms.notifications.models import PushSubscription
from rgms.notifications.tests.factories import PushSubscriptionFactory, b64url, push_keys
from rgms.users.models import User

pytestmark = pytest.mark.django_db

LIST = "/api/v1/push-subscriptions/"
ALL = ("anonymous", "cadet", "other_cadet", "staff", "admin")


def _codes(*codes: int) -> dict[str, int]:
    return dict(zip(ALL, codes, strict=True))


@pytest.mark.parametrize(
    ("method", "target", "codes"),
    [
        ("get", "list", _codes(401, 200, 200, 200, 200)),
        ("post", "list", _codes(401, 201, 201, 201, 201)),
        ("get", "own", _codes(401, 405, 405, 405, 405)),
        ("delete", "own", _codes(401, 204, 404, 404, 404)),
    ],
)
@pytest.mark.parametrize("role", ALL)
def test_authorization_matrix(
    role_clients: dict[str, APIClient],
    cadet_user: User,
    method: str,
    target: str,
    codes: dict[str, int],
    role: str,
) -> None:
    # given a subscription of the cadet
    own = PushSubscriptionFactory(user_id=cadet_user.pk)
    url = {"list": LIST, "own": f"{LIST}{own.pk}/"}[target]
    body = {"endpoint": "https://push.example.org/new", "keys": push_keys()}
    # when the role calls the endpoint
    response = getattr(role_clients[role], method)(url, body, format="json")
    # then the status is the one the matrix states
    assert response.status_code == codes[role], response.content


def test_list_shows_only_own(cadet_client: APIClient, cadet_user: User, admin_user: User) -> None:
    # given subscriptions of the cadet and of the admin
    own = PushSubscriptionFactory(user_id=cadet_user.pk)
    PushSubscriptionFactory(user_id=admin_user.pk)
    # when the cadet lists
    body = cadet_client.get(LIST).json()
    # then only theirs is there, with its keys
    assert [row["id"] for row in body["results"]] == [own.pk]
    assert body["results"][0]["keys"] == own.keys


def test_resubscribe_is_200_and_another_users_endpoint_is_409(
    cadet_client: APIClient, other_cadet_client: APIClient
) -> None:
    # given the cadet subscribed an endpoint
    body = {"endpoint": "https://push.example.org/a", "keys": push_keys()}
    assert cadet_client.post(LIST, body, format="json").status_code == 201
    # when the cadet re-subscribes it, and another cadet tries to take it
    again = cadet_client.post(LIST, {**body, "keys": push_keys()}, format="json")
    taken = other_cadet_client.post(LIST, body, format="json")
    # then the first updates it and the second is a conflict naming the endpoint
    assert again.status_code == 200
    assert taken.status_code == 409
    assert "endpoint" in taken.json()["errors"]
    assert PushSubscription.objects.count() == 1


GOOD_KEYS = push_keys()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"keys": GOOD_KEYS}, "endpoint"),
        ({"endpoint": "not a url", "keys": GOOD_KEYS}, "endpoint"),
        ({"endpoint": "http://push.example.org/a", "keys": GOOD_KEYS}, "endpoint"),
        ({"endpoint": "javascript:alert(1)", "keys": GOOD_KEYS}, "endpoint"),
        ({"endpoint": "https://push.example.org/" + "a" * 2048, "keys": GOOD_KEYS}, "endpoint"),
        ({"endpoint": "https://push.example.org/a"}, "keys"),
        ({"endpoint": "https://push.example.org/a", "keys": "p256dh"}, "keys"),
        ({"endpoint": "https://push.example.org/a", "keys": {"auth": GOOD_KEYS["auth"]}}, "keys"),
        (
            {"endpoint": "https://push.example.org/a", "keys": {**GOOD_KEYS, "auth": "!!"}},
            "keys",
        ),
        (
            {
                "endpoint": "https://push.example.org/a",
                "keys": {**GOOD_KEYS, "p256dh": b64url(b"x")},
            },
            "keys",
        ),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(
    cadet_client: APIClient, body: dict[str, Any], field: str
) -> None:
    # when the cadet sends an invalid subscription
    response = cadet_client.post(LIST, body, format="json")
    # then 400 names the field and nothing is written
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not PushSubscription.objects.exists()
