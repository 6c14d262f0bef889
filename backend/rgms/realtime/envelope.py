"""The one message shape the server sends on every socket: {type, data, timestamp}, the group
names, and the helpers that deliver messages to groups through the channel layer (Redis in
production) from anywhere: a web request, a Celery task, a management command.

Public API (see README.md in this package):

- ``envelope(type_, data)``: the message dict.
- ``user_group(user_id)``, ``chat_group(room_id)``, ``updates_*`` names: group names.
- ``broadcast(group, type_, data)``: send now (sync code only); ``abroadcast``: async code.
- ``broadcast_update(kind, data, *, cadet_id=None, public=False)``: a live data change to the
  updates sockets allowed to see it, sent on commit.
- ``disconnect_user(user_id, code=4401)``: close every open socket of a user (archive, logout).

Delivery is best effort: a broadcast that fails (Redis down) is logged and never raised, so a
request whose data was committed does not turn into a 500 because a socket could not be told.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Coroutine, Sequence
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# The consumers relay messages of this channel-layer type to their socket.
RELAY = "relay.message"
# And close their socket on this one.
SESSION_CLOSE = "session.close"

UPDATES_ADMIN = "updates.admin"
UPDATES_STAFF = "updates.staff"
UPDATES_ALL = "updates.all"

# Close codes (documented in README.md; the client helper stops retrying on 4401 and 4403).
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY_MESSAGES = 4429


def envelope(type_: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": type_, "data": data, "timestamp": timezone.now().isoformat()}


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def session_group(user_id: int) -> str:
    """Joined by every socket of a user, whatever its route (used to close them all)."""
    return f"session.{user_id}"


def chat_group(room_id: str) -> str:
    return f"chat.{room_id}"


def updates_cadet_group(cadet_id: int) -> str:
    return f"updates.cadet.{cadet_id}"


# How long sync code waits for a send to reach the layer before giving up (and logging).
SEND_TIMEOUT_S = 10.0


class _LayerLoop:
    """One event loop per process, on a daemon thread, that sync code sends through.

    channels-redis keeps its connection pool per event loop. asgiref's ``async_to_sync``
    outside a running loop makes a new loop (and thread) for every call, so each send from a
    web request or task paid for a new loop and a new Redis connection (~7 ms of CPU per
    send, three sends per attendance mark). This loop lives as long as the process, so its
    connections are reused. Started lazily and again after a fork (gunicorn and Celery fork
    their workers; a thread does not survive the fork)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid: int | None = None

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="channel-layer-loop", daemon=True
                ).start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop

    def run(self, coroutine: Coroutine[Any, Any, None], *, timeout: float) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._running_loop()).result(timeout)


_layer_loop = _LayerLoop()


def send_to_groups(sends: Sequence[tuple[str, dict[str, Any]]], *, what: str) -> None:
    """Send channel-layer messages (``(group, message)`` pairs) together, from sync code.

    Best effort: a failure is logged (naming `what`) and never raised. The in-memory layer
    (tests, local runs) holds asyncio queues awaited by consumers on the caller's loop, so it
    is sent to through ``async_to_sync``, which runs on that loop; a Redis layer through the
    process's :class:`_LayerLoop`."""
    layer = get_channel_layer()
    if layer is None or not sends:
        return

    async def send_all() -> None:
        await asyncio.gather(*(layer.group_send(group, message) for group, message in sends))

    try:
        if isinstance(layer, InMemoryChannelLayer):
            async_to_sync(send_all)()
        else:
            _layer_loop.run(send_all(), timeout=SEND_TIMEOUT_S)
    except Exception:
        logger.exception("websocket %s failed", what)


def relay(type_: str, data: dict[str, Any]) -> dict[str, Any]:
    """The channel-layer message the consumers relay to their socket as an envelope."""
    return {"type": RELAY, "event": envelope(type_, data)}


def broadcast(group: str, type_: str, data: dict[str, Any]) -> None:
    """Send an enveloped message to every socket in `group` (consumers relay `event`).

    For synchronous code (views, services, tasks). From async code use :func:`abroadcast`.
    """
    send_to_groups([(group, relay(type_, data))], what=f"broadcast of {type_!r} to {group}")


async def abroadcast(group: str, type_: str, data: dict[str, Any]) -> None:
    """:func:`broadcast` for async code (consumers, async views)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await layer.group_send(group, relay(type_, data))
    except Exception:
        logger.exception("websocket broadcast of %r to %s failed", type_, group)


def update_groups(*, cadet_id: int | None = None, public: bool = False) -> list[str]:
    """Which updates groups see a change: admins and staff always (or every updates socket
    when public), plus the one cadet the change is about."""
    groups = [UPDATES_ALL] if public else [UPDATES_ADMIN, UPDATES_STAFF]
    if cadet_id is not None and not public:
        groups.append(updates_cadet_group(cadet_id))
    return groups


def broadcast_update(
    kind: str,
    data: dict[str, Any],
    *,
    cadet_id: int | None = None,
    public: bool = False,
) -> None:
    """Tell the /ws/updates/ sockets about a live data change, once the current transaction
    commits (at once outside a transaction).

    `kind` names what changed ("attendance", "grade", "merit_demerit", "excuse_letter",
    "activity", ...); `data` is the changed object's JSON-able summary. Admins and training
    staff see every change; a cadet sees only changes made with their own `cadet_id`.
    `public=True` sends to every updates socket (announcements, new training days).

    The message is ``{"type": "update", "data": {"kind", "cadet_id", "payload"}, "timestamp"}``.
    """
    if not isinstance(kind, str) or not kind:
        raise ValueError("kind must be a non-empty string")
    body = {"kind": kind, "cadet_id": cadet_id, "payload": data}
    groups = update_groups(cadet_id=cadet_id, public=public)

    def send() -> None:
        message = relay("update", body)
        send_to_groups([(group, message) for group in groups], what=f"update of {kind!r}")

    transaction.on_commit(send)


def disconnect_user(user_id: int, *, code: int = CLOSE_UNAUTHENTICATED) -> None:
    """Close every open socket of a user, on commit (call it when archiving a user, changing
    their role or logging them out everywhere)."""

    def send() -> None:
        send_to_groups(
            [(session_group(user_id), {"type": SESSION_CLOSE, "code": code})],
            what=f"closing the sockets of user {user_id}",
        )

    transaction.on_commit(send)
