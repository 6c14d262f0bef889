"""Authenticated API calls for one simulated user: log in once, bearer header, refresh tokens.

Each simulated user logs in once (``POST /api/v1/auth/login`` with ``{username, password}``,
answered by ``{access, refresh, user}``) and then sends ``Authorization: Bearer <access>``.

Tokens are refreshed (``POST /api/v1/auth/refresh`` with ``{refresh}``) shortly *before* the access
token expires, read from its ``exp`` claim, so that a healthy run sees no 401 at all. A 401 that
still happens is therefore a real failure (the server refused a token it issued) and is counted
as one; the user then refreshes (or logs in again) and retries the request once.

Every request goes through locust's ``catch_response`` so that the scenario, not the status code
alone, decides success: an unexpected 2xx (say 204 where 201 was promised) or a login answer without
tokens is a failure. Nothing in this module imports locust: the client is anything with locust's
``HttpSession.request`` signature, which keeps it testable with a fake.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Final, Protocol

from loadtests.common import endpoints
from loadtests.common.data import Credentials
from loadtests.common.recorder import CONTEXT_KEY
from loadtests.common.thresholds import RequestClass

logger = logging.getLogger(__name__)

# Every outbound call has a timeout; a request that hits it counts as a failed, 30 s-slow request.
REQUEST_TIMEOUT_S: Final = 30.0
# Refresh this long before expiry so that a request in flight never carries a just-expired token.
REFRESH_MARGIN_S: Final = 30.0
_JWT_SEGMENTS: Final = 3  # header.payload.signature

Validator = Callable[[Any], str | None]


class CaughtResponse(Protocol):
    """What locust's ``ResponseContextManager`` offers (and the test fake imitates)."""

    status_code: int

    def __enter__(self) -> CaughtResponse: ...
    def __exit__(self, *exc: object) -> bool | None: ...
    def json(self) -> Any: ...
    def success(self) -> None: ...
    def failure(self, exc: Any) -> None: ...


