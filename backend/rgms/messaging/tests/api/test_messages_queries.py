import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from rgms.api.testing import warm_shared_lookups
from rgms.messaging.tests.factories import (
    AdminMessageFactory,
    SenderStaffFactory,
    StaffMessageFactory,
)
from rgms.users.models import User

pytestmark = pytest.mark.django_db


def _queries(client: APIClient, url: str, page_size: int) -> int:
    warm_shared_lookups(client)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == page_size
    return len(context.captured_queries)


def test_staff_message_list_queries_do_not_grow_with_page_size(staff_client: APIClient) -> None:
    # given 100 messages from 100 different staff
    for _ in range(100):
        StaffMessageFactory(sender_staff=SenderStaffFactory())
    url = "/api/v1/messages/staff/"
    # when pages of 1 and 100 are read
    # then both take the same number of queries
    assert _queries(staff_client, url, 1) == _queries(staff_client, url, 100)


def test_admin_message_list_queries_do_not_grow_with_page_size(
    admin_client: APIClient, make_user: object
) -> None:
    # given 100 messages from 100 different users
    for _ in range(100):
        AdminMessageFactory(user=make_user())
    url = "/api/v1/messages/admin/"
    # when pages of 1 and 100 are read
    # then both take the same number of queries
    assert _queries(admin_client, url, 1) == _queries(admin_client, url, 100)


def test_admin_message_list_of_a_user_queries_do_not_grow(
    cadet_client: APIClient, cadet_user: User
) -> None:
    # given 100 messages of the cadet
    AdminMessageFactory.create_batch(100, user=cadet_user)
    url = "/api/v1/messages/admin/"
    # when pages of 1 and 100 are read
    # then both take the same number of queries
    assert _queries(cadet_client, url, 1) == _queries(cadet_client, url, 100)
