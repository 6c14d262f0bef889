"""/api/v1/grades/: roles, the computed grade, validated updates, ledger rows with audit
records for merit/demerit changes, and a notification to the cadet."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from rgms.audit.models import AuditLog
from rgms.cadets.models import Cadet
from rgms.cadets.tests.matrix import call, matrix_cases
from rgms.grading.models import Grade, MeritDemeritLog
from rgms.notifications.models import Notification
from rgms.users.models import User

pytestmark = pytest.mark.django_db

LIST = "/api/v1/grades/"
FULL_BODY = {
    "prelim_score": 86,
    "midterm_score": 80,
    "final_score": 64,
    "merit_points": 19,
    "demerit_points": 5,
    "status": "active",
}


def detail(pk: int) -> str:
    return f"/api/v1/grades/{pk}/"


MATRIX = [
    ("get", "list", (401, 200, 200, 200, 200)),
    ("get", "own", (401, 200, 404, 200, 200)),
    ("patch", "own", (401, 403, 403, 200, 200)),
    ("put", "own", (401, 403, 403, 200, 200)),
    ("post", "list", (401, 405, 405, 405, 405)),
    ("delete", "own", (401, 405, 405, 405, 405)),
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
    url = LIST if target == "list" else detail(cadet.grade.pk)
    response = call(role_clients[role], method, url, FULL_BODY)
    assert response.status_code == expected, response.content


def test_cadet_lists_only_their_own_grade(
    cadet_client: APIClient, cadet: Cadet, other_cadet: Cadet
) -> None:
    results = cadet_client.get(LIST).json()["results"]
    assert [row["cadet_id"] for row in results] == [cadet.pk]


def test_update_records_ledger_rows_audit_and_notifies(
    staff_client: APIClient,
    staff_user: User,
    cadet: Cadet,
    cadet_user: User,
    django_capture_on_commit_callbacks,
) -> None:
    # given a grade with 3 merits and 2 demerits
    Grade.objects.filter(cadet=cadet).update(merit_points=3, demerit_points=2)
    grade = cadet.grade
    # when the totals change to 19 and 5
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff_client.put(detail(grade.pk), FULL_BODY, format="json")
    # then the differences are ledger rows, each with an audit record
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["final_grade"] == pytest.approx(60.667, abs=1e-3)  # no training days yet
    logs = {log.type: log for log in MeritDemeritLog.objects.filter(cadet=cadet)}
    assert (logs["merit"].points, logs["demerit"].points) == (16, 3)
    assert logs["merit"].issued_by_user == staff_user
    audited = set(
        AuditLog.objects.filter(table_name="merit_demerit_logs").values_list("record_id", flat=True)
    )
    assert audited == {logs["merit"].pk, logs["demerit"].pk}
    grade.refresh_from_db()
    assert grade.lifetime_merit_points == 16
    # and the cadet is notified once the write commits
    assert Notification.objects.filter(user=cadet_user, type="grade").count() == 1
    assert callbacks


def test_lowering_merits_never_lowers_lifetime_merits(
    admin_client: APIClient, cadet: Cadet
) -> None:
    Grade.objects.filter(cadet=cadet).update(merit_points=10, lifetime_merit_points=10)
    response = admin_client.patch(detail(cadet.grade.pk), {"merit_points": 4}, format="json")
    assert response.status_code == 200
    assert response.json()["merit_points"] == 4
    assert response.json()["lifetime_merit_points"] == 10
    assert MeritDemeritLog.objects.get(cadet=cadet).points == -6


def test_status_is_case_insensitive_and_suspends_the_grade(
    admin_client: APIClient, cadet: Cadet
) -> None:
    response = admin_client.patch(detail(cadet.grade.pk), {"status": "inc"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "INC"
    assert response.json()["transmuted_grade"] is None
    assert response.json()["remarks"] == "Incomplete"


@pytest.mark.parametrize("body", [FULL_BODY, {**FULL_BODY, "status": "PASSED"}, {}])
def test_unchanged_and_changed_updates_answer_what_a_read_then_returns(
    admin_client: APIClient, cadet: Cadet, body: dict
) -> None:
    # given a cadet with an attended training day and some merits (every computed field set)
    from rgms.attendance.tests.factories import AttendanceRecordFactory, TrainingDayFactory

    AttendanceRecordFactory(cadet=cadet, training_day=TrainingDayFactory(), status="present")
    TrainingDayFactory()
    Grade.objects.filter(cadet=cadet).update(attendance_present=1, merit_points=7)
    # when the grade is updated (or the update is refused)
    response = admin_client.patch(detail(cadet.grade.pk), body, format="json")
    # then a successful update's body is exactly what reading the grade now returns
    if response.status_code == 200:
        assert response.json() == admin_client.get(detail(cadet.grade.pk)).json()
    else:
        assert response.status_code == 400


@pytest.mark.parametrize("body", [FULL_BODY, {"prelim_score": 101}])
def test_updating_a_grade_that_does_not_exist_is_404_whatever_the_body(
    admin_client: APIClient, body: dict
) -> None:
    assert admin_client.patch(detail(987654), body, format="json").status_code == 404


def test_unchanged_update_writes_nothing(admin_client: APIClient, cadet: Cadet) -> None:
    response = admin_client.patch(detail(cadet.grade.pk), {"merit_points": 0}, format="json")
    assert response.status_code == 200
    assert not MeritDemeritLog.objects.exists()
    assert not AuditLog.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**FULL_BODY, "prelim_score": 101}, "prelim_score"),
        ({**FULL_BODY, "midterm_score": -1}, "midterm_score"),
        ({**FULL_BODY, "final_score": "A+"}, "final_score"),
        ({**FULL_BODY, "final_score": 50.5}, "final_score"),
        ({**FULL_BODY, "merit_points": -3}, "merit_points"),
        ({**FULL_BODY, "demerit_points": None}, "demerit_points"),
        ({**FULL_BODY, "status": "PASSED"}, "status"),
        ({k: v for k, v in FULL_BODY.items() if k != "prelim_score"}, "prelim_score"),
    ],
)
def test_update_rejects_bad_input_and_writes_nothing(
    admin_client: APIClient, cadet: Cadet, body: dict, field: str
) -> None:
    # when a full update carries one bad field
    response = admin_client.put(detail(cadet.grade.pk), body, format="json")
    # then
    assert response.status_code == 400
    assert field in response.json()["errors"]
    grade = Grade.objects.get(cadet=cadet)
    assert (grade.prelim_score, grade.merit_points, grade.status) == (0, 0, "active")
    assert not MeritDemeritLog.objects.exists()
    assert not Notification.objects.exists()


def test_filters(admin_client: APIClient, cadet: Cadet, other_cadet: Cadet) -> None:
    Grade.objects.filter(cadet=other_cadet).update(status="DO")
    assert admin_client.get(LIST + "?status=do").json()["count"] == 1
    assert (
        admin_client.get(LIST + f"?cadet={cadet.pk}").json()["results"][0]["cadet_id"] == cadet.pk
    )
    assert admin_client.get(LIST + "?cadet=zero").status_code == 400
