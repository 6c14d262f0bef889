"""Refresh rotation, logout blacklisting, verify, me, and the users whose tokens stop working.
Tokens come from the real login endpoint."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from rgms.audit.models import AuditLog
from rgms.users.models import Role, User

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
ME = "/api/v1/auth/me"


@pytest.fixture
def tokens(login: Callable, make_user: Callable) -> dict:
    make_user(Role.CADET, username="tok")
    response = login("tok", PASSWORD)
    assert response.status_code == 200
    return response.json()


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def post(path: str, body: dict) -> object:
    return APIClient().post(f"/api/v1/auth/{path}", body, format="json")


def test_refresh_rotates_and_the_old_refresh_is_refused(tokens: dict) -> None:
    # when
    first = post("refresh", {"refresh": tokens["refresh"]})
    # then a new pair
    assert first.status_code == 200
    rotated = first.json()
    assert set(rotated) == {"access", "refresh"}
    assert rotated["refresh"] != tokens["refresh"]
    assert bearer(rotated["access"]).get(ME).status_code == 200
    # and the old refresh token is refused afterwards
    again = post("refresh", {"refresh": tokens["refresh"]})
    assert again.status_code == 401
    assert again.json()["code"] == "token_not_valid"
    # while the new one rotates in turn
    assert post("refresh", {"refresh": rotated["refresh"]}).status_code == 200


def test_access_token_is_not_a_refresh_token(tokens: dict) -> None:
    response = post("refresh", {"refresh": tokens["access"]})
    assert response.status_code == 401


def test_refresh_token_is_not_an_access_token(tokens: dict) -> None:
    response = bearer(tokens["refresh"]).get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_logout_blacklists_the_refresh_token(tokens: dict) -> None:
    # when
    response = post("logout", {"refresh": tokens["refresh"]})
    # then
    assert response.status_code == 204
    assert post("refresh", {"refresh": tokens["refresh"]}).status_code == 401
    verify = post("verify", {"token": tokens["refresh"]})
    assert verify.status_code == 401
    entry = AuditLog.objects.get(operation="logout")
    assert entry.table_name == "auth"
    assert entry.user_id == User.objects.get(username="tok").pk


def test_logout_works_with_an_expired_access_token_in_the_header(tokens: dict) -> None:
    # given a client whose access token expired
    client = bearer(tokens["access"])
    with time_machine.travel(datetime.now(tz=UTC) + timedelta(minutes=20)):
        assert client.get(ME).status_code == 401
        # when
        response = client.post("/api/v1/auth/logout", {"refresh": tokens["refresh"]}, format="json")
    # then
    assert response.status_code == 204


def test_logout_all_sessions_ends_every_refresh_token(login: Callable, make_user: Callable) -> None:
    # given two sessions
    make_user(Role.CADET, username="two")
    laptop = login("two", PASSWORD).json()
    phone = login("two", PASSWORD).json()
    # when the phone logs out everywhere
    response = post("logout", {"refresh": phone["refresh"], "all_sessions": True})
    # then
    assert response.status_code == 204
    assert post("refresh", {"refresh": laptop["refresh"]}).status_code == 401


def test_logout_with_garbage_is_401(db: None) -> None:
    response = post("logout", {"refresh": "garbage"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_verify_accepts_both_kinds_and_names_them(tokens: dict) -> None:
    access = post("verify", {"token": tokens["access"]})
    refresh = post("verify", {"token": tokens["refresh"]})
    assert access.status_code == refresh.status_code == 200
    assert access.json()["token_type"] == "access"
    assert refresh.json()["token_type"] == "refresh"
    assert access.json()["user_id"] == User.objects.get(username="tok").pk


def test_verify_refuses_expired_and_garbage(tokens: dict) -> None:
    assert post("verify", {"token": "a.b.c"}).status_code == 401
    with time_machine.travel(datetime.now(tz=UTC) + timedelta(minutes=16)):
        assert post("verify", {"token": tokens["access"]}).status_code == 401
        assert post("verify", {"token": tokens["refresh"]}).status_code == 200


def test_access_expires_after_15_minutes_and_refresh_after_7_days(tokens: dict) -> None:
    now = datetime.now(tz=UTC)
    with time_machine.travel(now + timedelta(minutes=14)):
        assert bearer(tokens["access"]).get(ME).status_code == 200
    with time_machine.travel(now + timedelta(minutes=15, seconds=1)):
        assert bearer(tokens["access"]).get(ME).status_code == 401
    with time_machine.travel(now + timedelta(days=7, seconds=1)):
        assert post("refresh", {"refresh": tokens["refresh"]}).status_code == 401


def test_me_without_token_is_401(api_client: APIClient, db: None) -> None:
    response = api_client.get(ME)
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "errors"}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"is_archived": True}, "account_archived"),
        ({"is_approved": False}, "account_pending_approval"),
        ({"role": Role.ADMIN}, "role_changed"),
    ],
)
def test_tokens_stop_working_when_the_account_changes(
    tokens: dict, change: dict, code: str
) -> None:
    # given a working session
    assert bearer(tokens["access"]).get(ME).status_code == 200
    # when an admin archives, unapproves or re-roles the account
    User.objects.filter(username="tok").update(**change)
    # then the access token is refused
    response = bearer(tokens["access"]).get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == code


def test_archived_user_cannot_refresh(tokens: dict) -> None:
    User.objects.filter(username="tok").update(is_archived=True)
    response = post("refresh", {"refresh": tokens["refresh"]})
    assert response.status_code == 401
    assert response.json()["code"] == "account_archived"


def test_role_change_is_picked_up_by_refresh(tokens: dict) -> None:
    # given a cadet promoted to staff
    User.objects.filter(username="tok").update(role=Role.TRAINING_STAFF)
    # when the client refreshes
    response = post("refresh", {"refresh": tokens["refresh"]})
    # then the new access token carries the new role and works
    assert response.status_code == 200
    me = bearer(response.json()["access"]).get(ME)
    assert me.status_code == 200
    assert me.json()["role"] == "training_staff"


def test_deleted_user_token_is_refused(tokens: dict) -> None:
    User.objects.filter(username="tok").delete()
    assert bearer(tokens["access"]).get(ME).status_code == 401


def test_password_change_retires_old_tokens(tokens: dict) -> None:
    # when
    response = bearer(tokens["access"]).post(
        "/api/v1/auth/password/change",
        {"old_password": PASSWORD, "new_password": "a new Long passphrase 42"},
        format="json",
    )
    # then a new pair works and the old tokens do not
    assert response.status_code == 200
    assert bearer(response.json()["access"]).get(ME).status_code == 200
    old = bearer(tokens["access"]).get(ME)
    assert old.status_code == 401
    assert old.json()["code"] == "password_changed"
    assert post("refresh", {"refresh": tokens["refresh"]}).status_code == 401
    assert AuditLog.objects.filter(operation="password_changed").count() == 1


def test_password_change_checks_old_and_validates_new(tokens: dict) -> None:
    client = bearer(tokens["access"])
    wrong = client.post(
        "/api/v1/auth/password/change",
        {"old_password": "nope", "new_password": "a new Long passphrase 42"},
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_password"
    weak = client.post(
        "/api/v1/auth/password/change",
        {"old_password": PASSWORD, "new_password": "12345678"},
        format="json",
    )
    assert weak.status_code == 400
    assert "new_password" in weak.json()["errors"]
    assert client.get(ME).status_code == 200  # nothing changed


def test_malformed_authorization_header_is_401(db: None) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer a b")
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_authorization_header"
