"""/api/v1/excuse-letters/: a cadet submits and manages only their own pending letters and
never their status; staff and admins approve or reject."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from rgms.attendance.models import AttendanceRecord, ExcuseLetter
from rgms.attendance.tests.factories import ExcuseLetterFactory, TrainingDayFactory
from rgms.cadets.models import Cadet
from rgms.cadets.tests.matrix import call, matrix_cases
from rgms.grading.models import Grade
from rgms.notifications.models import Notification
from rgms.users.models import User

pytestmark = pytest.mark.django_db

LIST = "/api/v1/excuse-letters/"

MATRIX = [
    ("get", "list", (401, 200, 200, 200, 200)),
    ("get", "own", (401, 200, 404, 200, 200)),
    ("post", "list", (401, 201, 201, 403, 403)),
    ("patch", "own", (401, 200, 404, 403, 403)),
    ("put", "own", (401, 405, 405, 405, 405)),
    ("delete", "own", (401, 204, 404, 403, 204)),
    ("post", "own-approve", (401, 403, 403, 200, 200)),
    ("post", "own-reject", (401, 403, 403, 200, 200)),
]


@pytest.mark.parametrize(("method", "target", "role", "expected"), matrix_cases(MATRIX))
def test_authorization_matrix(
    role_clients: dict[str, APIClient],
    cadet: Cadet,
    other_cadet: Cadet,
    method: str,
    target: str,
    role: str,
    expected: int,
) -> None:
    letter = ExcuseLetterFactory(cadet=cadet)
    url = {
        "list": LIST,
        "own": f"{LIST}{letter.pk}/",
        "own-approve": f"{LIST}{letter.pk}/approve/",
        "own-reject": f"{LIST}{letter.pk}/reject/",
    }[target]
    body = (
        {"date_absent": "2025-01-04", "reason": "Sick"} if target == "list" else {"reason": "Ill"}
    )
    assert call(role_clients[role], method, url, body).status_code == expected


def test_cadet_lists_only_their_own(
    cadet_client: APIClient, cadet: Cadet, other_cadet: Cadet
) -> None:
    mine = ExcuseLetterFactory(cadet=cadet)
    ExcuseLetterFactory(cadet=other_cadet)
    assert [row["id"] for row in cadet_client.get(LIST).json()["results"]] == [mine.pk]


def test_create_is_always_the_callers_own_and_pending(
    cadet_client: APIClient, cadet: Cadet, other_cadet: Cadet
) -> None:
    # when a cadet names another cadet and a status
    response = cadet_client.post(
        LIST,
        {
            "date_absent": "2025-01-04",
            "reason": "<script>x()</script>Hospital",
            "cadet": other_cadet.pk,
            "status": "approved",
        },
        format="json",
    )
    # then those fields are not theirs to set
    assert response.status_code == 201
    letter = ExcuseLetter.objects.get()
    assert (letter.cadet_id, letter.status, letter.reason) == (cadet.pk, "pending", "Hospital")


def test_cadet_cannot_change_the_status(cadet_client: APIClient, cadet: Cadet) -> None:
    letter = ExcuseLetterFactory(cadet=cadet)
    response = cadet_client.patch(f"{LIST}{letter.pk}/", {"status": "approved"}, format="json")
    assert response.status_code == 403
    letter.refresh_from_db()
    assert letter.status == "pending"


def test_cadet_cannot_edit_a_decided_letter(cadet_client: APIClient, cadet: Cadet) -> None:
    letter = ExcuseLetterFactory(cadet=cadet, status="rejected")
    response = cadet_client.patch(f"{LIST}{letter.pk}/", {"reason": "Again"}, format="json")
    assert response.status_code == 409
    assert cadet_client.delete(f"{LIST}{letter.pk}/").status_code == 409


def test_approval_marks_the_day_excused_and_notifies(
    staff_client: APIClient,
    cadet: Cadet,
    cadet_user: User,
    django_capture_on_commit_callbacks,
) -> None:
    # given a pending letter for a training day
    day = TrainingDayFactory()
    letter = ExcuseLetterFactory(cadet=cadet, training_day=day)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"{LIST}{letter.pk}/approve/")
    # then
    assert response.json()["status"] == "approved"
    assert AttendanceRecord.objects.get(cadet=cadet, training_day=day).status == "excused"
    assert Grade.objects.get(cadet=cadet).attendance_present == 1
    assert Notification.objects.filter(user=cadet_user, type="attendance").count() == 1


def test_rejection_leaves_attendance_alone(admin_client: APIClient, cadet: Cadet) -> None:
    letter = ExcuseLetterFactory(cadet=cadet)
    assert admin_client.post(f"{LIST}{letter.pk}/reject/").json()["status"] == "rejected"
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "Sick"}, "date_absent"),
        ({"date_absent": "yesterday", "reason": "Sick"}, "date_absent"),
        ({"date_absent": "1999-12-31", "reason": "Sick"}, "date_absent"),
        ({"date_absent": "2025-01-04"}, "reason"),
        ({"date_absent": "2025-01-04", "reason": "<p></p>"}, "reason"),
        ({"date_absent": "2025-01-04", "reason": "r" * 2001}, "reason"),
        (
            {"date_absent": "2025-01-04", "reason": "Sick", "training_day": 999_999_999},
            "training_day",
        ),
        ({"date_absent": "2025-01-04", "reason": "Sick", "file_url": "ftp:/x"}, "file_url"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(
    cadet_client: APIClient, cadet: Cadet, body: dict, field: str
) -> None:
    response = cadet_client.post(LIST, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ExcuseLetter.objects.exists()


def test_update_rejects_bad_input_and_writes_nothing(cadet_client: APIClient, cadet: Cadet) -> None:
    letter = ExcuseLetterFactory(cadet=cadet, reason="Fever")
    response = cadet_client.patch(
        f"{LIST}{letter.pk}/", {"reason": "", "date_absent": "x"}, format="json"
    )
    assert response.status_code == 400
    assert {"reason", "date_absent"} <= set(response.json()["errors"])
    letter.refresh_from_db()
    assert letter.reason == "Fever"


def test_cadet_user_without_profile_cannot_submit(cadet_client: APIClient) -> None:
    # given a cadet account not linked to a cadet profile
    response = cadet_client.post(
        LIST, {"date_absent": "2025-01-04", "reason": "Sick"}, format="json"
    )
    # then
    assert response.status_code == 403
    assert not ExcuseLetter.objects.exists()
