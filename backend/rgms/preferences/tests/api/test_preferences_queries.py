import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from rgms.api.testing import warm_shared_lookups
from rgms.preferences.keys import SYSTEM_SETTINGS
from rgms.preferences.tests.factories import SystemSettingFactory

pytestmark = pytest.mark.django_db


def _queries(client: APIClient, page_size: int) -> int:
    warm_shared_lookups(client)
    with CaptureQueriesContext(connection) as context:
        response = client.get("/api/v1/system-settings/", {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, len(SYSTEM_SETTINGS))
    return len(context.captured_queries)


def test_system_setting_list_queries_do_not_grow_with_page_size(
    admin_client: APIClient,
) -> None:
    # given every known key stored
    for key in SYSTEM_SETTINGS:
        SystemSettingFactory(key=key, value="true")
    # when pages of 1 and 100 are read, each on an empty cache
    first = _queries(admin_client, 1)
    cache.clear()
    # then both take the same number of queries
    assert first == _queries(admin_client, 100)