@dataclass
class Tokens:
    """The current token pair and when the access token expires (epoch seconds, if known)."""

    access: str
    refresh: str
    access_expires_at: float | None


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT, read without verifying it (only to schedule the refresh)."""
    parts = token.split(".")
    if len(parts) != _JWT_SEGMENTS:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def login_problem(data: Any) -> str | None:
    """What is wrong with a login answer, or None if it is ``{access, refresh, user}``."""
    if not isinstance(data, dict):
        return "login answer is not a JSON object"
    if not isinstance(data.get("access"), str) or not isinstance(data.get("refresh"), str):
        return "login answer lacks access/refresh tokens"
    if not isinstance(data.get("user"), dict):
        return "login answer lacks the user object"
    return None


def refresh_problem(data: Any) -> str | None:
    """What is wrong with a refresh answer, or None if it carries an access token."""
    if not isinstance(data, dict) or not isinstance(data.get("access"), str):
        return "refresh answer lacks an access token"
    return None


def _json(response: CaughtResponse) -> Any:
    try:
        return response.json()
    except ValueError:  # requests' JSONDecodeError is a ValueError
        return None


class ApiUser:
    """One simulated user's authenticated session over a locust-like HTTP client."""

    def __init__(
        self,
        # locust's HttpSession, or a test fake: only ``request(method, url, name=, headers=,
        # catch_response=True, context=, timeout=, json=, params=)`` returning a CaughtResponse is
        # used. Typed Any because locust's own signature (TypedDict kwargs, untyped
        # success/failure) cannot be matched by a Protocol.
        client: Any,
        credentials: Credentials,
        *,
        login_class: RequestClass = RequestClass.WRITE,
        clock: Callable[[], float] = time.time,
        refresh_margin_s: float = REFRESH_MARGIN_S,
    ) -> None:
        self._client = client
        self.credentials = credentials
        # The login is a POST that runs a password hash: a write by nature. The read mix still
        # judges its failures (errors-only scope) without letting bcrypt time into read latency.
        self._login_class = login_class
        self._clock = clock
        self._margin = refresh_margin_s
        self.tokens: Tokens | None = None
        self.user: Mapping[str, Any] | None = None

    @property
    def logged_in(self) -> bool:
        """Whether the user holds tokens."""
        return self.tokens is not None

    def _send(
        self,
        method: str,
        path: str,
        *,
        name: str,
        load_class: RequestClass,
        expect: Collection[int],
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        validate: Validator | None = None,
        authenticated: bool = True,
    ) -> tuple[int, Any]:
        """One request, judged here; returns (status, decoded JSON or None)."""
        headers = {"Accept": "application/json"}
        if authenticated and self.tokens is not None:
            headers["Authorization"] = f"Bearer {self.tokens.access}"
        kwargs: dict[str, Any] = {
            "name": name,
            "headers": headers,
            "catch_response": True,
            "context": {CONTEXT_KEY: load_class.value},
            "timeout": REQUEST_TIMEOUT_S,
        }
        if body is not None:
            kwargs["json"] = body
        if params is not None:
            kwargs["params"] = dict(params)
        with self._client.request(method, path, **kwargs) as response:
            status = response.status_code
            data = _json(response)
            # Decide inside the with-block: locust reports the request when the block exits, and
            # an exception escaping it would drop the sample, so nothing below may raise.
            if status == 0:
                # locust's stand-in response for a connection error or timeout
                response.failure(f"no response: {getattr(response, 'error', None)!r}")
            elif status not in expect:
                response.failure(
                    f"status {status}, expected one of {sorted(int(c) for c in expect)}"
                )
            elif validate is not None and (problem := validate(data)) is not None:
                response.failure(problem)
            else:
                response.success()
        return status, data

    def login(self) -> bool:
        """Log in; True when tokens were obtained."""
        status, data = self._send(
            "POST",
            endpoints.LOGIN,
            name=endpoints.NAME_LOGIN,
            load_class=self._login_class,
            expect=(HTTPStatus.OK,),
            body={"username": self.credentials.username, "password": self.credentials.password},
            validate=login_problem,
            authenticated=False,
        )
        if status != HTTPStatus.OK or login_problem(data) is not None:
            self.tokens, self.user = None, None
            return False
        self.tokens = Tokens(data["access"], data["refresh"], jwt_expiry(data["access"]))
        self.user = data["user"]
        return True

    def refresh(self) -> bool:
        """Trade the refresh token for a new access token; True on success."""
        if self.tokens is None:
            return False
        status, data = self._send(
            "POST",
            endpoints.REFRESH,
            name=endpoints.NAME_REFRESH,
            load_class=RequestClass.WRITE,
            expect=(HTTPStatus.OK,),
            body={"refresh": self.tokens.refresh},
            validate=refresh_problem,
            authenticated=False,
        )
        if status != HTTPStatus.OK or refresh_problem(data) is not None:
            return False
        # With refresh rotation on, the server also sends a new refresh token.
        new_refresh = data.get("refresh")
        self.tokens = Tokens(
            data["access"],
            new_refresh if isinstance(new_refresh, str) else self.tokens.refresh,
            jwt_expiry(data["access"]),
        )
        return True

    def _renew(self) -> bool:
        return self.refresh() or self.login()

    def _needs_renewal(self) -> bool:
        tokens = self.tokens
        return (
            tokens is not None
            and tokens.access_expires_at is not None
            and self._clock() >= tokens.access_expires_at - self._margin
        )

    def call(
        self,
        method: str,
        path: str,
        *,
        name: str,
        load_class: RequestClass,
        expect: Collection[int] = (HTTPStatus.OK,),
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        validate: Validator | None = None,
    ) -> tuple[int, Any] | None:
        """An authenticated request; None when the user could not get tokens (login failed).

        A failed login has already been counted as a failed request, so skipping the call does not
        hide anything, and the user tries to log in again on its next task.
        """
        if self.tokens is None and not self.login():
            return None
        if self._needs_renewal() and not self._renew():
            return None
        status, data = self._send(
            method,
            path,
            name=name,
            load_class=load_class,
            expect=expect,
            body=body,
            params=params,
            validate=validate,
        )
        if status == HTTPStatus.UNAUTHORIZED and HTTPStatus.UNAUTHORIZED not in expect:
            logger.warning("401 for %s with a live token; renewing and retrying once", name)
            if not self._renew():
                return None
            status, data = self._send(
                method,
                path,
                name=name,
                load_class=load_class,
                expect=expect,
                body=body,
                params=params,
                validate=validate,
            )
        return status, data
