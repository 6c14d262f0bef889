import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from rgms.activities.tests.factories import ActivityFactory, ActivityImageFactory
from rgms.api.testing import warm_shared_lookups

pytestmark = pytest.mark.django_db


def _queries(client: APIClient, url: str, page_size: int) -> int:
    warm_shared_lookups(client)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, 100)
    return len(context.captured_queries)


def test_activity_list_queries_do_not_grow_with_page_size(cadet_client: APIClient) -> None:
    # given 100 activities with images
    for activity in ActivityFactory.create_batch(100):
        ActivityImageFactory(activity=activity)
    # when pages of 1 and 100 are read (each a cache miss)
    # then both take the same number of queries
    assert _queries(cadet_client, "/api/v1/activities/", 1) == _queries(
        cadet_client, "/api/v1/activities/", 100
    )


def test_activity_image_list_queries_do_not_grow_with_page_size(cadet_client: APIClient) -> None:
    # given an activity with 100 images
    activity = ActivityFactory()
    ActivityImageFactory.create_batch(100, activity=activity)
    url = f"/api/v1/activities/{activity.pk}/images/"
    # when pages of 1 and 100 are read
    # then both take the same number of queries
    assert _queries(cadet_client, url, 1) == _queries(cadet_client, url, 100)
