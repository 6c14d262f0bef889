"""Who may join which chat room, as one pure rule (documented in README.md).

- ``staff``: the staff chat. Training staff and admins read; a user linked to a staff record
  posts (the legacy staff_messages row needs a sender staff); messages are saved.
- ``support-<user_id>``: a live line between one user and the admins. That user and every
  admin read and post; nothing is saved (admin messages with subject and status are the REST
  API's business).
- Any other room: nobody (closed with 4403, so room names cannot be probed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rgms.users.models import Role

STAFF_ROOM = "staff"
_SUPPORT_ROOM = re.compile(r"support-(?P<user_id>[1-9][0-9]{0,18})")


@dataclass(frozen=True)
class RoomAccess:
    can_read: bool
    can_post: bool = False
    persist: bool = False
    post_refusal: str | None = None


NO_ACCESS = RoomAccess(can_read=False)


def support_room(user_id: int) -> str:
    return f"support-{user_id}"


def room_access(user: Any, room_id: str) -> RoomAccess:
    role = getattr(user, "role", None)
    if room_id == STAFF_ROOM:
        if role not in {Role.ADMIN, Role.TRAINING_STAFF}:
            return NO_ACCESS
        if user.staff_id is None:
            return RoomAccess(
                can_read=True,
                persist=True,
                post_refusal="Posting in the staff room needs a linked staff profile.",
            )
        return RoomAccess(can_read=True, can_post=True, persist=True)
    match = _SUPPORT_ROOM.fullmatch(room_id)
    if match:
        if role == Role.ADMIN or int(match["user_id"]) == user.pk:
            return RoomAccess(can_read=True, can_post=True)
        return NO_ACCESS
    return NO_ACCESS
