"""/api/v1/attendance/: staff and admins mark (upsert on day and cadet), the grade's
attended count follows the one rule, the cadet is notified, a cadet reads only their own."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from rgms.attendance.models import AttendanceRecord
from rgms.attendance.tests.factories import AttendanceRecordFactory, TrainingDayFactory
from rgms.cadets.models import Cadet
from rgms.cadets.tests.factories import CadetFactory
from rgms.cadets.tests.matrix import call, matrix_cases
from rgms.grading.models import Grade
from rgms.notifications.models import Notification
from rgms.users.models import User

pytestmark = pytest.mark.django_db

LIST = "/api/v1/attendance/"

MATRIX = [
    ("get", "list", (401, 200, 200, 200, 200)),
    ("get", "own", (401, 200, 404, 200, 200)),
    ("post", "list", (401, 403, 403, 200, 200)),
    ("patch", "own", (401, 403, 403, 200, 200)),
    ("put", "own", (401, 403, 403, 405, 405)),
    ("delete", "own", (401, 403, 403, 204, 204)),
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
    record = AttendanceRecordFactory(cadet=cadet)
    url = LIST if target == "list" else f"{LIST}{record.pk}/"
    body = {"training_day": record.training_day_id, "cadet": cadet.pk, "status": "late"}
    assert call(role_clients[role], method, url, body).status_code == expected


def test_cadet_reads_only_their_own_records(
    cadet_client: APIClient, cadet: Cadet, other_cadet: Cadet
) -> None:
    day = TrainingDayFactory()
    mine = AttendanceRecordFactory(cadet=cadet, training_day=day)
    AttendanceRecordFactory(cadet=other_cadet, training_day=day)
    body = cadet_client.get(LIST).json()
    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert cadet_client.get(f"{LIST}?cadet={other_cadet.pk}").json()["results"] == []


@pytest.mark.parametrize(
    ("statuses", "attended"),
    [
        (["present", "late", "excused", "absent"], 3),
        (["absent", "absent"], 0),
        (["late"], 1),
    ],
)
def test_marking_recounts_with_the_one_attended_rule(
    staff_client: APIClient, cadet: Cadet, statuses: list[str], attended: int
) -> None:
    # when each day is marked
    for status in statuses:
        day = TrainingDayFactory()
        response = staff_client.post(
            LIST, {"training_day": day.pk, "cadet": cadet.pk, "status": status}, format="json"
        )
        assert response.status_code == 201, response.content
    # then present, late and excused count as attended
    assert Grade.objects.get(cadet=cadet).attendance_present == attended


def test_marking_twice_is_an_upsert_and_notifies_each_time(
    staff_client: APIClient,
    cadet: Cadet,
    cadet_user: User,
    django_capture_on_commit_callbacks,
) -> None:
    # given
    day = TrainingDayFactory(title="Drill")
    body = {"training_day": day.pk, "cadet": cadet.pk, "status": "present", "time_in": "7:05 AM"}
    # when
    with django_capture_on_commit_callbacks(execute=True):
        first = staff_client.post(LIST, body, format="json")
        second = staff_client.post(LIST, {**body, "status": "absent"}, format="json")
    # then
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert AttendanceRecord.objects.get().status == "absent"
    assert Grade.objects.get(cadet=cadet).attendance_present == 0
    messages = list(Notification.objects.filter(user=cadet_user).values_list("message", flat=True))
    assert len(messages) == 2
    assert all(m.startswith("Your attendance for Drill") for m in messages)


def test_a_mark_answers_the_record_as_a_read_then_returns_it(
    staff_client: APIClient, cadet: Cadet
) -> None:
    day = TrainingDayFactory()
    body = {"training_day": day.pk, "cadet": cadet.pk, "status": "late", "time_in": "7:31 AM"}
    for status_code in (201, 200):  # created, then replaced with other remarks
        response = staff_client.post(LIST, {**body, "remarks": f"r{status_code}"}, format="json")
        assert response.status_code == status_code
        stored = staff_client.get(f"{LIST}{response.json()['id']}/").json()
        assert response.json() == stored
        assert stored["remarks"] == f"r{status_code}"


def test_a_missing_day_and_a_missing_cadet_are_both_named(staff_client: APIClient) -> None:
    body = {"training_day": 999_999_999, "cadet": 999_999_998, "status": "present"}
    response = staff_client.post(LIST, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "training_day": ['Invalid pk "999999999" - object does not exist.'],
        "cadet": ['Invalid pk "999999998" - object does not exist.'],
    }


def test_update_and_delete_recount(admin_client: APIClient, cadet: Cadet) -> None:
    record = AttendanceRecordFactory(cadet=cadet, status="absent")
    admin_client.patch(f"{LIST}{record.pk}/", {"status": "excused"}, format="json")
    assert Grade.objects.get(cadet=cadet).attendance_present == 1
    admin_client.delete(f"{LIST}{record.pk}/")
    assert Grade.objects.get(cadet=cadet).attendance_present == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "present"}, "training_day"),
        ({"training_day": 999_999_999}, "training_day"),
        ({"cadet": 999_999_999}, "cadet"),
        ({"cadet": "x"}, "cadet"),
        ({"status": "Present"}, "status"),
        ({"status": "sleeping"}, "status"),
        ({"remarks": "r" * 501}, "remarks"),
        ({"time_in": "t" * 21}, "time_in"),
    ],
)
def test_mark_rejects_bad_input_and_writes_nothing(
    staff_client: APIClient, cadet: Cadet, body: dict, field: str
) -> None:
    day = TrainingDayFactory()
    payload = {"training_day": day.pk, "cadet": cadet.pk, "status": "present", **body}
    if field == "training_day" and "training_day" not in body:
        del payload["training_day"]
    response = staff_client.post(LIST, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not AttendanceRecord.objects.exists()
    assert not Notification.objects.exists()


def test_update_rejects_bad_status(staff_client: APIClient, cadet: Cadet) -> None:
    record = AttendanceRecordFactory(cadet=cadet)
    response = staff_client.patch(f"{LIST}{record.pk}/", {"status": "gone"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()["errors"]
    record.refresh_from_db()
    assert record.status == "present"


def test_archived_cadet_cannot_be_marked(staff_client: APIClient) -> None:
    cadet = CadetFactory(is_archived=True)
    day = TrainingDayFactory()
    response = staff_client.post(
        LIST, {"training_day": day.pk, "cadet": cadet.pk, "status": "present"}, format="json"
    )
    assert response.status_code == 400
    assert "cadet" in response.json()["errors"]


def test_cursor_pagination_and_filters(admin_client: APIClient, cadet: Cadet) -> None:
    days = TrainingDayFactory.create_batch(3)
    for day in days:
        AttendanceRecordFactory(cadet=cadet, training_day=day)
    first = admin_client.get(LIST + "?page_size=2").json()
    assert set(first) == {"next", "previous", "results"}
    assert len(first["results"]) == 2
    second = admin_client.get(first["next"]).json()
    assert len(second["results"]) == 1
    assert (
        admin_client.get(f"{LIST}?training_day={days[0].pk}").json()["results"][0]["training_day"]
        == days[0].pk
    )
    assert admin_client.get(LIST + "?status=nope").status_code == 400
