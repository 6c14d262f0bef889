from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_results.models import TaskResult

from rgms.api.testing import warm_shared_lookups
from rgms.jobs.models import TrackedTask
from rgms.reports.models import Report
from rgms.reports.tests.factories import GradeFactory, ReportFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/"


def test_request_answers_202_with_a_task_id_before_any_work(
    staff_client, django_capture_on_commit_callbacks
):
    # when a report is requested, without letting the transaction commit
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff_client.post(URL, {"kind": "roster_csv"}, format="json")

    # then the answer is immediate: a task id, a status link, a pending report, nothing sent
    assert response.status_code == 202
    body = response.json()
    assert body["report"]["status"] == "pending"
    assert body["report"]["download_url"] is None
    assert body["status_url"].endswith(f"/api/v1/tasks/{body['task_id']}/")
    assert TrackedTask.objects.filter(task_id=body["task_id"], attempts=0).exists()
    assert len(callbacks) == 1
    assert not TaskResult.objects.exists()


def test_requested_report_completes_and_downloads(staff_client, django_capture_on_commit_callbacks):
    # given a roster
    GradeFactory(cadet__last_name="Cruz", cadet__first_name="Ana")

    # when requested and its transaction commits (eager Celery runs the task)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(URL, {"kind": "roster_csv", "params": {}}, format="json")
    task_id = response.json()["task_id"]

    # then the task status says SUCCESS with a link, and the link serves the file
    status = staff_client.get(f"/api/v1/tasks/{task_id}/").json()
    assert status["status"] == "SUCCESS"
    assert status["attempts"] == 1
    download = staff_client.get(status["result_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in download["Content-Disposition"]
    content = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "Cruz,Ana" in content


@pytest.mark.parametrize(
    ("client_fixture", "expected"),
    [("api_client", 401), ("cadet_client", 403), ("staff_client", 202), ("admin_client", 202)],
)
def test_who_may_request(request, client_fixture, expected):
    client = request.getfixturevalue(client_fixture)

    response = client.post(URL, {"kind": "roster_xlsx"}, format="json")

    assert response.status_code == expected


def test_bad_requests_name_the_field(staff_client):
    unknown = staff_client.post(URL, {"kind": "everything"}, format="json")
    missing = staff_client.post(URL, {"kind": "cadet_grades_pdf", "params": {}}, format="json")

    assert unknown.status_code == 400
    assert "kind" in unknown.json()["errors"]
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"params.cadet_id": ["This parameter is required."]}
    assert not Report.objects.exists()


def test_other_staff_cannot_read_or_download(make_user, staff_client, admin_client):
    other = make_user("training_staff")
    report = ReportFactory(owner=other, status=Report.Status.DONE)

    assert staff_client.get(f"{URL}{report.pk}/").status_code == 403
    assert staff_client.get(f"{URL}{report.pk}/download").status_code == 403
    assert admin_client.get(f"{URL}{report.pk}/").status_code == 200


def test_download_before_done_is_a_conflict(staff_user, staff_client):
    report = ReportFactory(owner=staff_user)

    response = staff_client.get(f"{URL}{report.pk}/download")

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_list_shows_own_and_system_reports(make_user, staff_user, staff_client, admin_client):
    mine = ReportFactory(owner=staff_user)
    system = ReportFactory(owner=None)
    ReportFactory(owner=make_user("training_staff"))

    staff_ids = [row["id"] for row in staff_client.get(URL).json()["results"]]
    admin_count = admin_client.get(URL).json()["count"]

    assert sorted(staff_ids) == sorted([mine.pk, system.pk])
    assert admin_count == 3


def test_list_query_count_does_not_grow_with_page_size(staff_user, staff_client):
    ReportFactory.create_batch(30, owner=staff_user)
    counts = []
    for size in (1, 100):
        warm_shared_lookups(staff_client)
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(URL, {"page_size": size})
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
