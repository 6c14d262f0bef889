"""Chat writes made by the websocket consumers.

The staff room's messages are legacy ``staff_messages`` rows (rgms.messaging.StaffMessage).
The messaging app has no write service yet, so the row is created here; when
rgms.messaging.services offers one, call it instead (one place to change).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from rgms.messaging.models import StaffMessage


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


def chat_message_post(*, user: Any, room_id: str, content: str, persist: bool) -> dict[str, Any]:
    """Save the message when the room keeps history; return the payload to broadcast."""
    if persist:
        message = StaffMessage.objects.create(sender_staff_id=user.staff_id, content=content)
        return chat_message_payload(
            user=user,
            room_id=room_id,
            content=message.content,
            message_id=message.pk,
            created_at=message.created_at,
        )
    return chat_message_payload(
        user=user, room_id=room_id, content=content, message_id=None, created_at=timezone.now()
    )
