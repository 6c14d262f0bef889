"""Websocket round trips through the channels service with tokens minted by web.

``websocket.round_trip`` (critical): a cadet logs in on web; the token opens
``/ws/notifications/?token=...`` on channels; the socket answers a ping with a pong (the
envelope ``{type, data, timestamp}``); an admin creates a notification for the cadet through
web's API; it arrives on the socket (web -> Redis channel layer -> channels) within the bound.
A channels service with another signing key refuses the token (close 4401): FAIL.

Also (not critical): ``websocket.user_isolation``: a notification for another cadet does not
reach this socket (the socket's user is the token's user); ``websocket.refuses_bad_token``: a
tampered token is closed with 4401; ``websocket.worker_push``: the worker's ``notify_user``
task, sent through the broker, reaches the socket (worker -> channel layer -> channels).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from verification.checks.common import (
    CheckFailed,
    CheckSkipped,
    Session,
    Timer,
    http,
    login,
    run_check,
)
from verification.gate import CheckResult
from verification.targets.base import Target
from verification.thresholds import WEBSOCKET_ROUND_TRIP

USER_ISOLATION: Final = "websocket.user_isolation"
REFUSES_BAD_TOKEN: Final = "websocket.refuses_bad_token"  # noqa: S105 - a check name
WORKER_PUSH: Final = "websocket.worker_push"
DELIVERY_TIMEOUT_S: Final = 15.0
CLOSE_UNAUTHENTICATED: Final = 4401
NOTIFY_USER_TASK: Final = "rgms.realtime.tasks.notify_user"


def open_socket(target: Target, token: str, path: str = "/ws/notifications/") -> ClientConnection:
    """An open socket; the caller closes it (``with`` or ``.close()``)."""
    sock = connect(
        f"{target.ws_url}{path}?token={token}",
        open_timeout=10,
        close_timeout=2,
        max_size=2**20,
    )
    return sock.__enter__()


def _receive(sock: ClientConnection, timeout: float) -> dict[str, Any] | None:
    try:
        raw = sock.recv(timeout=timeout)
    except TimeoutError:
        return None
    message = json.loads(raw)
    if not isinstance(message, dict) or not {"type", "data", "timestamp"} <= set(message):
        raise CheckFailed(
            "a socket message is not an envelope {type, data, timestamp}", got=message
        )
    return message


def wait_for(
    sock: ClientConnection, predicate: Any, timeout: float
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Messages until one matches (returned) or the timeout; every message seen is returned."""
    seen: list[dict[str, Any]] = []
    end = time.monotonic() + timeout
    while (left := end - time.monotonic()) > 0:
        try:
            message = _receive(sock, left)
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else None
            meaning = " (the token was refused)" if code == CLOSE_UNAUTHENTICATED else ""
            raise CheckFailed(
                f"the socket was closed with {code}{meaning}",
                close_code=exc.rcvd.code if exc.rcvd else None,
                seen=seen,
            ) from None
        if message is None:
            break
        seen.append(message)
        if predicate(message):
            return message, seen
    return None, seen


def _connect_checked(target: Target, session: Session) -> ClientConnection:
    try:
        sock = open_socket(target, session.access)
    except InvalidStatus as exc:
        raise CheckFailed(
            f"the websocket upgrade was refused with HTTP {exc.response.status_code}",
            status=exc.response.status_code,
        ) from None
    # A refused token is accepted then closed with 4401: a ping proves the socket is ours.
    try:
        sock.send(json.dumps({"type": "ping"}))
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd else None
        meaning = " (the token was refused)" if code == CLOSE_UNAUTHENTICATED else ""
        raise CheckFailed(f"the socket was closed with {code}{meaning}", close_code=code) from None
    pong, seen = wait_for(sock, lambda m: m["type"] == "pong", 10)
    if pong is None:
        sock.close()
        raise CheckFailed("no pong to a ping within 10 s", seen=seen)
    return sock


def _notify_via_api(target: Target, admin: Session, user_id: int, message: str) -> None:
    response = http(
        "POST",
        f"{target.web_url}/api/v1/notifications/",
        headers=admin.headers,
        json={"user_id": user_id, "message": message, "type": "announcement"},
    )
    if response.status_code != 201:
        raise CheckFailed(
            f"creating a notification answered {response.status_code}",
            body=response.text[:500],
        )


