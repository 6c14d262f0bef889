"""Who may open a socket: only the holder of a valid access token of an active, approved
user. Every refusal is a close with 4401 right after the handshake, before any message, on
every route; a refused socket joins no group."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import timedelta

import jwt
import pytest
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from rgms.realtime.middleware import check_token, token_from_query
from rgms.realtime.tests.conftest import access_token, assert_refused, receive, token_class
from rgms.users.models import Role, User

pytestmark = pytest.mark.django_db(transaction=True)

ROUTES = ["/ws/notifications/", "/ws/updates/", "/ws/chat/staff/"]


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _unb64(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def tampered(token: str, **claims: object) -> str:
    header, payload, signature = token.split(".")
    return ".".join([header, _b64({**_unb64(payload), **claims}), signature])


def expired(user: User) -> str:
    token = token_class().for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1), lifetime=timedelta(minutes=15))
    return str(token)


def foreign_key_signed(user: User) -> str:
    now = int(timezone.now().timestamp())
    claims = {
        "token_type": "access",
        "exp": now + 600,
        "iat": now,
        "jti": "f" * 32,
        "user_id": str(user.pk),
    }
    return jwt.encode(claims, "another-key-" * 8, algorithm="HS256")


def blacklisted(user: User) -> str:
    token = token_class().for_user(user)
    outstanding = OutstandingToken.objects.create(
        user=user,
        jti=token["jti"],
        token=str(token),
        created_at=timezone.now(),
        expires_at=timezone.now() + timedelta(minutes=15),
    )
    BlacklistedToken.objects.create(token=outstanding)
    return str(token)


def archived(make_user: Callable[..., User]) -> str:
    return access_token(make_user(Role.TRAINING_STAFF, is_archived=True))


def unapproved(make_user: Callable[..., User]) -> str:
    return access_token(make_user(Role.TRAINING_STAFF, is_approved=False))


def deleted(make_user: Callable[..., User]) -> str:
    """A valid token of a user id that no longer exists."""
    user = make_user(Role.TRAINING_STAFF)
    token = token_class().for_user(user)
    token["user_id"] = str(User.objects.order_by("-pk").values_list("pk", flat=True)[0] + 100)
    return str(token)


@pytest.fixture
def refusals(staff_user: User, admin_user: User, make_user: Callable[..., User]) -> dict:
    token = access_token(staff_user)
    return {
        "no token": None,
        "empty token": "",
        "garbage": "not-a-jwt",
        "tampered user id": tampered(token, user_id=str(admin_user.pk)),
        "tampered signature": token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"),
        "alg none": tampered(token, alg="none").split(".")[0] + "." + token.split(".")[1] + ".",
        "expired": expired(staff_user),
        "signed with another key": foreign_key_signed(staff_user),
        "refresh token": str(RefreshToken.for_user(staff_user)),
        "blacklisted": blacklisted(staff_user),
        "archived user": archived(make_user),
        "unapproved user": unapproved(make_user),
        "deleted user": deleted(make_user),
    }


@pytest.mark.parametrize("path", ROUTES)
async def test_every_bad_token_is_refused_with_4401(path, refusals, open_socket, channel_layer):
    for name, token in refusals.items():
        # given a socket opened with a token that must not pass
        socket = await open_socket(path, token)

        # then the server closes it at once with 4401, having sent nothing else
        try:
            await assert_refused(socket, 4401)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc
        # and it joined no group
        assert not any(channel_layer.groups.values()), name


async def test_valid_token_connects_as_its_user(open_socket, cadet_user, channel_layer):
    # given a cadet's valid access token
    socket = await open_socket("/ws/notifications/", access_token(cadet_user))

    # when the client pings
    await socket.send_json_to({"type": "ping"})

    # then the socket is open, and it is the cadet's socket (their groups, nobody else's)
    assert (await receive(socket))["type"] == "pong"
    members = {group for group, channels in channel_layer.groups.items() if channels}
    assert members == {f"user.{cadet_user.pk}", f"session.{cadet_user.pk}"}


async def test_token_is_read_from_the_query_string_among_other_parameters(open_socket, cadet_user):
    query = f"lang=en&token={access_token(cadet_user)}&x=1"
    socket = await open_socket("/ws/notifications/", query=query)
    await socket.send_json_to({"type": "ping"})
    assert (await receive(socket))["type"] == "pong"


def test_check_token_names_the_reason(staff_user, make_user):
    assert check_token("").error == "missing"
    assert check_token("x" * 5000).error == "invalid"
    assert check_token("not-a-jwt").error == "invalid"
    assert check_token(expired(staff_user)).error == "expired"
    assert check_token(foreign_key_signed(staff_user)).error == "invalid"
    assert check_token(blacklisted(staff_user)).error == "blacklisted"
    assert check_token(archived(make_user)).error == "inactive"
    assert check_token(unapproved(make_user)).error == "unapproved"
    assert check_token(deleted(make_user)).error == "unknown_user"
    ok = check_token(access_token(staff_user))
    assert ok.error is None
    assert ok.user.pk == staff_user.pk


def test_token_from_query():
    assert token_from_query(b"token=abc") == "abc"
    assert token_from_query(b"a=1&token=abc&token=def") == "abc"
    assert token_from_query(b"") == ""
    assert token_from_query(b"tok=abc") == ""
    assert token_from_query("token=\xff".encode("latin-1")) == "\xff"
