import pytest
from rest_framework.test import APIClient

from rgms.cadets.tests.matrix import count_queries
from rgms.staff.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_staff_list_query_count_is_independent_of_page_size(admin_client: APIClient) -> None:
    # given
    StaffFactory.create_batch(4)
    # when
    small, _ = count_queries(admin_client, "/api/v1/staff/?page_size=1")
    large, response = count_queries(admin_client, "/api/v1/staff/?page_size=100")
    # then
    assert len(response.json()["results"]) == 4
    assert small == large
