"""/api/v1/staff-attendance/: admin and staff only; upsert on (training_day, staff)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from rgms.attendance.models import StaffAttendanceRecord
from rgms.attendance.tests.factories import StaffAttendanceRecordFactory, TrainingDayFactory
from rgms.cadets.tests.matrix import call, matrix_cases
from rgms.staff.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/staff-attendance/"

MATRIX = [
    ("get", "list", (401, 403, 403, 200, 200)),
    ("get", "one", (401, 403, 403, 200, 200)),
    ("post", "list", (401, 403, 403, 200, 200)),
    ("patch", "one", (401, 403, 403, 200, 200)),
    ("delete", "one", (401, 403, 403, 204, 204)),
]


@pytest.mark.parametrize(("method", "target", "role", "expected"), matrix_cases(MATRIX))
def test_authorization_matrix(
    role_clients: dict[str, APIClient], method: str, target: str, role: str, expected: int
) -> None:
    record = StaffAttendanceRecordFactory()
    url = LIST if target == "list" else f"{LIST}{record.pk}/"
    body = {"training_day": record.training_day_id, "staff": record.staff_id, "status": "late"}
    assert call(role_clients[role], method, url, body).status_code == expected


def test_mark_is_an_upsert(admin_client: APIClient) -> None:
    staff, day = StaffFactory(), TrainingDayFactory()
    body = {"training_day": day.pk, "staff": staff.pk, "status": "present"}
    assert admin_client.post(LIST, body, format="json").status_code == 201
    assert admin_client.post(LIST, {**body, "status": "late"}, format="json").status_code == 200
    assert StaffAttendanceRecord.objects.get().status == "late"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"staff": 999_999_999}, "staff"),
        ({"status": "gone"}, "status"),
        ({"training_day": None}, "training_day"),
        ({"remarks": "r" * 501}, "remarks"),
    ],
)
def test_mark_rejects_bad_input_and_writes_nothing(
    staff_client: APIClient, body: dict, field: str
) -> None:
    staff, day = StaffFactory(), TrainingDayFactory()
    payload = {"training_day": day.pk, "staff": staff.pk, "status": "present", **body}
    response = staff_client.post(LIST, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not StaffAttendanceRecord.objects.exists()


def test_update_rejects_bad_input(staff_client: APIClient) -> None:
    record = StaffAttendanceRecordFactory()
    response = staff_client.patch(f"{LIST}{record.pk}/", {"status": 3}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()["errors"]
