"""The JWT authentication of every REST request and websocket connection.

simplejwt's JWTAuthentication, plus what RGMS requires of a token's user: it exists, is not
archived, is approved, still has the role the token names, and has not changed its password
since the token was issued. Only access tokens are accepted (a refresh token is refused), and
only tokens carrying every claim of ``rgms.authentication.tokens.REQUIRED_CLAIMS``.
Refusals are 401s with the one error body (code ``token_not_valid``, ``account_archived``...).
"""

from __future__ import annotations

from typing import Any

from django.utils.crypto import constant_time_compare
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import TokenError

from rgms.api.caching import want_reads_of
from rgms.authentication.exceptions import TokenRefused
from rgms.authentication.tokens import (
    PASSWORD_VERSION_CLAIM,
    ROLE_CLAIM,
    AccessToken,
    password_version,
)
from rgms.users.caching import user_by_id
from rgms.users.models import User


def token_error_message(exc: TokenError) -> str:
    message = str(exc.args[0]) if exc.args else "Token is invalid"
    return message if message.endswith(".") else f"{message}."


def user_token_refusal(
    user: User, claims: Any, *, current_password_version: str | None = None
) -> TokenRefused | None:
    """Why a correctly signed token of this user must still be refused, or None.
    `current_password_version`: the user's, when known (a cached user has no password hash)."""
    if user.is_archived:
        return TokenRefused("This account is archived.", code="account_archived")
    if not user.is_approved:
        return TokenRefused("This account is pending approval.", code="account_pending_approval")
    if claims.get(ROLE_CLAIM) != user.role:
        return TokenRefused("The account's role has changed; log in again.", code="role_changed")
    current = current_password_version or password_version(user)
    if not constant_time_compare(str(claims.get(PASSWORD_VERSION_CLAIM)), current):
        return TokenRefused(
            "The password has changed since this token was issued; log in again.",
            code="password_changed",
        )
    return None


class RGMSJWTAuthentication(authentication.JWTAuthentication):
    """Bearer access tokens only, of active, approved users (REST_FRAMEWORK default)."""

    view: Any = None  # the DRF view being served, when there is one

    def authenticate(self, request: Request) -> tuple[User, AccessToken] | None:
        self.view = (request.parser_context or {}).get("view")
        return super().authenticate(request)

    def get_raw_token(self, header: bytes) -> bytes | None:
        try:
            return super().get_raw_token(header)
        except exceptions.AuthenticationFailed as exc:  # simplejwt's dict-shaped message
            raise TokenRefused(
                "The Authorization header must be 'Bearer <token>'.",
                code="bad_authorization_header",
            ) from exc

    def get_validated_token(self, raw_token: bytes) -> AccessToken:
        try:
            return AccessToken(raw_token)  # type: ignore[arg-type]
        except TokenError as exc:
            raise TokenRefused(token_error_message(exc)) from exc

    def get_user(self, validated_token: Any) -> User:
        want_reads_of(self.view, validated_token)  # fetched with the user (rgms.api.caching)
        try:
            found = user_by_id(validated_token.user_id)
        except User.DoesNotExist as exc:
            raise TokenRefused("User not found.", code="user_not_found") from exc
        refusal = user_token_refusal(
            found.user, validated_token, current_password_version=found.password_version
        )
        if refusal is not None:
            raise refusal
        return found.user


def user_for_access_token(raw: str) -> User | None:
    """The user an access token authenticates, or None when it is refused for any reason.
    For callers outside DRF (the websocket middleware); synchronous, queries the database."""
    auth = RGMSJWTAuthentication()
    try:
        return auth.get_user(auth.get_validated_token(raw.encode()))
    except TokenRefused:
        return None
