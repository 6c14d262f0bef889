from typing import Any

import pytest
from rest_framework.test import APIClient

from rgms.messaging.models import StaffMessage
from rgms.messaging.tests.factories import SenderStaffFactory, StaffMessageFactory
from rgms.users.models import User

pytestmark = pytest.mark.django_db

LIST = "/api/v1/messages/staff/"
ALL = ("anonymous", "cadet", "other_cadet", "staff", "admin")


@pytest.fixture(autouse=True)
def _linked_staff(staff_user: User) -> None:
    staff_user.staff = SenderStaffFactory()
    staff_user.save()


@pytest.mark.parametrize(
    ("method", "codes"),
    [
        # the admin has no staff record: reads, but cannot post
        ("get", (401, 403, 403, 200, 200)),
        ("post", (401, 403, 403, 201, 403)),
        ("delete", (401, 403, 403, 405, 405)),
    ],
)
@pytest.mark.parametrize("role", ALL)
def test_authorization_matrix(
    role_clients: dict[str, APIClient], method: str, codes: tuple[int, ...], role: str
) -> None:
    # given a message in the chat
    StaffMessageFactory()
    # when the role calls the endpoint
    response = getattr(role_clients[role], method)(LIST, {"content": "Muster"}, format="json")
    # then the status is the one the matrix states, with the error body on refusals
    expected = dict(zip(ALL, codes, strict=True))[role]
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) == {"code", "message", "errors"}


def test_an_admin_with_a_staff_record_posts(admin_client: APIClient, admin_user: User) -> None:
    # given an admin linked to a staff record
    admin_user.staff = SenderStaffFactory(first_name="Ana", last_name="Cruz", rank="Maj")
    admin_user.save()
    # when they post
    response = admin_client.post(LIST, {"content": "Formation at 7"}, format="json")
    # then the message is theirs, named after the record
    assert response.status_code == 201
    assert response.json()["sender_staff_id"] == admin_user.staff_id
    assert response.json()["sender_name"] == "Maj Ana Cruz"


def test_list_is_newest_first(staff_client: APIClient) -> None:
    # given three messages
    made = StaffMessageFactory.create_batch(3)
    # when staff list them
    body = staff_client.get(LIST).json()
    # then they come newest first with a count
    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == [row.pk for row in reversed(made)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "content"),
        ({"content": ""}, "content"),
        ({"content": "   "}, "content"),
        ({"content": "<script>x()</script>"}, "content"),
        ({"content": "x" * 2001}, "content"),
        ({"content": 42}, "content"),
        ({"content": None}, "content"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(
    staff_client: APIClient, body: dict[str, Any], field: str
) -> None:
    # when staff post invalid input
    response = staff_client.post(LIST, body, format="json")
    # then 400 names the field and nothing is written
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not StaffMessage.objects.exists()