def websocket_checks(
    target: Target, *, delivery_s: float = DELIVERY_TIMEOUT_S
) -> list[CheckResult]:
    limitation = target.limitations.get(WEBSOCKET_ROUND_TRIP)
    state: dict[str, Any] = {}

    def round_trip() -> tuple[dict[str, Any], int]:
        cadet = login(target, "cadet")
        admin = login(target, "admin")
        timer = Timer()
        sock = _connect_checked(target, cadet)
        connect_ms = timer.ms
        state.update(sock=sock, cadet=cadet, admin=admin)
        nonce = f"deploy-verify {secrets.token_hex(6)}"
        sent = Timer()
        _notify_via_api(target, admin, cadet.user_id, nonce)
        found, seen = wait_for(
            sock,
            lambda m: m["type"] == "notification" and m["data"].get("message") == nonce,
            delivery_s,
        )
        if found is None:
            raise CheckFailed(
                f"the notification did not arrive on the socket within {delivery_s:g} s",
                seen=seen,
            )
        if found["data"].get("user_id") != cadet.user_id:
            raise CheckFailed("the notification names another user", got=found)
        return {
            "connect_ms": connect_ms,
            "delivery_ms": sent.ms,
            "latencies_ms": [sent.ms],
            "message": found,
        }, 1

    results = [
        run_check(
            WEBSOCKET_ROUND_TRIP,
            round_trip,
            threshold=f"web-minted token accepted by channels; API notification on the socket "
            f"within {delivery_s:g} s",
            limitation=limitation,
        )
    ]

    def isolation() -> tuple[dict[str, Any], int]:
        if "sock" not in state:
            raise CheckSkipped("no open socket (see websocket.round_trip)")
        other = login(target, "other_cadet")
        sock, admin, cadet = state["sock"], state["admin"], state["cadet"]
        foreign = f"not-for-you {secrets.token_hex(6)}"
        mine = f"for-you {secrets.token_hex(6)}"
        _notify_via_api(target, admin, other.user_id, foreign)
        _notify_via_api(target, admin, cadet.user_id, mine)
        found, seen = wait_for(sock, lambda m: m["data"].get("message") == mine, delivery_s)
        leaked = [m for m in seen if m["data"].get("message") == foreign]
        if leaked:
            raise CheckFailed("another cadet's notification reached this socket", leaked=leaked)
        if found is None:
            raise CheckFailed("the cadet's own notification did not arrive", seen=seen)
        return {"messages_seen": len(seen)}, len(seen)

    results.append(
        run_check(
            USER_ISOLATION,
            isolation,
            threshold="only the token user's notifications",
            limitation=limitation,
        )
    )

    def worker_push() -> tuple[dict[str, Any], int]:
        if "sock" not in state:
            raise CheckSkipped("no open socket (see websocket.round_trip)")
        if not target.broker_url:
            raise CheckSkipped("the broker is not reachable from the harness (--broker-url)")
        sock, cadet = state["sock"], state["cadet"]
        nonce = f"from-the-worker {secrets.token_hex(6)}"
        timer = Timer()
        with celery_client(target.broker_url) as app:
            app.send_task(NOTIFY_USER_TASK, args=[cadet.user_id, nonce])
        found, seen = wait_for(sock, lambda m: m["data"].get("message") == nonce, delivery_s)
        if found is None:
            raise CheckFailed(
                f"notify_user's notification did not arrive within {delivery_s:g} s",
                seen=seen,
            )
        return {"delivery_ms": timer.ms, "latencies_ms": [timer.ms]}, 1

    results.append(
        run_check(
            WORKER_PUSH,
            worker_push,
            threshold=f"notify_user task -> socket within {delivery_s:g} s",
            limitation=limitation,
        )
    )
    if "sock" in state:
        state["sock"].close()

    def bad_token() -> tuple[dict[str, Any], int]:
        cadet = login(target, "cadet")
        head, payload, signature = cadet.access.split(".")
        forged = (
            f"{head}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
        )
        try:
            sock = open_socket(target, forged)
        except InvalidStatus as exc:
            raise CheckFailed(
                f"upgrade answered HTTP {exc.response.status_code} instead of a 4401 close"
            ) from None
        try:
            sock.send(json.dumps({"type": "ping"}))
            message, seen = wait_for(sock, lambda m: True, 5)
            raise CheckFailed("a tampered token got a live socket", got=message, seen=seen)
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else None
            if code != CLOSE_UNAUTHENTICATED:
                raise CheckFailed(f"closed with {code}, expected 4401") from None
            return {"close_code": code}, 1
        except CheckFailed as exc:
            code = exc.evidence.get("close_code")
            if code == CLOSE_UNAUTHENTICATED:
                return {"close_code": code}, 1
            raise
        finally:
            sock.close()

    results.append(
        run_check(REFUSES_BAD_TOKEN, bad_token, threshold="tampered token closed with 4401")
    )
    return results


@contextmanager
def celery_client(broker_url: str) -> Iterator[Any]:
    """A bare Celery app on the project's broker (JSON only), for sending tasks by name."""
    from celery import Celery

    app = Celery("rgms-harness", broker=broker_url)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=False,
        broker_connection_timeout=5,
        broker_transport_options={"socket_connect_timeout": 5, "socket_timeout": 10},
    )
    try:
        yield app
    finally:
        app.close()
