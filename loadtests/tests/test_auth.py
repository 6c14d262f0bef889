"""Unit tests of the per-user session: one login, bearer token, early refresh, retry on 401.

A fake client stands in for locust's ``HttpSession``: it answers from a script and records, like
locust, whether each request was marked a success or a failure.
"""

from __future__ import annotations

import base64
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import pytest

from loadtests.common import endpoints
from loadtests.common.auth import ApiUser, jwt_expiry, login_problem
from loadtests.common.data import Credentials
from loadtests.common.thresholds import RequestClass

READ = RequestClass.READ


def make_jwt(exp: float | None) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    claims = {"user_id": 1} if exp is None else {"user_id": 1, "exp": exp}
    return f"{part({'alg': 'HS256'})}.{part(claims)}.signature"


@dataclass
class Sent:
    method: str
    url: str
    kwargs: dict[str, Any]
    outcome: str = "unreported"  # "success" / "failure: ..." as locust would record it


@dataclass
class FakeResponse:
    status_code: int
    body: Any
    sent: Sent

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def json(self) -> Any:
        if isinstance(self.body, str):
            raise ValueError("not JSON")
        return self.body

    def success(self) -> None:
        self.sent.outcome = "success"

    def failure(self, exc: Any) -> None:
        self.sent.outcome = f"failure: {exc}"


@dataclass
class FakeClient:
    script: deque[tuple[int, Any]] = field(default_factory=deque)
    sent: list[Sent] = field(default_factory=list)

    def answer(self, status: int, body: Any) -> FakeClient:
        self.script.append((status, body))
        return self

    def request(self, method: str, url: str, **kwargs: Any) -> FakeResponse:
        sent = Sent(method, url, kwargs)
        self.sent.append(sent)
        status, body = self.script.popleft()
        return FakeResponse(status, body, sent)


def login_body(access: str, refresh: str = "r1") -> dict[str, Any]:
    return {"access": access, "refresh": refresh, "user": {"id": 1, "role": "cadet"}}


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


CREDS = Credentials("c0001", " secret ")


def test_login_posts_credentials_verbatim_and_keeps_tokens() -> None:
    client = FakeClient().answer(200, login_body("a1"))
    user = ApiUser(client, CREDS)

    assert user.login() is True

    (sent,) = client.sent
    assert (sent.method, sent.url) == ("POST", endpoints.LOGIN)
    assert sent.kwargs["json"] == {"username": "c0001", "password": " secret "}
    assert "Authorization" not in sent.kwargs["headers"]
    assert sent.kwargs["context"] == {"load_class": "write"}
    assert sent.kwargs["catch_response"] is True
    assert sent.kwargs["timeout"] > 0
    assert sent.outcome == "success"
    assert user.tokens is not None
    assert user.tokens.access == "a1"
    assert user.user == {"id": 1, "role": "cadet"}


def test_logs_in_once_then_sends_the_bearer_token() -> None:
    client = FakeClient().answer(200, login_body("a1"))
    client.answer(200, {"id": 1}).answer(200, {"id": 1})
    user = ApiUser(client, CREDS)

    user.call("GET", endpoints.ME, name=endpoints.NAME_ME, load_class=READ)
    user.call("GET", endpoints.ME, name=endpoints.NAME_ME, load_class=READ)

    assert [s.url for s in client.sent] == [endpoints.LOGIN, endpoints.ME, endpoints.ME]
    assert client.sent[1].kwargs["headers"]["Authorization"] == "Bearer a1"
    assert client.sent[1].kwargs["context"] == {"load_class": "read"}
    assert client.sent[1].kwargs["name"] == endpoints.NAME_ME


@pytest.mark.parametrize(
    ("status", "body", "problem"),
    [
        (401, {"detail": "bad"}, "status 401"),
        (200, {"access": "a"}, "lacks access/refresh"),
        (200, {"access": "a", "refresh": "r"}, "lacks the user"),
        (200, "<html>", "not a JSON object"),
    ],
)
def test_failed_login_is_a_failed_request(status: int, body: Any, problem: str) -> None:
    client = FakeClient().answer(status, body)
    user = ApiUser(client, CREDS)

    assert user.login() is False
    assert user.tokens is None
    assert problem in client.sent[0].outcome


def test_call_without_tokens_after_failed_login_sends_nothing_more() -> None:
    client = FakeClient().answer(500, {"message": "down"})
    user = ApiUser(client, CREDS)

    assert user.call("GET", endpoints.ME, name=endpoints.NAME_ME, load_class=READ) is None
    assert [s.url for s in client.sent] == [endpoints.LOGIN]


