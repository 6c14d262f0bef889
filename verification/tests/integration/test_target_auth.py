"""Login through web's endpoint, then protected endpoints with the token it minted."""

from __future__ import annotations

import secrets

import pytest
import requests

from verification.targets.base import Target
from verification.tests.integration.conftest import HTTP_TIMEOUT_S, Api, login

pytestmark = pytest.mark.target


@pytest.mark.critical
@pytest.mark.parametrize("key", ["admin", "staff", "cadet"])
def test_login_then_protected_endpoint(target: Target, key: str) -> None:
    """Each role logs in and reads its own identity with the access token."""
    account = target.account(key)
    assert account is not None
    # when the account logs in
    response = login(target, account)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= {"access", "refresh", "user"}
    # then the token opens a protected endpoint as that user and nobody else
    me = Api(target.web_url, body["access"]).get("/api/v1/auth/me")
    assert me.status_code == 200, me.text
    assert me.json()["username"] == account.username
    assert me.json()["role"] == account.role


@pytest.mark.critical
def test_protected_endpoint_refuses_no_token(anonymous: Api) -> None:
    """No token: 401 with the error body, never data."""
    response = anonymous.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert "code" in response.json()


@pytest.mark.critical
def test_tampered_token_is_refused(target: Target, as_role) -> None:  # type: ignore[no-untyped-def]
    """A token whose signature was altered is refused with 401."""
    token = as_role("cadet").token
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[::-1]}"
    response = Api(target.web_url, forged).get("/api/v1/auth/me")
    assert response.status_code == 401


def test_wrong_password_is_refused(target: Target) -> None:
    """A wrong password gets 401 and no tokens (an unknown name, so no real account counts
    a failure toward its lockout)."""
    response = requests.post(
        f"{target.web_url}/api/v1/auth/login",
        json={"username": f"nobody-{secrets.token_hex(4)}", "password": "not the password"},
        timeout=HTTP_TIMEOUT_S,
    )
    assert response.status_code == 401
    assert "access" not in response.json()


def test_refresh_rotates_and_the_old_refresh_is_dead(target: Target) -> None:
    """Refreshing gives a working access token; the used refresh token is refused after."""
    account = target.account("staff")
    assert account is not None
    tokens = login(target, account).json()
    refreshed = requests.post(
        f"{target.web_url}/api/v1/auth/refresh",
        json={"refresh": tokens["refresh"]},
        timeout=HTTP_TIMEOUT_S,
    )
    assert refreshed.status_code == 200, refreshed.text
    new = refreshed.json()
    assert Api(target.web_url, new["access"]).get("/api/v1/auth/me").status_code == 200
    again = requests.post(
        f"{target.web_url}/api/v1/auth/refresh",
        json={"refresh": tokens["refresh"]},
        timeout=HTTP_TIMEOUT_S,
    )
    assert again.status_code == 401
