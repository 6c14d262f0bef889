from typing import Any

import pytest
from rest_framework.test import APIClient

from rgms.messaging.models import AdminMessage
from rgms.messaging.tests.factories import AdminMessageFactory
from rgms.users.models import User

pytestmark = pytest.mark.django_db

LIST = "/api/v1/messages/admin/"
ALL = ("anonymous", "cadet", "other_cadet", "staff", "admin")


def _codes(*codes: int) -> dict[str, int]:
    return dict(zip(ALL, codes, strict=True))


READ_ANY = _codes(401, 200, 200, 200, 200)
ADMIN_ONLY_200 = _codes(401, 403, 403, 403, 200)
BODY = {"subject": "Grades", "message": "My midterm is missing."}

MATRIX: list[tuple[str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("get", "list", None, READ_ANY),
    ("get", "list_by_user", None, ADMIN_ONLY_200),
    ("post", "list", BODY, _codes(401, 201, 201, 201, 201)),
    ("post", "broadcast", BODY, _codes(401, 403, 403, 403, 201)),
    ("get", "own", None, _codes(401, 200, 404, 404, 200)),
    ("post", "own_reply", {"admin_reply": "Fixed."}, ADMIN_ONLY_200),
    ("delete", "own", None, _codes(401, 403, 403, 403, 204)),
    ("patch", "own", BODY, _codes(401, 405, 405, 405, 405)),
    ("get", "broadcast_row", None, READ_ANY),
    ("post", "broadcast_reply", {"admin_reply": "?"}, _codes(401, 403, 403, 403, 400)),
]


@pytest.mark.parametrize(
    ("method", "target", "body", "role", "expected"),
    [(m, t, b, role, code) for m, t, b, codes in MATRIX for role, code in codes.items()],
)
def test_authorization_matrix(
    role_clients: dict[str, APIClient],
    cadet_user: User,
    method: str,
    target: str,
    body: dict[str, Any] | None,
    role: str,
    expected: int,
) -> None:
    # given a message of the cadet and a broadcast
    own = AdminMessageFactory(user=cadet_user)
    broadcast = AdminMessageFactory(user=None)
    url = {
        "list": LIST,
        "list_by_user": f"{LIST}?user_id={cadet_user.pk}",
        "broadcast": f"{LIST}broadcast/",
        "own": f"{LIST}{own.pk}/",
        "own_reply": f"{LIST}{own.pk}/reply/",
        "broadcast_row": f"{LIST}{broadcast.pk}/",
        "broadcast_reply": f"{LIST}{broadcast.pk}/reply/",
    }[target]
    # when the role calls the endpoint
    response = getattr(role_clients[role], method)(url, body, format="json")
    # then the status is the one the matrix states, with the error body on refusals
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) == {"code", "message", "errors"}


def test_a_user_lists_own_and_broadcasts(
    cadet_client: APIClient, cadet_user: User, other_cadet_user: User, staff_user: User
) -> None:
    # given messages of the cadet, another cadet and staff, and a broadcast
    own = AdminMessageFactory(user=cadet_user)
    AdminMessageFactory(user=other_cadet_user)
    AdminMessageFactory(user=staff_user)
    broadcast = AdminMessageFactory(user=None)
    # when the cadet lists
    body = cadet_client.get(LIST).json()
    # then only their own and the broadcast are there
    assert {row["id"] for row in body["results"]} == {own.pk, broadcast.pk}


def test_admins_list_all_and_filter_by_status(
    admin_client: APIClient, cadet_user: User, staff_user: User
) -> None:
    # given pending messages of two users, a resolved one and a broadcast
    AdminMessageFactory(user=cadet_user)
    AdminMessageFactory(user=staff_user)
    resolved = AdminMessageFactory(user=cadet_user, status="resolved")
    AdminMessageFactory(user=None)
    # when the admin lists all, then the resolved ones
    everything = admin_client.get(LIST).json()
    only_resolved = admin_client.get(LIST, {"status": "resolved"}).json()
    # then all four, then the one
    assert everything["count"] == 4
    assert [row["id"] for row in only_resolved["results"]] == [resolved.pk]


def test_create_records_the_sender_role(staff_client: APIClient, staff_user: User) -> None:
    # when staff write to the admins with markup in the text
    response = staff_client.post(
        LIST,
        {"subject": "<b>Leave</b>", "message": "Off <script>x()</script>Friday"},
        format="json",
    )
    # then it is pending, theirs, with their role and clean text
    assert response.status_code == 201
    row = AdminMessage.objects.get()
    assert (row.user_id, row.sender_role, row.status) == (
        staff_user.pk,
        "training_staff",
        "pending",
    )
    assert (row.subject, row.message) == ("Leave", "Off Friday")


def test_reply_resolves(admin_client: APIClient, cadet_user: User) -> None:
    # given a pending message of a cadet
    message = AdminMessageFactory(user=cadet_user)
    # when the admin replies
    response = admin_client.post(
        f"{LIST}{message.pk}/reply/", {"admin_reply": "Fixed."}, format="json"
    )
    # then it is resolved with the reply
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    assert response.json()["admin_reply"] == "Fixed."


@pytest.mark.parametrize(
    ("target", "body", "field"),
    [
        ("list", {"subject": "Hi"}, "message"),
        ("list", {"message": ""}, "message"),
        ("list", {"message": "x" * 5001}, "message"),
        ("list", {"message": "ok", "subject": "x" * 201}, "subject"),
        ("list", {"message": "ok", "subject": ["x"]}, "subject"),
        ("broadcast", {"subject": "Hi"}, "message"),
        ("broadcast", {"message": 7}, "message"),
        ("reply", {}, "admin_reply"),
        ("reply", {"admin_reply": "<script>x()</script>"}, "admin_reply"),
        ("reply", {"admin_reply": "x" * 5001}, "admin_reply"),
    ],
)
def test_writes_refuse_bad_input_and_write_nothing(
    admin_client: APIClient, cadet_user: User, target: str, body: dict[str, Any], field: str
) -> None:
    # given a pending message of a cadet
    message = AdminMessageFactory(user=cadet_user)
    url = {"list": LIST, "broadcast": f"{LIST}broadcast/", "reply": f"{LIST}{message.pk}/reply/"}
    # when the admin sends invalid input
    response = admin_client.post(url[target], body, format="json")
    # then 400 names the field and nothing is written or changed
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert AdminMessage.objects.count() == 1
    message.refresh_from_db()
    assert (message.status, message.admin_reply) == ("pending", None)


def test_list_refuses_a_bad_status(admin_client: APIClient) -> None:
    # when the status filter is unknown
    response = admin_client.get(LIST, {"status": "archived"})
    # then 400 names it
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


@pytest.mark.parametrize("path", [LIST, LIST + "broadcast/"])
def test_subject_is_optional(admin_client: APIClient, path: str) -> None:
    # when a message is sent without a subject (the serializer allows it)
    response = admin_client.post(path, {"message": "Formation at 0700."}, format="json")
    # then it is stored without one, not a 500
    assert response.status_code == 201, response.content
    assert AdminMessage.objects.get(pk=response.json()["id"]).subject is None
