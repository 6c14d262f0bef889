"""/api/v1/staff/: admins manage, staff read, cadets are refused; archive instead of delete."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from rgms.cadets.tests.matrix import call, matrix_cases
from rgms.staff.models import Staff
from rgms.staff.tests.factories import StaffFactory
from rgms.users.models import Role

pytestmark = pytest.mark.django_db

LIST = "/api/v1/staff/"
VALID_BODY = {"first_name": "Maria", "last_name": "Santos", "email": "maria@example.edu"}


def detail(pk: int) -> str:
    return f"/api/v1/staff/{pk}/"


MATRIX = [
    ("get", "list", (401, 403, 403, 200, 200)),
    ("get", "one", (401, 403, 403, 200, 200)),
    ("post", "list", (401, 403, 403, 403, 201)),
    ("patch", "one", (401, 403, 403, 403, 200)),
    ("put", "one", (401, 403, 403, 403, 200)),
    ("delete", "one", (401, 403, 403, 403, 204)),
    ("post", "one-restore", (401, 403, 403, 403, 200)),
]


@pytest.mark.parametrize(("method", "target", "role", "expected"), matrix_cases(MATRIX))
def test_authorization_matrix(
    role_clients: dict[str, APIClient], method: str, target: str, role: str, expected: int
) -> None:
    # given a staff member
    staff = StaffFactory()
    url = {"list": LIST, "one": detail(staff.pk), "one-restore": detail(staff.pk) + "restore/"}
    # when
    response = call(role_clients[role], method, url[target], {**VALID_BODY, "rank": "Sgt"})
    # then
    assert response.status_code == expected, response.content


def test_archived_hidden_by_default_and_filters(staff_client: APIClient) -> None:
    StaffFactory(last_name="Active", role="Commandant")
    StaffFactory(last_name="Gone", is_archived=True)
    assert [r["last_name"] for r in staff_client.get(LIST).json()["results"]] == ["Active"]
    assert staff_client.get(LIST + "?is_archived=true").json()["results"][0]["last_name"] == "Gone"
    assert staff_client.get(LIST + "?role=Instructor").json()["count"] == 0
    assert staff_client.get(LIST + "?search=act").json()["count"] == 1


def test_delete_archives_staff_and_their_user(admin_client: APIClient, make_user) -> None:
    # given a staff member with a user account
    staff = StaffFactory()
    user = make_user(Role.TRAINING_STAFF, staff=staff)
    # when
    assert admin_client.delete(detail(staff.pk)).status_code == 204
    # then both stay, archived
    staff.refresh_from_db()
    user.refresh_from_db()
    assert staff.is_archived
    assert user.is_archived


def test_forced_delete(admin_client: APIClient) -> None:
    staff = StaffFactory()
    assert admin_client.delete(detail(staff.pk) + "?force=true").status_code == 204
    assert not Staff.objects.filter(pk=staff.pk).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"last_name": "Santos"}, "first_name"),
        ({**VALID_BODY, "email": "nope"}, "email"),
        ({**VALID_BODY, "age": 300}, "age"),
        ({**VALID_BODY, "age": "ten"}, "age"),
        ({**VALID_BODY, "birthdate": "2999-01-01"}, "birthdate"),
        ({**VALID_BODY, "facebook_link": "not a url"}, "facebook_link"),
        ({**VALID_BODY, "role": "r" * 51}, "role"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(
    admin_client: APIClient, body: dict, field: str
) -> None:
    response = admin_client.post(LIST, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Staff.objects.count() == 0


def test_duplicate_email_is_400(admin_client: APIClient) -> None:
    StaffFactory(email="maria@example.edu")
    response = admin_client.post(LIST, {**VALID_BODY, "email": "MARIA@example.edu"}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()["errors"]


def test_update_sanitises_and_rejects_bad_input(admin_client: APIClient) -> None:
    staff = StaffFactory(first_name="Old")
    assert admin_client.patch(detail(staff.pk), {"age": -1}, format="json").status_code == 400
    response = admin_client.patch(
        detail(staff.pk), {"address": "<img src=x onerror=alert(1)>Camp"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["address"] == "Camp"
