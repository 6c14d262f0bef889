"""The one message shape the server sends on every socket: {type, data, timestamp}, and the
helper that delivers it to a group through the channel layer (Redis in production)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone


def envelope(type_: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": type_, "data": data, "timestamp": timezone.now().isoformat()}


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def broadcast(group: str, type_: str, data: dict[str, Any]) -> None:
    """Send an enveloped message to every socket in `group` (consumers relay `event`)."""
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(
        group, {"type": "relay.message", "event": envelope(type_, data)}
    )
