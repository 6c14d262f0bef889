"""Edits in the admin site keep the API's attendance rules: attended days recounted, cached
profiles and the roster dropped (a stale attendance score would otherwise be served)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from conftest import bearer_client
from rgms.attendance.models import AttendanceRecord, TrainingDay
from rgms.attendance.tests.factories import AttendanceRecordFactory
from rgms.cadets.tests.factories import CadetFactory
from rgms.grading.models import Grade
from rgms.users.models import Role, User

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN = "/admin/attendance"


@pytest.fixture
def site(make_user: Callable[..., User]) -> Client:
    client = Client()
    client.force_login(make_user(Role.ADMIN, is_superuser=True))  # as ensure_admin makes one
    return client


def attended(cadet_id: int) -> int:
    return Grade.objects.get(cadet_id=cadet_id).attendance_present


def record_form(record: AttendanceRecord, **changes: object) -> dict[str, object]:
    form = {
        "training_day": record.training_day_id,
        "cadet": record.cadet_id,
        "status": record.status,
        "remarks": "",
        "time_in": record.time_in or "",
        "time_out": "",
    }
    return {**form, **changes}


def test_a_status_changed_in_the_admin_recounts_the_cadet(site: Client) -> None:
    record = AttendanceRecordFactory(status="present")
    Grade.objects.create(cadet=record.cadet, attendance_present=1)

    response = site.post(
        f"{ADMIN}/attendancerecord/{record.pk}/change/", record_form(record, status="absent")
    )

    assert response.status_code == 302, response.content[:2000]
    assert attended(record.cadet_id) == 0


def test_a_record_moved_to_another_cadet_recounts_both(site: Client) -> None:
    record = AttendanceRecordFactory(status="present")
    other = CadetFactory()
    Grade.objects.create(cadet=record.cadet, attendance_present=1)
    Grade.objects.create(cadet=other, attendance_present=0)

    site.post(f"{ADMIN}/attendancerecord/{record.pk}/change/", record_form(record, cadet=other.pk))

    assert (attended(record.cadet_id), attended(other.pk)) == (0, 1)


def test_records_deleted_in_bulk_in_the_admin_recount_their_cadets(site: Client) -> None:
    records = AttendanceRecordFactory.create_batch(2, status="late")
    for record in records:
        Grade.objects.create(cadet=record.cadet, attendance_present=1)

    site.post(
        f"{ADMIN}/attendancerecord/",
        {
            "action": "delete_selected",
            "_selected_action": [r.pk for r in records],
            "post": "yes",
        },
    )

    assert not AttendanceRecord.objects.exists()
    assert [attended(r.cadet_id) for r in records] == [0, 0]


def test_a_training_day_added_or_deleted_in_the_admin_changes_cached_scores(
    site: Client, make_user: Callable[..., User]
) -> None:
    # given a cadet present on the one training day, whose profile is cached
    record = AttendanceRecordFactory(status="present")
    Grade.objects.create(cadet=record.cadet, attendance_present=1)
    cadet = bearer_client(make_user(Role.CADET, cadet=record.cadet))
    url = f"/api/v1/cadets/{record.cadet_id}/"

    def profile() -> tuple[int, float]:
        body = cadet.get(url).json()
        return body["total_training_days"], body["attendance_score"]

    assert profile() == (1, 30.0)
    # when a second day is added in the admin
    response = site.post(f"{ADMIN}/trainingday/add/", {"date": "2026-02-07", "title": "Drill"})
    assert response.status_code == 302, response.content[:2000]
    # then the cached profile is not served: one day of two attended
    assert profile() == (2, 15.0)
    # and when the attended day is deleted in the admin, the cadet is recounted
    site.post(f"{ADMIN}/trainingday/{record.training_day_id}/delete/", {"post": "yes"})
    assert TrainingDay.objects.count() == 1
    assert attended(record.cadet_id) == 0
    assert profile() == (1, 0.0)
