"""/api/v1/merit-demerit-logs/: staff and admins record; one transaction updates the grade
row and lifetime merits, writes an audit record and notifies the cadet on commit."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from rgms.audit.models import AuditLog, SyncEvent
from rgms.cadets.models import Cadet
from rgms.cadets.tests.factories import CadetFactory
from rgms.cadets.tests.matrix import call, matrix_cases
from rgms.grading.models import Grade, MeritDemeritLog
from rgms.grading.tests.factories import MeritDemeritLogFactory
from rgms.notifications.models import Notification
from rgms.users.models import User

pytestmark = pytest.mark.django_db

LIST = "/api/v1/merit-demerit-logs/"

MATRIX = [
    ("get", "list", (401, 200, 200, 200, 200)),
    ("get", "own", (401, 200, 404, 200, 200)),
    ("post", "list", (401, 403, 403, 201, 201)),
    ("patch", "own", (401, 405, 405, 405, 405)),
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
    log = MeritDemeritLogFactory(cadet=cadet)
    url = LIST if target == "list" else f"{LIST}{log.pk}/"
    body = {"cadet": cadet.pk, "type": "merit", "points": 1}
    assert call(role_clients[role], method, url, body).status_code == expected


def test_cadet_sees_only_their_own_entries(
    cadet_client: APIClient, cadet: Cadet, other_cadet: Cadet
) -> None:
    MeritDemeritLogFactory(cadet=cadet)
    MeritDemeritLogFactory(cadet=other_cadet)
    results = cadet_client.get(LIST).json()["results"]
    assert [row["cadet"] for row in results] == [cadet.pk]


def test_merit_updates_grade_lifetime_audit_and_notifies(
    staff_client: APIClient,
    staff_user: User,
    cadet: Cadet,
    cadet_user: User,
    django_capture_on_commit_callbacks,
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff_client.post(
            LIST,
            {"cadet": cadet.pk, "type": "merit", "points": 5, "reason": "<b>Neat</b> & tidy"},
            format="json",
        )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["points"], body["reason"], body["issued_by_user"]) == (
        5,
        "Neat & tidy",
        staff_user.pk,
    )
    grade = Grade.objects.get(cadet=cadet)
    assert (grade.merit_points, grade.lifetime_merit_points) == (5, 5)
    audit = AuditLog.objects.get(table_name="merit_demerit_logs")
    assert audit.record_id == body["id"]
    assert audit.payload["points"] == 5
    assert Notification.objects.get(user=cadet_user).type == "grade"
    assert len(callbacks) >= 1


def test_demerit_updates_only_demerits(admin_client: APIClient, cadet: Cadet) -> None:
    admin_client.post(LIST, {"cadet": cadet.pk, "type": "demerit", "points": 7}, format="json")
    grade = Grade.objects.get(cadet=cadet)
    assert (grade.merit_points, grade.demerit_points, grade.lifetime_merit_points) == (0, 7, 0)


def test_creates_a_missing_grade_row(admin_client: APIClient) -> None:
    cadet = CadetFactory()
    response = admin_client.post(
        LIST, {"cadet": cadet.pk, "type": "merit", "points": 2}, format="json"
    )
    assert response.status_code == 201
    assert Grade.objects.get(cadet=cadet).merit_points == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cadet": None, "type": "merit", "points": 1}, "cadet"),
        ({"cadet": 999_999_999, "type": "merit", "points": 1}, "cadet"),
        ({"cadet": "me", "type": "merit", "points": 1}, "cadet"),
        ({"type": "bonus", "points": 1}, "type"),
        ({"type": "merit", "points": 0}, "points"),
        ({"type": "merit", "points": 5000}, "points"),
        ({"type": "merit", "points": "many"}, "points"),
        ({"type": "merit", "points": 1, "reason": "r" * 501}, "reason"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(
    admin_client: APIClient, cadet: Cadet, body: dict, field: str
) -> None:
    body = {"cadet": cadet.pk, **body}
    response = admin_client.post(LIST, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not MeritDemeritLog.objects.exists()
    assert not AuditLog.objects.exists()
    assert Grade.objects.get(cadet=cadet).merit_points == 0


def test_archived_cadet_is_rejected(admin_client: APIClient) -> None:
    cadet = CadetFactory(is_archived=True)
    response = admin_client.post(
        LIST, {"cadet": cadet.pk, "type": "merit", "points": 1}, format="json"
    )
    assert response.status_code == 400
    assert "cadet" in response.json()["errors"]


def test_filters(admin_client: APIClient, cadet: Cadet) -> None:
    MeritDemeritLogFactory(cadet=cadet, type="merit")
    MeritDemeritLogFactory(cadet=cadet, type="demerit")
    assert admin_client.get(LIST + "?type=demerit").json()["count"] == 1
    assert admin_client.get(LIST + "?type=other").status_code == 400


def test_each_ledger_row_writes_a_sync_event_like_the_legacy_trigger(
    staff_client: APIClient, admin_client: APIClient, cadet: Cadet
) -> None:
    # when merits are recorded, and a grade update lowers the demerit total
    response = staff_client.post(
        LIST, {"cadet": cadet.pk, "type": "merit", "points": 3, "reason": 'Said "sir"'}
    )
    Grade.objects.filter(cadet=cadet).update(demerit_points=5)
    grade_id = Grade.objects.get(cadet=cadet).pk
    admin_client.patch(f"/api/v1/grades/{grade_id}/", {"demerit_points": 2}, format="json")
    # then one event per ledger row: its type, the cadet, and the row's id, points and reason
    events = list(SyncEvent.objects.order_by("id"))
    logs = list(MeritDemeritLog.objects.order_by("id"))
    assert [(e.event_type, e.cadet_id, e.processed) for e in events] == [
        ("merit_added", cadet.pk, False),
        ("demerit_added", cadet.pk, False),
    ]
    assert events[0].payload == {
        "log_id": response.json()["id"],
        "points": 3,
        "reason": 'Said "sir"',
    }
    assert events[1].payload == {"log_id": logs[1].pk, "points": -3, "reason": "Grade adjustment"}


def test_ledger_rows_written_in_bulk_create_no_events(cadet: Cadet) -> None:
    # given history written the way the importer writes it (bulk, no services)
    MeritDemeritLog.objects.bulk_create(
        [MeritDemeritLog(cadet=cadet, type="merit", points=1) for _ in range(3)]
    )
    MeritDemeritLogFactory(cadet=cadet)
    # then no sync event or audit row appears: only the services write them
    assert not SyncEvent.objects.exists()
    assert not AuditLog.objects.exists()
