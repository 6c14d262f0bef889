"""Chat writes made by the websocket consumers.

The staff room's messages are legacy ``staff_messages`` rows, written by the messaging app's
service (the same one the REST API uses: validation, sanitising, broadcast on commit). Other
rooms are live only: nothing is saved, the consumer broadcasts the payload itself.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone


def chat_message_payload(
    *, user: Any, room_id: str, content: str, message_id: int | None, created_at: Any
) -> dict[str, Any]:
    """The ``data`` of a ``chat.message`` (also for the REST API to broadcast its own posts)."""
    return {
        "id": message_id,
        "room": room_id,
        "content": content,
        "created_at": created_at.isoformat(),
        "sender": {
            "user_id": user.pk,
            "username": user.username,
            "role": user.role,
            "staff_id": user.staff_id,
        },
    }


def chat_message_post(
    *, user: Any, room_id: str, content: str, persist: bool
) -> dict[str, Any] | None:
    """Post a message. A room that keeps history saves it through the messaging service,
    which broadcasts it on commit: returns None. A live-only room: returns the payload for
    the caller to broadcast. Raises the service's ApplicationError / NotAllowed."""
    if persist:
        # Imported here: rgms.messaging.services imports this module for the payload.
        from rgms.messaging.services import staff_message_create

        staff_message_create(sender=user, content=content)
        return None
    return chat_message_payload(
        user=user, room_id=room_id, content=content, message_id=None, created_at=timezone.now()
    )
