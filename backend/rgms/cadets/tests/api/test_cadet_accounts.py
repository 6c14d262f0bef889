"""A cadet created through the API gets its user account: username = student ID, unusable
password, pending until an admin approves it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from rgms.audit.models import AuditLog
from rgms.cadets.models import Cadet
from rgms.cadets.tests.factories import CadetFactory
from rgms.cadets.tests.matrix import call, matrix_cases
from rgms.users.models import User

pytestmark = pytest.mark.django_db

LIST = "/api/v1/cadets/"
BODY = {
    "student_id": "2025-12345",
    "first_name": "Ana",
    "last_name": "Reyes",
    "email": "ana@example.edu",
}


@pytest.mark.parametrize("client_name", ["admin_client", "staff_client"])
def test_creating_a_cadet_creates_its_pending_account(
    request: pytest.FixtureRequest, client_name: str
) -> None:
    # when admin or staff create a cadet
    response = request.getfixturevalue(client_name).post(LIST, BODY, format="json")
    # then the cadet has one account named after the student ID, unusable and pending
    assert response.status_code == 201, response.content
    assert response.json()["username"] == BODY["student_id"]
    user = User.objects.get(username=BODY["student_id"])
    assert (user.role, user.cadet_id, user.email) == ("cadet", response.json()["id"], BODY["email"])
    assert not user.has_usable_password()
    assert not user.is_approved


def test_a_taken_username_is_400_on_student_id_and_writes_nothing(
    admin_client: APIClient, make_user
) -> None:
    make_user(username=BODY["student_id"])
    response = admin_client.post(LIST, BODY, format="json")
    assert response.status_code == 400
    assert "student_id" in response.json()["errors"]
    assert not Cadet.objects.filter(student_id=BODY["student_id"]).exists()


def test_the_new_account_cannot_log_in_before_approval(admin_client: APIClient) -> None:
    admin_client.post(LIST, BODY, format="json")
    response = APIClient().post(
        "/api/v1/auth/login", {"username": BODY["student_id"], "password": "anything at all"}
    )
    assert response.status_code in {401, 403}


MATRIX = [("post", "approve", (401, 403, 403, 403, 200))]


@pytest.mark.parametrize(("method", "target", "role", "expected"), matrix_cases(MATRIX))
def test_approve_authorization(
    role_clients: dict[str, APIClient], cadet: Cadet, method: str, target: str, role: str, expected
) -> None:
    response = call(role_clients[role], method, f"{LIST}{cadet.pk}/approve/")
    assert response.status_code == expected


def test_admin_approves_the_account(admin_client: APIClient) -> None:
    # given a cadet made through the API (pending account)
    cadet_id = admin_client.post(LIST, BODY, format="json").json()["id"]
    # when an admin approves it
    response = admin_client.post(f"{LIST}{cadet_id}/approve/")
    # then the account is approved, and it is audited
    assert response.status_code == 200
    assert User.objects.get(username=BODY["student_id"]).is_approved
    assert AuditLog.objects.filter(table_name="users", operation="APPROVE").exists()
    # and approving again changes nothing
    assert admin_client.post(f"{LIST}{cadet_id}/approve/").status_code == 200
    assert AuditLog.objects.filter(table_name="users", operation="APPROVE").count() == 1


def test_approving_an_unknown_cadet_is_404(admin_client: APIClient) -> None:
    assert admin_client.post(f"{LIST}999999/approve/").status_code == 404
    CadetFactory()