def test_refreshes_shortly_before_the_access_token_expires() -> None:
    # given a token expiring at t=1000 and a 30 s margin
    clock = Clock(900.0)
    client = FakeClient().answer(200, login_body(make_jwt(1000)))
    user = ApiUser(client, CREDS, clock=clock, refresh_margin_s=30)
    user.login()

    # when a request is made at t=900 (no refresh), then at t=975 (inside the margin)
    client.answer(200, {"id": 1})
    user.call("GET", endpoints.ME, name=endpoints.NAME_ME, load_class=READ)
    clock.now = 975.0
    client.answer(200, {"access": make_jwt(2000)}).answer(200, {"id": 1})
    user.call("GET", endpoints.ME, name=endpoints.NAME_ME, load_class=READ)

    # then the refresh happened before the second request, with the refresh token
    assert [s.url for s in client.sent] == [
        endpoints.LOGIN,
        endpoints.ME,
        endpoints.REFRESH,
        endpoints.ME,
    ]
    assert client.sent[2].kwargs["json"] == {"refresh": "r1"}
    assert client.sent[3].kwargs["headers"]["Authorization"] == f"Bearer {make_jwt(2000)}"
    assert all(s.outcome == "success" for s in client.sent)


def test_rotated_refresh_token_is_kept() -> None:
    client = (
        FakeClient()
        .answer(200, login_body("a1", "r1"))
        .answer(200, {"access": "a2", "refresh": "r2"})
    )
    user = ApiUser(client, CREDS)
    user.login()

    assert user.refresh() is True
    assert user.tokens is not None
    assert (user.tokens.access, user.tokens.refresh) == ("a2", "r2")


def test_401_counts_as_a_failure_then_refreshes_and_retries_once() -> None:
    client = FakeClient().answer(200, login_body("a1"))
    client.answer(401, {"detail": "token not valid"})
    client.answer(200, {"access": "a2"})
    client.answer(200, {"id": 1})
    user = ApiUser(client, CREDS)

    status, body = user.call("GET", endpoints.ME, name=endpoints.NAME_ME, load_class=READ) or (0, 0)

    assert (status, body) == (200, {"id": 1})
    assert [s.url for s in client.sent] == [
        endpoints.LOGIN,
        endpoints.ME,
        endpoints.REFRESH,
        endpoints.ME,
    ]
    assert client.sent[1].outcome.startswith("failure: status 401")
    assert client.sent[3].kwargs["headers"]["Authorization"] == "Bearer a2"
    assert client.sent[3].outcome == "success"


def test_failed_refresh_falls_back_to_a_new_login() -> None:
    client = FakeClient().answer(200, login_body("a1"))
    client.answer(401, {}).answer(401, {}).answer(200, login_body("a3")).answer(200, {"id": 1})
    user = ApiUser(client, CREDS)

    user.call("GET", endpoints.ME, name=endpoints.NAME_ME, load_class=READ)

    assert [s.url for s in client.sent] == [
        endpoints.LOGIN,
        endpoints.ME,
        endpoints.REFRESH,
        endpoints.LOGIN,
        endpoints.ME,
    ]
    assert client.sent[-1].kwargs["headers"]["Authorization"] == "Bearer a3"


def test_unexpected_status_and_invalid_body_are_failures() -> None:
    client = FakeClient().answer(200, login_body("a1"))
    client.answer(204, None).answer(201, "not json")
    user = ApiUser(client, CREDS)

    def object_body(data: Any) -> str | None:
        return None if isinstance(data, dict) else "body is not a JSON object"

    user.call("POST", endpoints.ATTENDANCE, name="a", load_class=READ, expect=(200, 201))
    user.call(
        "POST", endpoints.ATTENDANCE, name="a", load_class=READ, expect=(201,), validate=object_body
    )

    assert client.sent[1].outcome == "failure: status 204, expected one of [200, 201]"
    assert client.sent[2].outcome == "failure: body is not a JSON object"


def test_params_and_body_are_passed_through() -> None:
    client = FakeClient().answer(200, login_body("a1")).answer(200, [])
    user = ApiUser(client, CREDS)

    user.call(
        "GET",
        endpoints.CADETS,
        name="roster",
        load_class=READ,
        params={"page": 2, "page_size": 100},
    )

    assert client.sent[1].kwargs["params"] == {"page": 2, "page_size": 100}
    assert "json" not in client.sent[1].kwargs


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (make_jwt(1_700_000_000), 1_700_000_000.0),
        (make_jwt(None), None),
        ("not-a-jwt", None),
        ("a.!!!.c", None),
        ("a." + base64.urlsafe_b64encode(b"[1]").decode() + ".c", None),
    ],
)
def test_jwt_expiry_is_read_without_verification(token: str, expected: float | None) -> None:
    assert jwt_expiry(token) == expected


def test_login_problem_accepts_the_documented_answer() -> None:
    assert login_problem(login_body("a")) is None
