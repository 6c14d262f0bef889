"""Websocket consumers: /ws/notifications/, /ws/chat/<room_id>/, /ws/updates/.

Every consumer shares one life cycle (RealtimeConsumer):

- connect: the JWT middleware put the token's user in the scope. No user: the socket is
  accepted and closed at once with 4401, before any message and before joining any group
  (closing before the handshake would make daphne answer HTTP 403, and a browser then sees
  only 1006, so the client could not tell "refused" from "network down"). A route that refuses
  this user (a chat room they may not join) closes the same way with 4403. Otherwise the
  consumer joins its groups, plus ``session.<user_id>``, and accepts.
- receive: each client frame is checked in order: rate (token bucket), binary or not, size,
  JSON, object, ``type`` known, ``data`` fields and their types. A bad frame gets an ``error``
  message and the socket stays open; a flood gets ``error`` messages until its abuse budget
  is spent, then the socket is closed with 4429.
- disconnect: leaves every group it joined.

Every server message is ``{type, data, timestamp}`` (envelope.envelope).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from rgms.core.exceptions import ApplicationError, NotAllowed
from rgms.observability import metrics
from rgms.realtime import envelope as env
from rgms.realtime.rooms import RoomAccess, room_access
from rgms.realtime.services import chat_message_post
from rgms.users.models import Role

logger = logging.getLogger(__name__)


@dataclass
class TokenBucket:
    """`capacity` tokens, refilled at `rate` per second; take() spends one if there is one."""

    rate: float
    capacity: float
    clock: Callable[[], float] = time.monotonic
    tokens: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.capacity
        self.updated = self.clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass(frozen=True)
class Field:
    kind: type | tuple[type, ...]
    required: bool = True
    max_length: int | None = None


class ClientError(Exception):
    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    # Client frames: at most this many bytes (UTF-8) each.
    max_message_bytes: ClassVar[int] = 4096
    # Flood limit: a burst of `burst` frames, then `rate_per_second` on average.
    rate_per_second: ClassVar[float] = 5.0
    burst: ClassVar[int] = 20
    # Frames over the limit that are answered with an error before the socket is closed
    # (refilled at `abuse_refill_per_second`): persistent abuse ends in 4429.
    abuse_budget: ClassVar[int] = 20
    abuse_refill_per_second: ClassVar[float] = 0.5
    # Client message types this route accepts: type -> {field: Field} (fields of `data`).
    client_types: ClassVar[dict[str, dict[str, Field]]] = {"ping": {}}
    # The `endpoint` label of the websocket metrics.
    endpoint: ClassVar[str] = "other"

    user: Any
    joined: list[str]

    # --- life cycle ------------------------------------------------------------------

    async def connect(self) -> None:
        self.joined = []
        self.closing = False
        self.counted = False
        self.user = self.scope.get("user")
        if self.user is None:
            await self.refuse(env.CLOSE_UNAUTHENTICATED)
            return
        code = await self.authorize()
        if code is not None:
            await self.refuse(code)
            return
        self.bucket = TokenBucket(self.rate_per_second, self.burst)
        self.abuse = TokenBucket(self.abuse_refill_per_second, self.abuse_budget)
        for group in [env.session_group(self.user.pk), *await self.groups_for_user()]:
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.append(group)
        await self.accept()
        metrics.ws_connected(self.endpoint)
        self.counted = True

    async def refuse(self, code: int) -> None:
        self.closing = True
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = []
        if getattr(self, "counted", False):
            metrics.ws_disconnected(self.endpoint)
            self.counted = False

    async def authorize(self) -> int | None:
        """A close code when this user may not open this route, else None."""
        return None

    async def groups_for_user(self) -> list[str]:
        return []

    # --- server -> client ------------------------------------------------------------

    async def send_json(self, content: Any, close: bool = False) -> None:
        await super().send_json(content, close=close)
        metrics.ws_message_sent(self.endpoint)

    async def send_envelope(self, type_: str, data: dict[str, Any]) -> None:
        await self.send_json(env.envelope(type_, data))

    async def send_error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_envelope("error", {"code": code, "message": message, **extra})

    async def relay_message(self, event: dict[str, Any]) -> None:
        """Channel-layer handler of envelope.RELAY: the event is already an envelope."""
        if not self.closing:
            await self.send_json(event["event"])

    async def session_close(self, event: dict[str, Any]) -> None:
        """Channel-layer handler of envelope.SESSION_CLOSE (the user was revoked)."""
        if not self.closing:
            self.closing = True
            await self.close(code=int(event.get("code", env.CLOSE_UNAUTHENTICATED)))

    # --- client -> server ------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.closing:
            return
        if not self.bucket.take():
            if not self.abuse.take():
                self.closing = True
                await self.close(code=env.CLOSE_TOO_MANY_MESSAGES)
                return
            await self.send_error(
                "rate_limited",
                f"Too many messages: at most {self.rate_per_second:g} per second "
                f"(bursts of {self.burst}). Keep going and the socket is closed.",
            )
            return
        try:
            type_, data = self.parse(text_data, bytes_data)
            handler = getattr(self, "on_" + type_)
            await handler(data)
        except ClientError as exc:
            await self.send_error(exc.code, exc.message, **exc.extra)
        except Exception:
            logger.exception("websocket handler failed on %s", self.scope.get("path"))
            await self.send_error("internal", "The server could not handle this message.")

    def parse(self, text_data: str | None, bytes_data: bytes | None) -> tuple[str, dict]:
        if text_data is None:
            raise ClientError("invalid_frame", "Binary frames are not supported; send JSON text.")
        size = len(text_data.encode("utf-8", errors="replace"))
        if size > self.max_message_bytes:
            raise ClientError(
                "too_large",
                f"Message is {size} bytes; the limit is {self.max_message_bytes}.",
                limit=self.max_message_bytes,
            )
        try:
            content = json.loads(text_data)
        except ValueError as exc:
            raise ClientError("invalid_json", "Message is not valid JSON.") from exc
        if not isinstance(content, dict):
            raise ClientError("invalid_message", 'Message must be a JSON object {"type", "data"}.')
        unknown = sorted(set(content) - {"type", "data"})
        if unknown:
            raise ClientError(
                "invalid_message", f"Unknown top-level field(s): {', '.join(unknown)}."
            )
        type_ = content.get("type")
        if not isinstance(type_, str) or type_ not in self.client_types:
            raise ClientError(
                "unknown_type",
                "Unknown message type.",
                allowed=sorted(self.client_types),
            )
        data = content.get("data", {})
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ClientError("invalid_field", "`data` must be an object.", field="data")
        return type_, self.validate_fields(type_, data)

    def validate_fields(self, type_: str, data: dict[str, Any]) -> dict[str, Any]:
        schema = self.client_types[type_]
        unknown = sorted(set(data) - set(schema))
        if unknown:
            raise ClientError(
                "invalid_field",
                f"Unknown field(s) for {type_}: {', '.join(unknown)}.",
                field=unknown[0],
            )
        for name, spec in schema.items():
            if name not in data:
                if spec.required:
                    raise ClientError("invalid_field", f"`{name}` is required.", field=name)
                continue
            value = data[name]
            # bool is an int in Python; never accept it where a number is expected.
            if isinstance(value, bool) and bool not in _as_tuple(spec.kind):
                raise ClientError("invalid_field", f"`{name}` has the wrong type.", field=name)
            if not isinstance(value, spec.kind):
                raise ClientError("invalid_field", f"`{name}` has the wrong type.", field=name)
            if spec.max_length is not None and len(value) > spec.max_length:
                raise ClientError(
                    "invalid_field",
                    f"`{name}` is longer than {spec.max_length} characters.",
                    field=name,
                )
        return data

    async def on_ping(self, data: dict[str, Any]) -> None:
        await self.send_envelope("pong", {})


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


class NotificationConsumer(RealtimeConsumer):
    """/ws/notifications/: the user's own notifications (group user.<id>), type
    ``notification`` with data {id, message, timestamp, priority, user_id, type}."""

    endpoint = "notifications"

    async def groups_for_user(self) -> list[str]:
        return [env.user_group(self.user.pk)]


class UpdatesConsumer(RealtimeConsumer):
    """/ws/updates/: live data changes (type ``update``), scoped by role: admins join
    updates.admin, training staff updates.staff, a cadet updates.cadet.<their cadet id>;
    everyone joins updates.all."""

    endpoint = "updates"

    async def groups_for_user(self) -> list[str]:
        role = self.user.role
        groups = [env.UPDATES_ALL]
        if role == Role.ADMIN:
            groups.append(env.UPDATES_ADMIN)
        elif role == Role.TRAINING_STAFF:
            groups.append(env.UPDATES_STAFF)
        elif role == Role.CADET and self.user.cadet_id is not None:
            groups.append(env.updates_cadet_group(self.user.cadet_id))
        return groups


class ChatConsumer(RealtimeConsumer):
    """/ws/chat/<room_id>/: who may join which room is decided by rooms.room_access.
    Client ``{"type": "message", "data": {"content": "..."}}`` is saved when the room keeps
    history (the staff room) and sent to everyone in the room as ``chat.message``."""

    endpoint = "chat"
    max_content_length: ClassVar[int] = 2000
    client_types: ClassVar[dict[str, dict[str, Field]]] = {
        "ping": {},
        "message": {"content": Field(str, max_length=max_content_length)},
    }

    access: RoomAccess

    async def authorize(self) -> int | None:
        self.room_id = str(self.scope["url_route"]["kwargs"]["room_id"])
        self.access = room_access(self.user, self.room_id)
        return None if self.access.can_read else env.CLOSE_FORBIDDEN

    async def groups_for_user(self) -> list[str]:
        return [env.chat_group(self.room_id)]

    async def on_message(self, data: dict[str, Any]) -> None:
        content = data["content"].strip()
        if not content:
            raise ClientError("invalid_field", "`content` must not be empty.", field="content")
        if not self.access.can_post:
            raise ClientError("forbidden", self.access.post_refusal or "You may not post here.")
        try:
            payload = await database_sync_to_async(chat_message_post)(
                user=self.user, room_id=self.room_id, content=content, persist=self.access.persist
            )
        except NotAllowed as exc:
            raise ClientError("forbidden", exc.message) from exc
        except ApplicationError as exc:
            field = next(iter(exc.errors), "content")
            raise ClientError("invalid_field", exc.message, field=field) from exc
        if payload is not None:  # a live-only room; saved messages are broadcast on commit
            await env.abroadcast(env.chat_group(self.room_id), "chat.message", payload)


class NotFoundConsumer(RealtimeConsumer):
    """Any other /ws/ path: closed with 4404 (after the token check, so 4401 comes first)."""

    async def authorize(self) -> int | None:
        return env.CLOSE_NOT_FOUND
