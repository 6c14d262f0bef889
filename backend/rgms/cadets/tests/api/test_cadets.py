"""/api/v1/cadets/: authorization per role, the graded roster, filters, validation, archive
and forced delete, and no stale read after a write."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from rgms.attendance.tests.factories import AttendanceRecordFactory, TrainingDayFactory
from rgms.audit.models import AuditLog
from rgms.cadets.api.serializers import CadetOutputSerializer
from rgms.cadets.models import Cadet
from rgms.cadets.tests.factories import CadetFactory
from rgms.cadets.tests.matrix import call, matrix_cases
from rgms.core import cache
from rgms.grading.models import Grade
from rgms.users.models import User

pytestmark = pytest.mark.django_db

LIST = "/api/v1/cadets/"

VALID_BODY = {"student_id": "2025-99999", "first_name": "Juan", "last_name": "Dela Cruz"}


def detail(pk: int) -> str:
    return f"/api/v1/cadets/{pk}/"


MATRIX = [
    ("get", "list", (401, 200, 200, 200, 200)),
    ("get", "own", (401, 200, 404, 200, 200)),
    ("post", "list", (401, 403, 403, 201, 201)),
    ("patch", "own", (401, 403, 403, 200, 200)),
    ("put", "own", (401, 403, 403, 200, 200)),
    ("delete", "own", (401, 403, 403, 403, 204)),
    ("delete", "own-force", (401, 403, 403, 403, 204)),
    ("post", "own-restore", (401, 403, 403, 403, 200)),
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
    # given the cadet's own profile and a client per role
    url = {
        "list": LIST,
        "own": detail(cadet.pk),
        "own-force": detail(cadet.pk) + "?force=true",
        "own-restore": detail(cadet.pk) + "restore/",
    }[target]
    body = {**VALID_BODY, "first_name": "Changed"} if method != "post" or target == "list" else {}
    if method == "put":
        body["student_id"] = cadet.student_id
    # when
    response = call(role_clients[role], method, url, body)
    # then
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) == {"code", "message", "errors"}


def test_invalid_token_is_401(cadet: Cadet) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert client.get(LIST).status_code == 401


def test_roster_rows_carry_the_computed_grade(admin_client: APIClient) -> None:
    # given the worked example: 14 of 15 days, merits 19, demerits 5, scores 86 + 80 + 64
    days = TrainingDayFactory.create_batch(15)
    cadet = CadetFactory()
    Grade.objects.create(
        cadet=cadet,
        attendance_present=14,
        merit_points=19,
        demerit_points=5,
        prelim_score=86,
        midterm_score=80,
        final_score=64,
    )
    for day in days[:14]:
        AttendanceRecordFactory(cadet=cadet, training_day=day)
    # when
    body = admin_client.get(LIST).json()
    # then the row holds numbers, not strings
    assert body["count"] == 1
    row = body["results"][0]
    assert row["total_training_days"] == 15
    assert row["attendance_score"] == pytest.approx(28.0)
    assert row["aptitude_score"] == pytest.approx(30.0)
    assert row["subject_score"] == pytest.approx(30.667, abs=1e-3)
    assert row["final_grade"] == pytest.approx(88.667, abs=1e-3)
    assert row["transmuted_grade"] == 2.0
    assert row["remarks"] == "Passed"
    assert isinstance(row["merit_points"], int)


def test_cadet_without_grade_row_counts_as_zero(admin_client: APIClient) -> None:
    CadetFactory()
    row = admin_client.get(LIST).json()["results"][0]
    assert row["attendance_score"] == 0
    assert row["aptitude_score"] == 30
    assert row["transmuted_grade"] == 5.0


def test_filters_search_and_ordering(admin_client: APIClient) -> None:
    # given
    CadetFactory(last_name="Bravo", first_name="A", company="Alpha", platoon="1")
    CadetFactory(last_name="Alpha", first_name="B", company="Bravo", platoon="2")
    CadetFactory(last_name="Charlie", first_name="C", company="Alpha", course="BSCS")
    CadetFactory(last_name="Archived", is_archived=True)
    # when / then
    names = lambda query: [r["last_name"] for r in admin_client.get(LIST + query).json()["results"]]  # noqa: E731
    assert names("") == ["Alpha", "Bravo", "Charlie"]
    assert names("?ordering=-last_name") == ["Charlie", "Bravo", "Alpha"]
    assert names("?company=Alpha") == ["Bravo", "Charlie"]
    assert names("?platoon=2") == ["Alpha"]
    assert names("?course=BSCS") == ["Charlie"]
    assert names("?search=char") == ["Charlie"]
    assert names("?is_archived=true") == ["Archived"]


def test_bad_query_parameter_is_400(admin_client: APIClient) -> None:
    response = admin_client.get(LIST + "?ordering=password")
    assert response.status_code == 400
    assert "ordering" in response.json()["errors"]
    assert "is_archived" in admin_client.get(LIST + "?is_archived=maybe").json()["errors"]


def test_page_size_is_capped(admin_client: APIClient) -> None:
    CadetFactory.create_batch(3)
    body = admin_client.get(LIST + "?page_size=2").json()
    assert (body["count"], len(body["results"])) == (3, 2)
    assert admin_client.get(LIST + "?page=9").status_code == 404


def test_cadet_lists_only_themselves(
    cadet_client: APIClient, cadet: Cadet, other_cadet: Cadet
) -> None:
    body = cadet_client.get(LIST).json()
    assert [row["id"] for row in body["results"]] == [cadet.pk]


def test_cadet_reads_own_profile_and_not_another(
    cadet_client: APIClient, cadet: Cadet, other_cadet: Cadet
) -> None:
    assert cadet_client.get(detail(cadet.pk)).json()["student_id"] == cadet.student_id
    assert cadet_client.get(detail(other_cadet.pk)).status_code == 404
    assert cadet_client.get(detail(999_999_999)).status_code == 404
    assert cadet_client.get("/api/v1/cadets/abc/").status_code == 404


def test_create_makes_the_grade_row_and_sanitises(staff_client: APIClient) -> None:
    # when
    response = staff_client.post(
        LIST,
        {**VALID_BODY, "address": "<script>alert(1)</script>Purok 1 & 2<b>!</b>"},
        format="json",
    )
    # then
    assert response.status_code == 201, response.content
    cadet = Cadet.objects.get(student_id=VALID_BODY["student_id"])
    assert cadet.address == "Purok 1 & 2!"
    assert Grade.objects.filter(cadet=cadet).exists()
    assert response.json()["final_grade"] == pytest.approx(30.0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_name": "A", "last_name": "B"}, "student_id"),
        ({**VALID_BODY, "first_name": ""}, "first_name"),
        ({**VALID_BODY, "first_name": "<b></b>"}, "first_name"),
        ({**VALID_BODY, "last_name": "x" * 101}, "last_name"),
        ({**VALID_BODY, "email": "not-an-email"}, "email"),
        ({**VALID_BODY, "status": "Graduated"}, "status"),
        ({**VALID_BODY, "birthdate": "2999-01-01"}, "birthdate"),
        ({**VALID_BODY, "birthdate": "01/02/2003"}, "birthdate"),
        (
            {**VALID_BODY, "is_archived": True, "is_profile_completed": "maybe"},
            "is_profile_completed",
        ),
        ({**VALID_BODY, "profile_pic": "javascript:alert(1)"}, "profile_pic"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(
    admin_client: APIClient, body: dict, field: str
) -> None:
    # when
    response = admin_client.post(LIST, body, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert field in response.json()["errors"]
    assert Cadet.objects.count() == 0
    assert AuditLog.objects.count() == 0


def test_duplicate_student_id_is_400_on_the_field(admin_client: APIClient) -> None:
    existing = CadetFactory()
    response = admin_client.post(
        LIST, {**VALID_BODY, "student_id": existing.student_id}, format="json"
    )
    assert response.status_code == 400
    assert "student_id" in response.json()["errors"]
    assert Cadet.objects.count() == 1


def test_update_rejects_bad_input_and_writes_nothing(admin_client: APIClient) -> None:
    cadet = CadetFactory(first_name="Same")
    response = admin_client.patch(
        detail(cadet.pk), {"first_name": 12.5, "email": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.json()["errors"]
    cadet.refresh_from_db()
    assert cadet.first_name == "Same"


def test_delete_archives_and_hides_from_the_roster(
    admin_client: APIClient, cadet: Cadet, cadet_user: User, django_capture_on_commit_callbacks
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.delete(detail(cadet.pk)).status_code == 204
    # then the row stays, archived, with its user, and the default roster hides it
    cadet.refresh_from_db()
    cadet_user.refresh_from_db()
    assert cadet.is_archived
    assert cadet_user.is_archived
    assert admin_client.get(LIST).json()["count"] == 0
    assert admin_client.get(LIST + "?is_archived=true").json()["count"] == 1
    # and restore brings both back
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(detail(cadet.pk) + "restore/").status_code == 200
    cadet_user.refresh_from_db()
    assert not cadet_user.is_archived
    assert admin_client.get(LIST).json()["count"] == 1


def test_forced_delete_removes_the_row(admin_client: APIClient, cadet: Cadet) -> None:
    assert admin_client.delete(detail(cadet.pk) + "?force=true").status_code == 204
    assert not Cadet.objects.filter(pk=cadet.pk).exists()
    assert AuditLog.objects.filter(table_name="cadets", operation="DELETE").exists()


def test_reads_right_after_writes_are_fresh(
    admin_client: APIClient, django_capture_on_commit_callbacks
) -> None:
    # given a cached roster and profile
    cadet = CadetFactory(first_name="Before")
    Grade.objects.create(cadet=cadet)
    assert admin_client.get(LIST).json()["results"][0]["first_name"] == "Before"
    assert admin_client.get(detail(cadet.pk)).json()["first_name"] == "Before"
    # when a cadet write commits
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.patch(detail(cadet.pk), {"first_name": "After"}, format="json")
    # then both reads show it at once
    assert admin_client.get(LIST).json()["results"][0]["first_name"] == "After"
    assert admin_client.get(detail(cadet.pk)).json()["first_name"] == "After"
    # when a training day is added, every attendance score changes
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/api/v1/training-days/", {"date": "2025-02-01", "title": "Day 1"}, format="json"
        )
    assert admin_client.get(LIST).json()["results"][0]["total_training_days"] == 1
    assert admin_client.get(detail(cadet.pk)).json()["total_training_days"] == 1
    assert admin_client.get("/api/v1/grades/").json()["results"][0]["total_training_days"] == 1
    # when merits are recorded and attendance is marked
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/api/v1/merit-demerit-logs/",
            {"cadet": cadet.pk, "type": "demerit", "points": 10},
            format="json",
        )
        day_id = admin_client.get("/api/v1/training-days/").json()["results"][0]["id"]
        admin_client.post(
            "/api/v1/attendance/",
            {"training_day": day_id, "cadet": cadet.pk, "status": "late"},
            format="json",
        )
    profile = admin_client.get(detail(cadet.pk)).json()
    assert profile["demerit_points"] == 10
    assert profile["attendance_present"] == 1
    assert admin_client.get(LIST).json()["results"][0]["aptitude_score"] == pytest.approx(27.0)
    # when a grade is updated
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.patch(
            f"/api/v1/grades/{profile['grade_id']}/", {"prelim_score": 99}, format="json"
        )
    assert admin_client.get(detail(cadet.pk)).json()["prelim_score"] == 99
    assert admin_client.get(LIST).json()["results"][0]["prelim_score"] == 99


def test_roster_body_is_what_drf_would_render_with_the_serializer_fields(
    admin_client: APIClient,
) -> None:
    # given a cadet with a grade, a user account and a training day
    TrainingDayFactory()
    cadet = CadetFactory(birthdate=datetime.date(2004, 2, 29), religion="Islam")
    Grade.objects.create(cadet=cadet, attendance_present=1, merit_points=3, prelim_score=77)
    User.objects.create_user(username=cadet.student_id, role="cadet", cadet=cadet)
    # when the roster and the profile are read (twice: built, then from the cache)
    for _ in range(2):
        roster = admin_client.get(LIST)
        profile = admin_client.get(detail(cadet.pk))
        # then the bodies are the output serializer's fields, rendered as DRF renders them
        assert roster["Content-Type"] == profile["Content-Type"] == "application/json"
        row = roster.json()["results"][0]
        assert set(row) == set(CadetOutputSerializer().fields)
        assert profile.json() == row
        assert dict(CadetOutputSerializer(row).data) == row
        assert profile.content == JSONRenderer().render(profile.json())
        assert roster.content == JSONRenderer().render(roster.json())
        assert row["username"] == cadet.student_id
        assert row["created_at"].endswith("Z")


def test_unknown_query_parameters_bypass_the_read_cache(admin_client: APIClient) -> None:
    CadetFactory()
    before = cache.stats()
    for n in range(3):
        body = admin_client.get(LIST + f"?utm={n}").json()
        assert body["count"] == 1
    assert cache.stats()["misses"] == before["misses"]
    assert cache.stats()["hits"] == before["hits"]
