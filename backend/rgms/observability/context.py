"""What the current request or task is: its request id and user, for every log line.

Context variables, so they follow a request through Django's thread hand-offs under ASGI and stay
separate between threads. Pure Python: imported by ``config.logging`` before Django is set up.

The user is known only once DRF has authenticated the request (JWT authentication runs inside
the view), so the middleware stores the request itself and :func:`current_user_id` reads the user
from it when authentication has happened, without ever triggering it.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar, Token
from typing import Any

from django.utils.functional import empty

REQUEST_ID_HEADER = "X-Request-ID"
# Accepted from a client or a proxy: up to 128 characters a log parser cannot trip on (letters,
# digits, and . _ : -). Anything else is replaced by a fresh id, never echoed.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

_request_id: ContextVar[str | None] = ContextVar("rgms_request_id", default=None)
_user_id: ContextVar[int | None] = ContextVar("rgms_user_id", default=None)
_request: ContextVar[Any] = ContextVar("rgms_request", default=None)
_task: ContextVar[tuple[str, str] | None] = ContextVar("rgms_task", default=None)


def new_request_id() -> str:
    """32 random hex digits (a UUID4's worth of randomness, without building a UUID)."""
    return os.urandom(16).hex()


def valid_request_id(value: str | None) -> str | None:
    """The id itself when it is acceptable as given, else None."""
    if value and _VALID_REQUEST_ID.fullmatch(value):
        return value
    return None


def request_id() -> str | None:
    return _request_id.get()


def set_request_id(value: str | None) -> Token[str | None]:
    return _request_id.set(value)


def reset_request_id(token: Token[str | None]) -> None:
    _request_id.reset(token)


def set_user_id(value: int | None) -> Token[int | None]:
    return _user_id.set(value)


def reset_user_id(token: Token[int | None]) -> None:
    _user_id.reset(token)


def set_request(request: Any) -> Token[Any]:
    return _request.set(request)


def reset_request(token: Token[Any]) -> None:
    _request.reset(token)


def set_task(task_id: str, task_name: str) -> Token[tuple[str, str] | None]:
    return _task.set((task_id, task_name))


def reset_task(token: Token[tuple[str, str] | None]) -> None:
    _task.reset(token)


def task() -> tuple[str, str] | None:
    return _task.get()


def user_id_of_request(request: Any) -> int | None:
    """The authenticated user's id if authentication has already run; never runs it.

    DRF sets ``request.user`` on the Django request after authenticating; Django's own
    AuthenticationMiddleware leaves a lazy object whose evaluation would query the session,
    so an unevaluated lazy user counts as unknown.
    """
    if request is None:
        return None
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = user.__dict__.get("_wrapped", user)
    if wrapped is empty:  # a SimpleLazyObject nobody has evaluated yet
        return None
    if not getattr(wrapped, "is_authenticated", False):
        return None
    pk = getattr(wrapped, "pk", None)
    return pk if isinstance(pk, int) else None


def current_user_id() -> int | None:
    explicit = _user_id.get()
    if explicit is not None:
        return explicit
    return user_id_of_request(_request.get())
