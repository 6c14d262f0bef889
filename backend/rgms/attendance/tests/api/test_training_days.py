"""/api/v1/training-days/: every role reads, staff and admins write; deleting a day
recounts the grades of the cadets who had records on it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from rgms.attendance.models import TrainingDay
from rgms.attendance.tests.factories import AttendanceRecordFactory, TrainingDayFactory
from rgms.cadets.models import Cadet
from rgms.cadets.tests.matrix import call, matrix_cases
from rgms.grading.models import Grade

pytestmark = pytest.mark.django_db

LIST = "/api/v1/training-days/"
BODY = {"date": "2025-03-01", "title": "Field training", "description": "Bring canteens"}

MATRIX = [
    ("get", "list", (401, 200, 200, 200, 200)),
    ("get", "one", (401, 200, 200, 200, 200)),
    ("post", "list", (401, 403, 403, 201, 201)),
    ("patch", "one", (401, 403, 403, 200, 200)),
    ("put", "one", (401, 403, 403, 200, 200)),
    ("delete", "one", (401, 403, 403, 204, 204)),
]


@pytest.mark.parametrize(("method", "target", "role", "expected"), matrix_cases(MATRIX))
def test_authorization_matrix(
    role_clients: dict[str, APIClient], method: str, target: str, role: str, expected: int
) -> None:
    day = TrainingDayFactory()
    url = LIST if target == "list" else f"{LIST}{day.pk}/"
    assert call(role_clients[role], method, url, BODY).status_code == expected


def test_list_newest_first_with_date_filters(cadet_client: APIClient) -> None:
    TrainingDayFactory(date="2025-01-04", title="First")
    TrainingDayFactory(date="2025-01-11", title="Second")
    titles = [d["title"] for d in cadet_client.get(LIST).json()["results"]]
    assert titles == ["Second", "First"]
    assert cadet_client.get(LIST + "?date_from=2025-01-05").json()["count"] == 1
    response = cadet_client.get(LIST + "?date_from=2025-02-01&date_to=2025-01-01")
    assert response.status_code == 400
    assert "date_to" in response.json()["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "No date"}, "date"),
        ({**BODY, "date": "2025-02-30"}, "date"),
        ({**BODY, "date": "1990-01-01"}, "date"),
        ({**BODY, "title": ""}, "title"),
        ({**BODY, "title": "t" * 201}, "title"),
        ({**BODY, "description": "d" * 2001}, "description"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(
    staff_client: APIClient, body: dict, field: str
) -> None:
    response = staff_client.post(LIST, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not TrainingDay.objects.exists()


def test_description_is_sanitised(staff_client: APIClient) -> None:
    response = staff_client.post(
        LIST, {**BODY, "description": '<a href="javascript:x()">Bring</a> water'}, format="json"
    )
    assert response.json()["description"] == "Bring water"


def test_delete_recounts_attendance(admin_client: APIClient, cadet: Cadet) -> None:
    # given two attended days
    first, second = TrainingDayFactory.create_batch(2)
    AttendanceRecordFactory(cadet=cadet, training_day=first)
    AttendanceRecordFactory(cadet=cadet, training_day=second, status="excused")
    Grade.objects.filter(cadet=cadet).update(attendance_present=2)
    # when one day is deleted
    assert admin_client.delete(f"{LIST}{first.pk}/").status_code == 204
    # then
    assert Grade.objects.get(cadet=cadet).attendance_present == 1
