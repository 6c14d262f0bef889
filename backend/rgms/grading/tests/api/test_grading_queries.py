import pytest
from rest_framework.test import APIClient

from rgms.cadets.tests.matrix import count_queries
from rgms.grading.tests.factories import GradeFactory, MeritDemeritLogFactory

pytestmark = pytest.mark.django_db


def test_grade_list_query_count_is_independent_of_page_size(admin_client: APIClient) -> None:
    # given
    GradeFactory.create_batch(4)
    # when
    small, _ = count_queries(admin_client, "/api/v1/grades/?page_size=1")
    large, response = count_queries(admin_client, "/api/v1/grades/?page_size=100")
    # then
    assert len(response.json()["results"]) == 4
    assert small == large


def test_ledger_query_count_is_independent_of_page_size(admin_client: APIClient) -> None:
    MeritDemeritLogFactory.create_batch(4)
    small, _ = count_queries(admin_client, "/api/v1/merit-demerit-logs/?page_size=1")
    large, response = count_queries(admin_client, "/api/v1/merit-demerit-logs/?page_size=100")
    assert len(response.json()["results"]) == 4
    assert small == large
