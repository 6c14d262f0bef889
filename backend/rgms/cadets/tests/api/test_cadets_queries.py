"""The roster and its profile run a fixed number of queries whatever the page size."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from rgms.cadets.tests.factories import CadetFactory
from rgms.cadets.tests.matrix import count_queries
from rgms.grading.tests.factories import GradeFactory
from rgms.users.models import Role

pytestmark = pytest.mark.django_db


def test_roster_query_count_is_independent_of_page_size(admin_client: APIClient, make_user) -> None:
    # given cadets with grades and user accounts
    for cadet in CadetFactory.create_batch(5):
        GradeFactory(cadet=cadet)
        make_user(Role.CADET, cadet=cadet)
    # when
    small, small_response = count_queries(admin_client, "/api/v1/cadets/?page_size=1")
    large, large_response = count_queries(admin_client, "/api/v1/cadets/?page_size=100")
    # then
    assert len(small_response.json()["results"]) == 1
    assert len(large_response.json()["results"]) == 5
    assert small == large
    assert large_response.json()["results"][0]["username"]
