"""Authorization across roles, including another cadet's objects (MISSION K: any cadet could
read every profile in the other rewrite)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from verification.tests.integration.conftest import Api

pytestmark = [pytest.mark.target, pytest.mark.critical]

Role = Callable[[str], Api]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/cadets/", "/api/v1/grades/", "/api/v1/notifications/", "/api/v1/audit-logs/"],
)
def test_anonymous_gets_401(anonymous: Api, path: str) -> None:
    """Every protected list refuses an anonymous caller with 401."""
    assert anonymous.get(path).status_code == 401


def test_cadet_lists_only_their_own_cadet_row(as_role: Role) -> None:
    """A cadet's roster is their own row."""
    cadet = as_role("cadet")
    response = cadet.get("/api/v1/cadets/")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {cadet.user["cadet_id"]}


def test_cadet_cannot_read_another_cadets_profile_or_grades(as_role: Role) -> None:
    """Another cadet's profile is 404 (not even its existence leaks); grades are own only."""
    cadet, other = as_role("cadet"), as_role("other_cadet")
    other_id = other.user["cadet_id"]
    assert cadet.get(f"/api/v1/cadets/{other_id}/").status_code == 404
    grades = cadet.get("/api/v1/grades/")
    assert grades.status_code == 200
    assert {row["cadet_id"] for row in grades.json()["results"]} == {cadet.user["cadet_id"]}


def test_staff_reads_the_roster(as_role: Role) -> None:
    """Training staff read every cadet."""
    response = as_role("staff").get("/api/v1/cadets/")
    assert response.status_code == 200
    assert response.json()["count"] >= 2


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "POST",
            "/api/v1/notifications/",
            {"user_id": None, "message": "x", "type": "announcement"},
        ),
        ("POST", "/api/v1/merit-demerit-logs/", {"cadet": 1, "type": "merit", "points": 1}),
        ("GET", "/api/v1/audit-logs/", None),
        ("GET", "/api/v1/metrics/summary", None),
    ],
)
def test_cadet_is_forbidden_staff_and_admin_writes(
    as_role: Role, method: str, path: str, body: dict | None
) -> None:
    """Cadets get 403 on staff/admin endpoints."""
    response = as_role("cadet").request(method, path, json=body)
    assert response.status_code == 403, response.text


@pytest.mark.parametrize("path", ["/api/v1/audit-logs/", "/api/v1/metrics/summary"])
def test_admin_only_reads(as_role: Role, path: str) -> None:
    """The audit log and the metrics summary: admins 200, training staff 403."""
    assert as_role("staff").get(path).status_code == 403
    assert as_role("admin").get(path).status_code == 200
