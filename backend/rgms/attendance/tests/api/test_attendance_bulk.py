"""POST /api/v1/attendance/bulk/: many cadets for one day, all or nothing, one recount per
cadet, notifications once it commits; a bad item is 400 naming its index and field."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from rgms.api.testing import warm_shared_lookups
from rgms.attendance.models import AttendanceRecord
from rgms.attendance.tests.factories import AttendanceRecordFactory, TrainingDayFactory
from rgms.cadets.models import Cadet
from rgms.cadets.tests.factories import CadetFactory
from rgms.cadets.tests.matrix import call, matrix_cases
from rgms.grading.models import Grade
from rgms.notifications.models import Notification
from rgms.users.models import Role, User

pytestmark = pytest.mark.django_db

BULK = "/api/v1/attendance/bulk/"


def cadets_with_accounts(make_user: Callable[..., User], count: int) -> list[Cadet]:
    cadets = CadetFactory.create_batch(count)
    for cadet in cadets:
        make_user(Role.CADET, cadet=cadet)
    return cadets


MATRIX = [("post", "bulk", (401, 403, 403, 200, 200))]


@pytest.mark.parametrize(("method", "target", "role", "expected"), matrix_cases(MATRIX))
def test_authorization_matrix(
    role_clients: dict[str, APIClient], cadet: Cadet, method: str, target: str, role: str, expected
) -> None:
    day = TrainingDayFactory()
    body = {"training_day": day.pk, "records": [{"cadet": cadet.pk, "status": "present"}]}
    response = call(role_clients[role], method, BULK, body)
    assert response.status_code == expected, response.content


def test_marks_creates_and_replaces_recounts_and_notifies_on_commit(
    staff_client: APIClient, make_user, django_capture_on_commit_callbacks
) -> None:
    # given three cadets, one already marked absent that day and present on another day
    first, second, third = cadets_with_accounts(make_user, 3)
    day, other_day = TrainingDayFactory.create_batch(2)
    AttendanceRecordFactory(cadet=first, training_day=day, status="absent")
    AttendanceRecordFactory(cadet=first, training_day=other_day, status="present")
    body = {
        "training_day": day.pk,
        "records": [
            {"cadet": first.pk, "status": "late", "time_in": "7:15 AM"},
            {"cadet": second.pk, "status": "absent"},
            {"cadet": third.pk, "status": "excused", "remarks": "<b>Sick</b>"},
        ],
    }
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff_client.post(BULK, body, format="json")
    # then one row per cadet, the existing one replaced
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["training_day"], result["created"], result["updated"]) == (day.pk, 2, 1)
    assert [row["cadet"] for row in result["results"]] == [first.pk, second.pk, third.pk]
    assert all(row["id"] for row in result["results"])
    assert AttendanceRecord.objects.filter(training_day=day).count() == 3
    assert AttendanceRecord.objects.get(training_day=day, cadet=first).time_in == "7:15 AM"
    assert AttendanceRecord.objects.get(training_day=day, cadet=third).remarks == "Sick"
    # and every cadet's attended count follows the one rule
    counts = dict(Grade.objects.values_list("cadet_id", "attendance_present"))
    assert counts == {first.pk: 2, second.pk: 0, third.pk: 1}
    # and each cadet got a notification, pushed once the transaction commits
    assert Notification.objects.filter(type="attendance").count() == 3
    assert callbacks


def test_reads_after_a_bulk_mark_are_fresh(
    admin_client: APIClient, make_user, django_capture_on_commit_callbacks
) -> None:
    (cadet,) = cadets_with_accounts(make_user, 1)
    day = TrainingDayFactory()
    assert admin_client.get(f"/api/v1/cadets/{cadet.pk}/").json()["attendance_present"] is None
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            BULK,
            {"training_day": day.pk, "records": [{"cadet": cadet.pk, "status": "present"}]},
            format="json",
        )
    assert admin_client.get(f"/api/v1/cadets/{cadet.pk}/").json()["attendance_present"] == 1


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"status": "sleeping"}, "status"),
        ({"status": "Present"}, "status"),
        ({"cadet": 999_999_999}, "cadet"),
        ({"cadet": "x"}, "cadet"),
        ({"cadet": None}, "cadet"),
        ({"time_in": "x" * 21}, "time_in"),
        ({"remarks": 5}, "remarks"),
    ],
)
def test_a_bad_item_is_400_naming_its_index_and_field_and_nothing_is_written(
    admin_client: APIClient, make_user, item: dict, field: str
) -> None:
    # given two good items around a bad one
    good, other = cadets_with_accounts(make_user, 2)
    bad_item = {"cadet": other.pk, "status": "present", **item}
    day = TrainingDayFactory()
    body = {
        "training_day": day.pk,
        "records": [
            {"cadet": good.pk, "status": "present"},
            bad_item,
        ],
    }
    # when
    response = admin_client.post(BULK, body, format="json")
    # then the index and field are named, and nothing was written
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]["records"]
    assert field in errors["1"], errors
    assert "0" not in errors
    assert not AttendanceRecord.objects.exists()
    assert not Notification.objects.exists()


def test_archived_and_repeated_cadets_are_bad_items(admin_client: APIClient) -> None:
    active, archived = CadetFactory(), CadetFactory(is_archived=True)
    day = TrainingDayFactory()
    body = {
        "training_day": day.pk,
        "records": [
            {"cadet": active.pk, "status": "present"},
            {"cadet": archived.pk, "status": "present"},
            {"cadet": active.pk, "status": "late"},
        ],
    }
    response = admin_client.post(BULK, body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]["records"]
    assert set(errors) == {"1", "2"}
    assert "cadet" in errors["1"]
    assert "cadet" in errors["2"]
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"records": []}, "records"),
        ({"records": "x"}, "records"),
        ({}, "records"),
        ({"training_day": 999_999_999}, "training_day"),
    ],
)
def test_bad_bodies_are_400(admin_client: APIClient, body: dict, field: str) -> None:
    day = TrainingDayFactory()
    response = admin_client.post(BULK, {"training_day": day.pk, **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_query_count_is_the_same_for_1_and_40_cadets(admin_client: APIClient, make_user) -> None:
    # given cadets with accounts and a day
    cadets = cadets_with_accounts(make_user, 41)
    day = TrainingDayFactory()

    def mark(group: list[Cadet]) -> int:
        body = {
            "training_day": day.pk,
            "records": [{"cadet": c.pk, "status": "present"} for c in group],
        }
        warm_shared_lookups(admin_client)
        with CaptureQueriesContext(connection) as context:
            assert admin_client.post(BULK, body, format="json").status_code == 200
        return len(context.captured_queries)

    # when one cadet, then forty, are marked (none of them marked before)
    # then the same number of queries ran
    assert mark(cadets[:1]) == mark(cadets[1:])
