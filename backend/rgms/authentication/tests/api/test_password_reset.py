"""Password reset, end to end: the admin-issued link and the email link give accounts migrated
without a usable password a way in; both are one-time, expiring and audited."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core import mail
from rest_framework.test import APIClient

from rgms.audit.models import AuditLog
from rgms.users.models import Role, User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Bagong password 2026!"
ISSUE = "/api/v1/auth/password-reset/issue"
REQUEST = "/api/v1/auth/password-reset/request"
CONFIRM = "/api/v1/auth/password-reset/confirm"


@pytest.fixture
def placeholder_cadet(db: None) -> User:
    """A cadet imported with the legacy placeholder: an unusable password."""
    return User.objects.create_user(
        "2022-0420", None, role=Role.CADET, is_approved=True, email="cadet@example.edu"
    )


def confirm(uid: str, token: str, password: str = NEW_PASSWORD) -> object:
    return APIClient().post(
        CONFIRM, {"uid": uid, "token": token, "new_password": password}, format="json"
    )


def link_params(url: str) -> tuple[str, str]:
    query = parse_qs(urlsplit(url).query)
    return query["uid"][0], query["token"][0]


def test_admin_issued_link_lets_a_placeholder_cadet_in(
    admin_client: APIClient, admin_user: User, placeholder_cadet: User, login: Callable
) -> None:
    # given a cadet who cannot log in
    assert not placeholder_cadet.has_usable_password()
    assert login("2022-0420", NEW_PASSWORD).status_code == 401
    # when an admin issues a reset link
    issued = admin_client.post(ISSUE, {"user_id": placeholder_cadet.pk}, format="json")
    # then
    assert issued.status_code == 201
    body = issued.json()
    assert body["user_id"] == placeholder_cadet.pk
    assert body["username"] == "2022-0420"
    assert body["reset_url"].startswith("http")
    assert link_params(body["reset_url"]) == (body["uid"], body["token"])
    assert datetime.fromisoformat(body["expires_at"]) > datetime.now(tz=UTC)
    # when the cadet uses it
    assert confirm(body["uid"], body["token"]).status_code == 204
    # then the cadet logs in with the new password
    assert login("2022-0420", NEW_PASSWORD).status_code == 200
    # and the link is spent
    reused = confirm(body["uid"], body["token"], "Another good password 7")
    assert reused.status_code == 400
    assert reused.json()["code"] == "invalid_reset_token"
    # and it is all audited
    operations = set(AuditLog.objects.values_list("operation", flat=True))
    assert {"password_reset_issued", "password_reset_completed"} <= operations
    issued_entry = AuditLog.objects.get(operation="password_reset_issued")
    assert issued_entry.user_id == admin_user.pk
    assert issued_entry.record_id == placeholder_cadet.pk


@pytest.mark.parametrize("client_name", ["staff_client", "cadet_client", "api_client"])
def test_only_admins_issue_links(
    request: pytest.FixtureRequest, client_name: str, placeholder_cadet: User
) -> None:
    client = request.getfixturevalue(client_name)
    response = client.post(ISSUE, {"user_id": placeholder_cadet.pk}, format="json")
    assert response.status_code == (401 if client_name == "api_client" else 403)


def test_issue_for_missing_or_archived_account(
    admin_client: APIClient, make_user: Callable
) -> None:
    assert admin_client.post(ISSUE, {"user_id": 999999}, format="json").status_code == 404
    archived = make_user(Role.CADET, is_archived=True)
    response = admin_client.post(ISSUE, {"user_id": archived.pk}, format="json")
    assert response.status_code == 400


def test_issued_link_can_also_be_emailed(
    admin_client: APIClient,
    placeholder_cadet: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            ISSUE, {"user_id": placeholder_cadet.pk, "send_email": True}, format="json"
        )
    assert response.json()["email_queued"] is True
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["cadet@example.edu"]


def test_link_expires(admin_client: APIClient, placeholder_cadet: User, settings) -> None:
    # given a link issued now
    body = admin_client.post(ISSUE, {"user_id": placeholder_cadet.pk}, format="json").json()
    # when used after PASSWORD_RESET_TIMEOUT
    later = datetime.now(tz=UTC) + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later):
        response = confirm(body["uid"], body["token"])
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_reset_token"


def test_email_reset_flow_end_to_end(
    placeholder_cadet: User, login: Callable, django_capture_on_commit_callbacks: Callable
) -> None:
    # when the cadet asks by email address
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(REQUEST, {"email": "Cadet@Example.edu"}, format="json")
    # then the same 202 as always, and a mail with a link
    assert response.status_code == 202
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cadet@example.edu"]
    assert "2022-0420" in message.body
    url = re.search(r"https?://\S+", message.body).group(0)
    uid, token = link_params(url)
    # when the link is used
    assert confirm(uid, token).status_code == 204
    # then
    assert login("2022-0420", NEW_PASSWORD).status_code == 200
    assert confirm(uid, token).status_code == 400
    entry = AuditLog.objects.get(operation="password_reset_requested")
    assert entry.user_id == placeholder_cadet.pk


def test_request_by_username(
    placeholder_cadet: User, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(REQUEST, {"username": "2022-0420"}, format="json")
    assert response.status_code == 202
    assert len(mail.outbox) == 1


def test_request_does_not_reveal_accounts(
    placeholder_cadet: User, django_capture_on_commit_callbacks: Callable
) -> None:
    # when asking for a known and an unknown address
    with django_capture_on_commit_callbacks(execute=True):
        known = APIClient().post(REQUEST, {"email": "cadet@example.edu"}, format="json")
        unknown = APIClient().post(REQUEST, {"email": "ghost@example.edu"}, format="json")
    # then the answers are identical
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert len(mail.outbox) == 1


def test_request_needs_an_identifier(db: None) -> None:
    response = APIClient().post(REQUEST, {}, format="json")
    assert response.status_code == 400


def test_requests_per_identifier_are_limited(
    placeholder_cadet: User, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(6):
            response = APIClient().post(REQUEST, {"email": "cadet@example.edu"}, format="json")
            assert response.status_code == 202
    assert len(mail.outbox) == 3


def test_archived_accounts_get_no_mail(
    make_user: Callable, django_capture_on_commit_callbacks: Callable
) -> None:
    make_user(Role.CADET, email="old@example.edu", is_archived=True)
    with django_capture_on_commit_callbacks(execute=True):
        APIClient().post(REQUEST, {"email": "old@example.edu"}, format="json")
    assert mail.outbox == []


def test_confirm_validates_the_new_password(
    admin_client: APIClient, placeholder_cadet: User
) -> None:
    body = admin_client.post(ISSUE, {"user_id": placeholder_cadet.pk}, format="json").json()
    for weak in ("short", "12345678901", "password123", "2022-0420x"):
        response = confirm(body["uid"], body["token"], weak)
        assert response.status_code == 400
        assert "new_password" in response.json()["errors"]
    # the link still works with an acceptable password
    assert confirm(body["uid"], body["token"]).status_code == 204


@pytest.mark.parametrize(
    ("uid", "token"),
    [("", "x"), ("!!", "x"), ("MQ", "bad-token"), ("OTk5OTk5", "abc-def"), ("LTE", "x")],
)
def test_confirm_refuses_bad_links(db: None, uid: str, token: str) -> None:
    response = confirm(uid, token)
    assert response.status_code == 400


def test_reset_retires_existing_sessions(
    admin_client: APIClient, make_user: Callable, login: Callable
) -> None:
    # given a logged-in user
    user = make_user(Role.CADET, username="forgetful")
    session = login("forgetful", "correct horse battery").json()
    body = admin_client.post(ISSUE, {"user_id": user.pk}, format="json").json()
    # when the password is reset
    assert confirm(body["uid"], body["token"]).status_code == 204
    # then the old session's tokens are refused
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {session['access']}")
    assert client.get("/api/v1/auth/me").status_code == 401
    refresh = APIClient().post(
        "/api/v1/auth/refresh", {"refresh": session["refresh"]}, format="json"
    )
    assert refresh.status_code == 401
