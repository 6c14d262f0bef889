"""POST /api/v1/auth/login: credentials, account states, response shape, audit trail."""

from __future__ import annotations

from collections.abc import Callable

import jwt
import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

from rgms.audit.models import AuditLog
from rgms.cadets.models import Cadet
from rgms.users.models import Role, User
from rgms.users.passwords import legacy_password_to_django

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def test_returns_tokens_and_user(login: Callable, make_user: Callable) -> None:
    # given an approved cadet with a completed profile
    cadet = Cadet.objects.create(
        first_name="Juan", last_name="Cruz", student_id="2024-0001", is_profile_completed=True
    )
    user = make_user(Role.CADET, username="juan", cadet=cadet)
    # when
    response = login("juan", PASSWORD)
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "user"}
    assert body["user"] == {
        "id": user.pk,
        "username": "juan",
        "role": "cadet",
        "cadet_id": cadet.pk,
        "staff_id": None,
        "is_profile_completed": True,
    }
    claims = jwt.decode(body["access"], django_settings.SECRET_KEY, algorithms=["HS256"])
    assert claims["user_id"] == str(user.pk)
    assert claims["role"] == "cadet"
    assert claims["token_type"] == "access"
    assert claims["exp"] - claims["iat"] == 15 * 60
    refresh = jwt.decode(body["refresh"], django_settings.SECRET_KEY, algorithms=["HS256"])
    assert refresh["token_type"] == "refresh"
    assert refresh["exp"] - refresh["iat"] == 7 * 24 * 3600


def test_access_token_opens_me(login: Callable, make_user: Callable) -> None:
    # given
    user = make_user(Role.TRAINING_STAFF, username="sgt")
    access = login("sgt", PASSWORD).json()["access"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    # when
    response = client.get("/api/v1/auth/me")
    # then
    assert response.status_code == 200
    assert response.json()["id"] == user.pk
    assert response.json()["role"] == "training_staff"


def test_email_logs_in_when_unique(login: Callable, make_user: Callable) -> None:
    # given
    make_user(Role.CADET, username="maria", email="Maria@Example.edu")
    # when (any case)
    response = login("maria@example.edu", PASSWORD)
    # then
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "maria"


def test_shared_email_asks_for_username(login: Callable, make_user: Callable) -> None:
    # given two accounts with one email (the legacy schema allows it)
    make_user(Role.CADET, username="a1", email="twins@example.edu")
    make_user(Role.CADET, username="a2", email="twins@example.edu")
    # when
    response = login("twins@example.edu", PASSWORD)
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "ambiguous_login"
    assert "username" in response.json()["errors"]
    # and the username still works
    assert login("a2", PASSWORD).status_code == 200


def test_password_is_never_trimmed(login: Callable, make_user: Callable) -> None:
    # given a password with leading and trailing spaces
    make_user(Role.CADET, username="spacey")
    User.objects.filter(username="spacey").update(password="")
    user = User.objects.get(username="spacey")
    user.set_password("  pass word  ")
    user.save()
    # then only the exact password logs in
    assert login("spacey", "  pass word  ").status_code == 200
    assert login("spacey", "pass word").status_code == 401
    assert login("spacey", "  pass word").status_code == 401


@pytest.mark.parametrize(
    "stored",
    [
        "bcrypt_sha256$$2b$12$notahash",
        "bcrypt$$2a$10$tooshort",
        "pbkdf2_sha256$abc",
        "md5$",
        "argon2$argon2id$v=19$garbage",
        "$2a$10$DUMMYDUMMYDUMMYDUMMYDUMMYDUMMYDUMMYDUMMYDUMMYDUMMYDUMMY",
        "plain text",
        "",
    ],
)
def test_invalid_stored_hash_is_a_failed_login(
    login: Callable, production_hashers: list[str], stored: str
) -> None:
    # given a corrupted or foreign password column
    User.objects.create(username="broken", role=Role.CADET, is_approved=True, password=stored)
    # when
    response = login("broken", "anything at all")
    # then a 401, never a 500
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_user_and_wrong_password_look_alike(login: Callable, make_user: Callable) -> None:
    # given
    make_user(Role.CADET, username="known")
    # when
    unknown = login("nobody", PASSWORD)
    wrong = login("known", "wrong password")
    # then
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"is_archived": True}, "account_archived"),
        ({"is_approved": False}, "account_pending_approval"),
    ],
)
def test_archived_and_unapproved_are_refused_without_tokens(
    login: Callable, make_user: Callable, fields: dict, code: str
) -> None:
    # given
    make_user(Role.CADET, username="blocked", **fields)
    # when the right password is given
    response = login("blocked", PASSWORD)
    # then 403 with a clear code, and no token anywhere in the body
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == code
    assert "access" not in body
    assert "refresh" not in body
    assert AuditLog.objects.filter(operation="login_refused").count() == 1


def test_archived_state_is_not_revealed_without_the_password(
    login: Callable, make_user: Callable
) -> None:
    # given
    make_user(Role.CADET, username="gone", is_archived=True)
    # when the password is wrong
    response = login("gone", "wrong password")
    # then it is an ordinary failed login
    assert response.status_code == 401


def test_migrated_placeholder_user_cannot_log_in(
    login: Callable, production_hashers: list[str]
) -> None:
    # given a cadet imported with the legacy placeholder
    placeholder = "$2a$10$DUMMYHASHFORIMPORTEDCADETSXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
    user = User.objects.create(
        username="2023-0001",
        role=Role.CADET,
        is_approved=True,
        password=legacy_password_to_django(placeholder),
    )
    # when, whatever the password
    for attempt in ("", " ", placeholder, "DUMMY", "password"):
        response = login("2023-0001", attempt)
        # then
        assert response.status_code in {400, 401}  # "" is refused as blank input
    assert not User.objects.get(pk=user.pk).has_usable_password()


def test_blank_password_is_refused_as_input(login: Callable, make_user: Callable) -> None:
    make_user(Role.CADET, username="blank")
    response = login("blank", "")
    assert response.status_code == 400
    assert "password" in response.json()["errors"]


def test_success_and_failure_are_audited_with_ip(login: Callable, make_user: Callable) -> None:
    # given
    user = make_user(Role.CADET, username="audited")
    # when
    login("audited", "wrong password", ip="203.0.113.50")
    login("audited", PASSWORD, ip="203.0.113.50")
    # then
    failed = AuditLog.objects.get(operation="login_failed")
    assert failed.table_name == "auth"
    assert failed.ip_address == "203.0.113.50"
    assert failed.user_id == user.pk
    assert failed.payload["username"] == "audited"
    assert failed.payload["reason"] == "bad_password"
    assert failed.created_at is not None
    assert "wrong password" not in str(failed.payload)
    succeeded = AuditLog.objects.get(operation="login_succeeded")
    assert succeeded.ip_address == "203.0.113.50"


def test_login_records_last_login(login: Callable, make_user: Callable) -> None:
    user = make_user(Role.CADET, username="seen")
    login("seen", PASSWORD)
    user.refresh_from_db()
    assert user.last_login is not None
    assert user.last_seen == user.last_login


def test_stale_authorization_header_does_not_block_login(
    api_client: APIClient, make_user: Callable
) -> None:
    # given a client still sending an old, invalid token
    make_user(Role.CADET, username="stale")
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    # when
    response = api_client.post(
        "/api/v1/auth/login", {"username": "stale", "password": PASSWORD}, format="json"
    )
    # then
    assert response.status_code == 200
