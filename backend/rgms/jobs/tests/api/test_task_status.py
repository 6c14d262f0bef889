from __future__ import annotations

import pytest
from celery import states

from config.celery import app
from rgms.jobs.models import TrackedTask

pytestmark = pytest.mark.django_db

URL = "/api/v1/tasks/{}/"


@pytest.fixture
def tracked(staff_user):
    return TrackedTask.objects.create(task_id="t-1", name="rgms.reports.tasks.x", owner=staff_user)


def store(task_id: str, state: str, meta) -> None:
    app.backend.store_result(task_id, meta, state)


def test_status_moves_from_pending_through_started_to_success(tracked, staff_client):
    # given a task that has not started: PENDING, nothing else known
    body = staff_client.get(URL.format("t-1")).json()
    assert body["status"] == "PENDING"
    assert body["progress"] is None
    assert body["result"] is None

    # when the worker reports progress
    store("t-1", states.STARTED, {"progress": {"current": 5, "total": 20, "percent": 25.0}})
    body = staff_client.get(URL.format("t-1")).json()
    assert body["status"] == "STARTED"
    assert body["progress"] == {"current": 5, "total": 20, "percent": 25.0}

    # when it succeeds with a file to fetch
    store("t-1", states.SUCCESS, {"report_id": 3, "download_path": "/api/v1/reports/3/download"})
    body = staff_client.get(URL.format("t-1")).json()
    assert body["status"] == "SUCCESS"
    assert body["result"]["report_id"] == 3
    assert body["result_url"] == "http://testserver/api/v1/reports/3/download"
    assert body["progress"] is None
    assert body["error"] is None
    assert body["finished_at"] is not None


def test_retry_and_failure_show_the_error(tracked, staff_client):
    store("t-1", states.RETRY, ConnectionRefusedError("smtp down"))
    body = staff_client.get(URL.format("t-1")).json()
    assert body["status"] == "RETRY"
    assert body["error"] == {"type": "ConnectionRefusedError", "message": "smtp down"}

    store("t-1", states.FAILURE, ValueError("bad input"))
    body = staff_client.get(URL.format("t-1")).json()
    assert body["status"] == "FAILURE"
    assert body["error"] == {"type": "ValueError", "message": "bad input"}
    assert body["result"] is None


@pytest.mark.parametrize(
    ("client_fixture", "expected"),
    [("api_client", 401), ("cadet_client", 403), ("staff_client", 403), ("admin_client", 200)],
)
def test_only_the_owner_or_an_admin_reads_a_task(request, make_user, client_fixture, expected):
    # given a task started by another staff member
    owner = make_user("training_staff")
    TrackedTask.objects.create(task_id="t-2", name="x", owner=owner)
    client = request.getfixturevalue(client_fixture)

    response = client.get(URL.format("t-2"))

    assert response.status_code == expected
    if expected != 200:
        assert set(response.json()) == {"code", "message", "errors"}


def test_owner_reads_own_task(tracked, staff_client):
    assert staff_client.get(URL.format("t-1")).status_code == 200


def test_unknown_task_is_404(staff_client):
    response = staff_client.get(URL.format("no-such-task"))
    assert response.status_code == 404


def test_system_tasks_are_for_admins_only(staff_client, admin_client):
    # given a beat task: a result row, no owner
    store("beat-1", states.SUCCESS, {"deleted": 0})

    assert staff_client.get(URL.format("beat-1")).status_code == 403
    body = admin_client.get(URL.format("beat-1")).json()
    assert body["status"] == "SUCCESS"
    assert body["result"] == {"deleted": 0}
