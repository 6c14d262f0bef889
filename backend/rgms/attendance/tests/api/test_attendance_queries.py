"""Each attendance list runs the same number of queries for page sizes 1 and 100."""

import pytest
from rest_framework.test import APIClient

from rgms.attendance.tests.factories import (
    AttendanceRecordFactory,
    ExcuseLetterFactory,
    StaffAttendanceRecordFactory,
    TrainingDayFactory,
)
from rgms.cadets.tests.matrix import count_queries

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "factory"),
    [
        ("/api/v1/training-days/", TrainingDayFactory),
        ("/api/v1/attendance/", AttendanceRecordFactory),
        ("/api/v1/staff-attendance/", StaffAttendanceRecordFactory),
        ("/api/v1/excuse-letters/", ExcuseLetterFactory),
    ],
)
def test_query_count_is_independent_of_page_size(
    admin_client: APIClient, url: str, factory
) -> None:
    # given
    factory.create_batch(4)
    # when
    small, _ = count_queries(admin_client, f"{url}?page_size=1")
    large, response = count_queries(admin_client, f"{url}?page_size=100")
    # then
    assert len(response.json()["results"]) == 4
    assert small == large
