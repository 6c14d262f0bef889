import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from rgms.api.testing import warm_shared_lookups
from rgms.notifications.tests.factories import NotificationFactory, PushSubscriptionFactory
from rgms.users.models import User

pytestmark = pytest.mark.django_db


def _queries(client: APIClient, url: str, page_size: int) -> int:
    warm_shared_lookups(client)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == page_size
    return len(context.captured_queries)


@pytest.mark.parametrize("scope", ["mine", "all"])
def test_notification_list_queries_do_not_grow_with_page_size(
    admin_client: APIClient, admin_user: User, cadet_user: User, scope: str
) -> None:
    # given 100 notifications of the admin, 100 of a cadet and 50 global ones
    NotificationFactory.create_batch(100, user=admin_user)
    NotificationFactory.create_batch(100, user=cadet_user)
    NotificationFactory.create_batch(50, user=None)
    url = f"/api/v1/notifications/?scope={scope}"
    # when pages of 1 and 100 are read
    # then both take the same number of queries
    assert _queries(admin_client, url, 1) == _queries(admin_client, url, 100)


def test_push_subscription_list_queries_do_not_grow_with_page_size(
    cadet_client: APIClient, cadet_user: User
) -> None:
    # given 100 subscriptions of the cadet
    PushSubscriptionFactory.create_batch(100, user_id=cadet_user.pk)
    url = "/api/v1/push-subscriptions/"
    # when pages of 1 and 100 are read
    # then both take the same number of queries
    assert _queries(cadet_client, url, 1) == _queries(cadet_client, url, 100)
