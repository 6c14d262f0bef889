import datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from rgms.audit.models import AuditLog
from rgms.audit.tests.factories import AuditLogFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/audit-logs/"
ALL = ("anonymous", "cadet", "other_cadet", "staff", "admin")
UTC = datetime.UTC


@pytest.mark.parametrize(
    ("method", "target", "codes"),
    [
        ("get", "list", (401, 403, 403, 403, 200)),
        ("get", "detail", (401, 403, 403, 403, 200)),
        ("post", "list", (401, 403, 403, 403, 405)),
        ("put", "detail", (401, 403, 403, 403, 405)),
        ("delete", "detail", (401, 403, 403, 403, 405)),
    ],
)
@pytest.mark.parametrize("role", ALL)
def test_authorization_matrix(
    role_clients: dict[str, APIClient],
    method: str,
    target: str,
    codes: tuple[int, ...],
    role: str,
) -> None:
    # given an audit record
    record = AuditLogFactory()
    url = {"list": LIST, "detail": f"{LIST}{record.pk}/"}[target]
    # when the role calls the endpoint
    response = getattr(role_clients[role], method)(url, {"operation": "x"}, format="json")
    # then the status is the one the matrix states, with the error body on refusals
    expected = dict(zip(ALL, codes, strict=True))[role]
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) == {"code", "message", "errors"}
    # and the record is never changed
    assert AuditLog.objects.get(pk=record.pk).operation == "INSERT"


def _at(day: int) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, 12, 0, tzinfo=UTC)


def test_filters(admin_client: APIClient) -> None:
    # given records of two tables, operations, users and days
    wanted = AuditLogFactory(
        table_name="users", operation="LOGIN_FAILED", user_id=5, created_at=_at(2)
    )
    AuditLogFactory(table_name="users", operation="LOGIN_FAILED", user_id=6, created_at=_at(2))
    AuditLogFactory(table_name="users", operation="LOGIN_FAILED", user_id=5, created_at=_at(5))
    AuditLogFactory(table_name="users", operation="LOCKOUT", user_id=5, created_at=_at(2))
    AuditLogFactory(table_name="grades", operation="LOGIN_FAILED", user_id=5, created_at=_at(2))
    # when the admin filters by all of them, with a date range
    response = admin_client.get(
        LIST,
        {
            "table_name": "users",
            "operation": "LOGIN_FAILED",
            "user_id": 5,
            "created_after": "2026-03-01",
            "created_before": "2026-03-03T00:00:00Z",
        },
    )
    # then only the one record matches
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [wanted.pk]


def test_newest_first_in_cursor_pages(admin_client: APIClient) -> None:
    # given five records on five days
    made = [AuditLogFactory(created_at=_at(day)) for day in range(1, 6)]
    # when they are read two at a time, following the next links
    seen: list[int] = []
    url: str | None = f"{LIST}?page_size=2"
    while url:
        body = admin_client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    # then every record comes once, newest first
    assert seen == [row.pk for row in reversed(made)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"user_id": "me"}, "user_id"),
        ({"user_id": 0}, "user_id"),
        ({"record_id": "1.5"}, "record_id"),
        ({"created_after": "yesterday"}, "created_after"),
        ({"created_before": "2026-13-01"}, "created_before"),
        ({"created_after": "2026-03-05", "created_before": "2026-03-01"}, "created_before"),
        ({"table_name": "x" * 101}, "table_name"),
    ],
)
def test_bad_filters_are_refused(
    admin_client: APIClient, params: dict[str, Any], field: str
) -> None:
    # when a filter is malformed
    response = admin_client.get(LIST, params)
    # then 400 names it
    assert response.status_code == 400
    assert field in response.json()["errors"]
