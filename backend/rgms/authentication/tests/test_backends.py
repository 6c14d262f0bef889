"""RGMSJWTAuthentication outside DRF (the websocket middleware and user_for_access_token), and
the access token's signature checked once per process."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import time_machine
from django.conf import settings
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken as SimpleJWTRefreshToken

from rgms.authentication.backends import user_for_access_token
from rgms.authentication.tokens import (
    AccessToken,
    RefreshToken,
    access_token_for_user,
    token_pair_for_user,
)
from rgms.users.models import Role, User

pytestmark = pytest.mark.django_db


def test_is_the_rest_default() -> None:
    classes = settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    assert classes == ["rgms.authentication.backends.RGMSJWTAuthentication"]


def test_user_for_access_token(make_user: Callable) -> None:
    user = make_user(Role.CADET)
    assert user_for_access_token(access_token_for_user(user)) == user
    assert user_for_access_token("garbage") is None
    assert user_for_access_token(token_pair_for_user(user).refresh) is None
    User.objects.filter(pk=user.pk).update(is_archived=True)
    assert user_for_access_token(access_token_for_user(user)) is None


def test_tokens_minted_by_plain_simplejwt_are_refused(make_user: Callable) -> None:
    # given a token without the RGMS claims (role, pwv)
    user = make_user(Role.ADMIN)
    foreign = str(SimpleJWTRefreshToken.for_user(user).access_token)
    # then
    assert user_for_access_token(foreign) is None


def test_access_token_claims(make_user: Callable) -> None:
    user = make_user(Role.TRAINING_STAFF)
    refresh = RefreshToken.for_user(user)
    access = refresh.access_token
    for token in (refresh, access):
        assert token["user_id"] == str(user.pk)
        assert token["role"] == "training_staff"
        assert "pwv" in token.payload
    assert access["jti"] != refresh["jti"]


@pytest.mark.django_db(transaction=True)  # the socket's thread has its own connection
async def test_websocket_middleware_uses_the_same_rules(make_user: Callable) -> None:
    from channels.db import database_sync_to_async

    from rgms.realtime import middleware

    def user_of(result: object) -> object:
        return getattr(result, "user", result)

    # given
    user = await database_sync_to_async(make_user)(Role.CADET)
    good = access_token_for_user(user)
    refresh = await database_sync_to_async(lambda: token_pair_for_user(user).refresh)()
    # then the socket's user is the token's user; refresh tokens and archived users are refused
    assert user_of(await middleware.user_for_token(good)) == user
    assert user_of(await middleware.user_for_token(refresh)) is None
    await database_sync_to_async(User.objects.filter(pk=user.pk).update)(is_archived=True)
    assert user_of(await middleware.user_for_token(good)) is None


# --- a token's signature is checked once per process (tokens._RememberingBackend) ---------


def test_a_token_is_decoded_by_pyjwt_once(make_user: Callable, monkeypatch) -> None:
    # given a fresh token, and PyJWT's decode counted
    user = make_user(Role.CADET)
    token = access_token_for_user(user)
    calls = []
    real_decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **kw: calls.append(1) or real_decode(*a, **kw))
    # when it authenticates three times
    users = [user_for_access_token(token) for _ in range(3)]
    # then every use found the user, and the signature was checked once
    assert users == [user, user, user]
    assert len(calls) == 1


def test_a_remembered_token_still_expires_with_the_same_message(make_user: Callable) -> None:
    user = make_user(Role.CADET)
    token = access_token_for_user(user)
    assert user_for_access_token(token) == user  # remembered now
    with time_machine.travel(datetime.now(tz=UTC) + timedelta(minutes=15, seconds=1)):
        assert user_for_access_token(token) is None
        with pytest.raises(TokenError, match=r"^Token is expired$"):
            AccessToken(token)


def test_the_same_claims_under_another_key_are_refused(make_user: Callable) -> None:
    # given a genuine token, used (so remembered), and a copy of its claims signed elsewhere
    user = make_user(Role.ADMIN)
    genuine = access_token_for_user(user)
    assert user_for_access_token(genuine) == user
    forged = jwt.encode(AccessToken(genuine).payload, "another key " * 4, algorithm="HS256")
    # then
    assert forged != genuine
    assert user_for_access_token(forged) is None


def test_claims_set_on_one_token_do_not_leak_into_the_next(make_user: Callable) -> None:
    token = access_token_for_user(make_user(Role.CADET))
    first = AccessToken(token)
    first["role"] = "admin"
    assert AccessToken(token)["role"] == "cadet"
