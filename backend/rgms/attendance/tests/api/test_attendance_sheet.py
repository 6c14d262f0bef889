"""GET /api/v1/training-days/<id>/attendance-sheet/: the legacy sheet of one day."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from rgms.attendance.tests.factories import AttendanceRecordFactory, TrainingDayFactory
from rgms.cadets.models import Cadet
from rgms.cadets.tests.factories import CadetFactory
from rgms.cadets.tests.matrix import call, count_queries, matrix_cases
from rgms.users.models import Role, User

pytestmark = pytest.mark.django_db


def sheet(day_id: int) -> str:
    return f"/api/v1/training-days/{day_id}/attendance-sheet/"


def enrolled(make_user: Callable[..., User], **fields: object) -> Cadet:
    """A cadet that belongs on a sheet: approved active account, complete profile."""
    cadet = CadetFactory(**fields)
    make_user(Role.CADET, cadet=cadet)
    return cadet


MATRIX = [("get", "sheet", (401, 403, 403, 200, 200))]


@pytest.mark.parametrize(("method", "target", "role", "expected"), matrix_cases(MATRIX))
def test_authorization_matrix(
    role_clients: dict[str, APIClient], cadet: Cadet, method: str, target: str, role: str, expected
) -> None:
    day = TrainingDayFactory()
    assert call(role_clients[role], method, sheet(day.pk)).status_code == expected


def test_unknown_day_is_404(staff_client: APIClient) -> None:
    assert staff_client.get(sheet(999_999)).status_code == 404
    assert staff_client.get("/api/v1/training-days/x/attendance-sheet/").status_code == 404


def test_lists_only_approved_active_completed_cadets_with_null_for_unmarked(
    staff_client: APIClient, make_user
) -> None:
    # given cadets that belong on the sheet, one of them marked that day and another day
    day, other_day = TrainingDayFactory.create_batch(2)
    marked = enrolled(make_user, last_name="Alpha")
    unmarked = enrolled(make_user, last_name="Bravo")
    record = AttendanceRecordFactory(cadet=marked, training_day=day, status="late")
    AttendanceRecordFactory(cadet=unmarked, training_day=other_day, status="present")
    # and cadets that do not
    make_user(Role.CADET, cadet=CadetFactory(last_name="Pending"), is_approved=False)
    make_user(Role.CADET, cadet=CadetFactory(last_name="Closed"), is_archived=True)
    CadetFactory(last_name="NoAccount")
    enrolled(make_user, last_name="Incomplete", is_profile_completed=False)
    enrolled(make_user, last_name="Archived", is_archived=True)
    # when
    body = staff_client.get(sheet(day.pk)).json()
    # then
    assert body["count"] == 2
    rows = body["results"]
    assert [row["last_name"] for row in rows] == ["Alpha", "Bravo"]
    assert rows[0]["cadet"] == marked.pk
    assert (rows[0]["record"], rows[0]["status"]) == (record.pk, "late")
    assert rows[1]["cadet"] == unmarked.pk
    assert (rows[1]["record"], rows[1]["status"], rows[1]["time_in"]) == (None, None, None)
    assert set(rows[0]) == {
        "cadet", "student_id", "rank", "first_name", "middle_name", "last_name",
        "suffix_name", "company", "platoon", "course", "year_level", "record", "status",
        "remarks", "time_in", "time_out",
    }  # fmt: skip


def test_filters(staff_client: APIClient, make_user) -> None:
    day = TrainingDayFactory()
    alpha = enrolled(make_user, last_name="A", company="Alpha", platoon="1")
    enrolled(make_user, last_name="B", company="Bravo", platoon="2")
    AttendanceRecordFactory(cadet=alpha, training_day=day, status="present")

    def names(query: str) -> list[str]:
        response = staff_client.get(sheet(day.pk) + query)
        assert response.status_code == 200, response.content
        return [row["last_name"] for row in response.json()["results"]]

    assert names("?company=Alpha") == ["A"]
    assert names("?platoon=2") == ["B"]
    assert names("?status=unmarked") == ["B"]
    assert names("?status=present") == ["A"]
    assert names("?status=absent") == []
    bad = staff_client.get(sheet(day.pk) + "?status=asleep")
    assert bad.status_code == 400
    assert "status" in bad.json()["errors"]


def test_paginated_with_a_fixed_query_count(admin_client: APIClient, make_user) -> None:
    day = TrainingDayFactory()
    for n in range(5):
        cadet = enrolled(make_user, last_name=f"Cadet{n}")
        if n % 2:
            AttendanceRecordFactory(cadet=cadet, training_day=day)
    small, small_response = count_queries(admin_client, sheet(day.pk) + "?page_size=1")
    large, large_response = count_queries(admin_client, sheet(day.pk) + "?page_size=100")
    assert small_response.json()["count"] == 5
    assert len(small_response.json()["results"]) == 1
    assert len(large_response.json()["results"]) == 5
    assert small == large
