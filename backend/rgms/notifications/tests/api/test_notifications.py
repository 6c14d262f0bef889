from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from conftest import bearer_client
from rgms.cadets.models import Cadet
from rgms.notifications.models import Notification
from rgms.notifications.tests.factories import NotificationFactory
from rgms.staff.models import Staff
from rgms.users.models import Role, User

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"
ALL = ("anonymous", "cadet", "other_cadet", "staff", "admin")


def _codes(*codes: int) -> dict[str, int]:
    return dict(zip(ALL, codes, strict=True))


READ_ANY = _codes(401, 200, 200, 200, 200)
GLOBAL_BODY = {"user_id": None, "message": "Drill at 7", "type": "announcement"}

MATRIX: list[tuple[str, str, dict[str, Any] | None, dict[str, int]]] = [
    ("get", "list", None, READ_ANY),
    ("get", "list_all", None, _codes(401, 403, 403, 403, 200)),
    ("post", "list", GLOBAL_BODY, _codes(401, 403, 403, 201, 201)),
    ("get", "unread_count", None, READ_ANY),
    ("post", "read_all", None, READ_ANY),
    # the cadet's own notification
    ("get", "own", None, _codes(401, 200, 404, 404, 200)),
    ("post", "own_read", None, _codes(401, 200, 404, 404, 403)),
    ("delete", "own", None, _codes(401, 204, 404, 404, 204)),
    ("put", "own", {"message": "x"}, _codes(401, 405, 405, 405, 405)),
    # a global notification meant for everyone
    ("get", "public", None, READ_ANY),
    ("post", "public_read", None, _codes(401, 403, 403, 403, 200)),
    ("delete", "public", None, _codes(401, 403, 403, 403, 204)),
    # a global notification of the admins' feed
    ("get", "admin_feed", None, _codes(401, 404, 404, 404, 200)),
    ("post", "admin_feed_read", None, _codes(401, 404, 404, 404, 200)),
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
    # given a notification of the cadet, a public global one and an admin-feed global one
    own = NotificationFactory(user=cadet_user, type="grade")
    public = NotificationFactory(user=None, type="announcement")
    admin_feed = NotificationFactory(user=None, type="login")
    url = {
        "list": LIST,
        "list_all": f"{LIST}?scope=all",
        "unread_count": f"{LIST}unread-count/",
        "read_all": f"{LIST}read-all/",
        "own": f"{LIST}{own.pk}/",
        "own_read": f"{LIST}{own.pk}/read/",
        "public": f"{LIST}{public.pk}/",
        "public_read": f"{LIST}{public.pk}/read/",
        "admin_feed": f"{LIST}{admin_feed.pk}/",
        "admin_feed_read": f"{LIST}{admin_feed.pk}/read/",
    }[target]
    # when the role calls the endpoint
    response = getattr(role_clients[role], method)(url, body, format="json")
    # then the status is the one the matrix states, with the error body on refusals
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) == {"code", "message", "errors"}


def test_every_kind_of_user_lists_notifications(make_user: Callable[..., User]) -> None:
    # given one user of every kind the data holds: with and without a cadet or staff row,
    # and a superuser
    cadet = Cadet.objects.create(first_name="Ana", last_name="Cruz", student_id="2026-0001")
    staff = Staff.objects.create(first_name="Ben", last_name="Reyes", email="ben@example.org")
    users = [
        make_user(Role.CADET, cadet=cadet),
        make_user(Role.CADET),
        make_user(Role.TRAINING_STAFF, staff=staff),
        make_user(Role.TRAINING_STAFF),
        make_user(Role.ADMIN),
        make_user(Role.ADMIN, is_superuser=True, staff=staff),
    ]
    for user in users:
        NotificationFactory(user=user, type="grade")
    NotificationFactory(user=None, type="announcement")
    for user in users:
        # when each lists notifications and reads the unread count
        client = bearer_client(user)
        listed = client.get(LIST)
        counted = client.get(f"{LIST}unread-count/")
        # then each gets 200, with their own notification among the results
        assert listed.status_code == 200, (user.role, listed.content)
        assert counted.status_code == 200, (user.role, counted.content)
        assert any(row["user_id"] == user.pk for row in listed.json()["results"])


def test_unapproved_and_archived_users_get_401_not_500(make_user: Callable[..., User]) -> None:
    # given an unapproved cadet and an archived one, each holding a token
    for user in (make_user(Role.CADET, is_approved=False), make_user(Role.CADET, is_archived=True)):
        # when they list notifications
        response = bearer_client(user).get(LIST)
        # then they are refused with the error body, never a server error
        assert response.status_code == 401, response.content
        assert set(response.json()) == {"code", "message", "errors"}


