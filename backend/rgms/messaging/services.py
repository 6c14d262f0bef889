"""Writes for the staff chat and for messages between users and the admins.

Staff chat: the sender is the poster's linked training staff record (the legacy row needs
one); a user without one (an admin with no staff profile, say) may read but not post.
Every new staff message is broadcast to the staff chat room on commit, whether it came from
the REST API or from the websocket consumer.

Admin messages: any user writes to the admins (status pending); an admin replies (status
resolved, and the user is notified) or broadcasts to everyone (no user, status broadcast).
"""

from __future__ import annotations

from django.db import transaction

from rgms.api.fields import clean_text
from rgms.core.exceptions import ApplicationError, NotAllowed
from rgms.messaging.models import AdminMessage, StaffMessage
from rgms.notifications.services import notification_create
from rgms.realtime.envelope import broadcast, chat_group
from rgms.realtime.rooms import STAFF_ROOM
from rgms.realtime.services import chat_message_payload
from rgms.users.models import Role, User

STAFF_MESSAGE_MAX_LENGTH = 2000


def staff_message_create(*, sender: User, content: str) -> StaffMessage:
    if sender.role not in {Role.ADMIN, Role.TRAINING_STAFF}:
        raise NotAllowed("Only training staff and admins post in the staff chat.")
    if sender.staff_id is None:
        raise NotAllowed("Posting in the staff chat needs a linked training staff profile.")
    content = clean_text(content).strip()
    if not content:
        raise ApplicationError(
            "Invalid input.", errors={"content": ["This field may not be blank."]}
        )
    if len(content) > STAFF_MESSAGE_MAX_LENGTH:
        raise ApplicationError(
            "Invalid input.",
            errors={
                "content": [
                    f"Ensure this field has no more than {STAFF_MESSAGE_MAX_LENGTH} characters."
                ]
            },
        )
    message = StaffMessage.objects.create(sender_staff_id=sender.staff_id, content=content)
    payload = chat_message_payload(
        user=sender,
        room_id=STAFF_ROOM,
        content=message.content,
        message_id=message.pk,
        created_at=message.created_at,
    )
    transaction.on_commit(lambda: broadcast(chat_group(STAFF_ROOM), "chat.message", payload))
    return message


def admin_message_create(*, user: User, message: str, subject: str | None = None) -> AdminMessage:
    return AdminMessage.objects.create(
        user=user,
        sender_role=user.role,
        subject=subject,
        message=message,
        status=AdminMessage.Status.PENDING,
    )


@transaction.atomic
def admin_message_reply(*, admin_message: AdminMessage, reply: str) -> AdminMessage:
    if admin_message.user_id is None or admin_message.status == AdminMessage.Status.BROADCAST:
        raise ApplicationError(
            "A broadcast cannot be replied to.",
            errors={"admin_reply": ["A broadcast cannot be replied to."]},
        )
    admin_message.admin_reply = reply
    admin_message.status = AdminMessage.Status.RESOLVED
    admin_message.save(update_fields=["admin_reply", "status"])
    notification_create(
        user=admin_message.user,
        message=f"An admin replied to your message: {admin_message.subject or 'no subject'}",
        type="general_update",
    )
    return admin_message


def admin_message_broadcast(
    *, sender: User, message: str, subject: str | None = None
) -> AdminMessage:
    return AdminMessage.objects.create(
        user=None,
        sender_role=sender.role,
        subject=subject,
        message=message,
        status=AdminMessage.Status.BROADCAST,
    )


def admin_message_delete(*, admin_message: AdminMessage) -> None:
    admin_message.delete()