def test_list_is_newest_first_in_cursor_pages(cadet_client: APIClient, cadet_user: User) -> None:
    # given five notifications of the cadet
    made = [NotificationFactory(user=cadet_user) for _ in range(5)]
    # when they are read two at a time, following the next links
    seen: list[int] = []
    url: str | None = f"{LIST}?page_size=2"
    while url:
        body = cadet_client.get(url).json()
        assert set(body) == {"next", "previous", "results"}
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    # then all five come back once, newest first
    assert seen == [row.pk for row in reversed(made)]


def test_list_filters(admin_client: APIClient, cadet_user: User) -> None:
    # given read and unread notifications of two types for a cadet
    NotificationFactory(user=cadet_user, type="grade", is_read=True)
    unread_grade = NotificationFactory(user=cadet_user, type="grade")
    NotificationFactory(user=cadet_user, type="attendance")
    # when the admin filters that cadet's unread grade notifications
    response = admin_client.get(
        LIST, {"user_id": cadet_user.pk, "type": "grade", "is_read": "false"}
    )
    # then only the one matches
    assert [row["id"] for row in response.json()["results"]] == [unread_grade.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"scope": "everyone"}, "scope"),
        ({"type": "party"}, "type"),
        ({"is_read": "maybe"}, "is_read"),
        ({"user_id": "x"}, "user_id"),
        ({"page_size": "abc", "cursor": "not-a-cursor"}, None),
    ],
)
def test_list_refuses_bad_filters(
    admin_client: APIClient, params: dict[str, str], field: str | None
) -> None:
    # when a filter is malformed
    response = admin_client.get(LIST, params)
    # then 400 names it (an invalid cursor is a 404, DRF's answer for a page that is not there)
    if field is None:
        assert response.status_code == 404
        return
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_create_targets_a_user_and_sanitises(staff_client: APIClient, cadet_user: User) -> None:
    # when staff notify a cadet with markup in the message
    response = staff_client.post(
        LIST,
        {
            "user_id": cadet_user.pk,
            "message": "<i>Report</i><script>x()</script> now",
            "type": "grade",
        },
        format="json",
    )
    # then it is saved for that cadet, stripped of markup
    assert response.status_code == 201, response.content
    notification = Notification.objects.get()
    assert notification.user_id == cadet_user.pk
    assert notification.message == "Report now"
    assert response.json()["priority"] == "normal"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"message": "x", "type": "grade"}, "user_id"),
        ({"user_id": 999999, "message": "x", "type": "grade"}, "user_id"),
        ({"user_id": True, "message": "x", "type": "grade"}, "user_id"),
        ({"user_id": None, "type": "grade"}, "message"),
        ({"user_id": None, "message": "", "type": "grade"}, "message"),
        ({"user_id": None, "message": "x" * 1001, "type": "grade"}, "message"),
        ({"user_id": None, "message": ["x"], "type": "grade"}, "message"),
        ({"user_id": None, "message": "x"}, "type"),
        ({"user_id": None, "message": "x", "type": "party"}, "type"),
        ({"user_id": None, "message": "x", "type": "grade", "priority": "urgent"}, "priority"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(
    admin_client: APIClient, body: dict[str, Any], field: str
) -> None:
    # when the admin sends invalid input
    response = admin_client.post(LIST, body, format="json")
    # then 400 names the field and nothing is written
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Notification.objects.exists()


def test_mark_read_and_read_all(cadet_client: APIClient, cadet_user: User) -> None:
    # given three unread notifications of the cadet
    first, *_ = NotificationFactory.create_batch(3, user=cadet_user)
    # when one is marked read, then all
    one = cadet_client.post(f"{LIST}{first.pk}/read/")
    rest = cadet_client.post(f"{LIST}read-all/")
    # then the first answer is the read notification and the second counts the other two
    assert one.status_code == 200
    assert one.json()["is_read"] is True
    assert rest.json() == {"updated": 2}
    assert not Notification.objects.filter(is_read=False).exists()


@pytest.mark.django_db(transaction=True)
def test_unread_count_right_after_a_write_is_never_stale(
    make_user: Callable[..., User],
) -> None:
    # given a cadet with a cached unread count of zero, and an admin
    cadet = make_user(Role.CADET)
    cadet_client, admin_client = bearer_client(cadet), bearer_client(make_user(Role.ADMIN))
    url = f"{LIST}unread-count/"

    def count() -> int:
        return cadet_client.get(url).json()["count"]

    assert count() == 0
    assert count() == 0  # served from the cache
    # when the admin notifies the cadet twice, the cadet reads one, deletes one, reads all
    created = [
        admin_client.post(
            LIST, {"user_id": cadet.pk, "message": f"n{n}", "type": "grade"}, format="json"
        ).json()["id"]
        for n in range(3)
    ]
    after_create = count()
    cadet_client.post(f"{LIST}{created[0]}/read/")
    after_read = count()
    cadet_client.delete(f"{LIST}{created[1]}/")
    after_delete = count()
    cadet_client.post(f"{LIST}read-all/")
    after_read_all = count()
    # then every count reflects the write just before it
    assert (after_create, after_read, after_delete, after_read_all) == (3, 2, 1, 0)
