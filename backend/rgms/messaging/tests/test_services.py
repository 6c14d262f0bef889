from unittest import mock

import pytest

from rgms.core.exceptions import ApplicationError, NotAllowed
from rgms.messaging import services
from rgms.messaging.models import AdminMessage, StaffMessage
from rgms.messaging.tests.factories import AdminMessageFactory, SenderStaffFactory
from rgms.notifications.models import Notification
from rgms.users.models import User

pytestmark = pytest.mark.django_db


def test_staff_message_is_sent_as_the_linked_staff_and_broadcast_on_commit(
    staff_user: User, django_capture_on_commit_callbacks: object
) -> None:
    # given a staff user linked to a staff record
    staff_user.staff = SenderStaffFactory()
    staff_user.save()
    # when they post, and the transaction commits
    with (
        mock.patch("rgms.messaging.services.broadcast") as broadcast,
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = services.staff_message_create(sender=staff_user, content="<b>Muster</b> at 6")
    # then the row names their staff record, the text is clean, and the room heard it
    assert message.sender_staff_id == staff_user.staff_id
    assert message.content == "Muster at 6"
    broadcast.assert_called_once()
    group, type_, data = broadcast.call_args.args
    assert (group, type_) == ("chat.staff", "chat.message")
    assert data["id"] == message.pk
    assert data["sender"]["user_id"] == staff_user.pk


def test_staff_message_needs_a_staff_record(admin_user: User, cadet_user: User) -> None:
    # given an admin without a staff record and a cadet
    # when either posts
    # then both are refused and nothing is saved
    for user in (admin_user, cadet_user):
        with pytest.raises(NotAllowed):
            services.staff_message_create(sender=user, content="hello")
    assert not StaffMessage.objects.exists()


def test_staff_message_refuses_text_that_is_only_markup(staff_user: User) -> None:
    # given a linked staff user
    staff_user.staff = SenderStaffFactory()
    staff_user.save()
    # when the message is nothing but a script
    # then it is refused, naming the field
    with pytest.raises(ApplicationError) as error:
        services.staff_message_create(sender=staff_user, content="<script>x()</script>")
    assert "content" in error.value.errors


def test_reply_resolves_and_notifies(cadet_user: User) -> None:
    # given a pending message of a cadet
    message = AdminMessageFactory(user=cadet_user)
    # when an admin replies
    services.admin_message_reply(admin_message=message, reply="Done.")
    # then it is resolved with the reply, and the cadet has a notification
    message.refresh_from_db()
    assert (message.status, message.admin_reply) == ("resolved", "Done.")
    assert Notification.objects.get().user_id == cadet_user.pk


def test_a_broadcast_cannot_be_replied_to() -> None:
    # given a broadcast
    message = AdminMessageFactory(user=None)
    # when an admin replies to it, then it is refused
    with pytest.raises(ApplicationError):
        services.admin_message_reply(admin_message=message, reply="?")


def test_broadcast_has_no_user(admin_user: User) -> None:
    # when an admin broadcasts
    message = services.admin_message_broadcast(sender=admin_user, subject="Hi", message="All")
    # then the row has no user and status broadcast
    row = AdminMessage.objects.get(pk=message.pk)
    assert (row.user_id, row.status, row.sender_role) == (None, "broadcast", "admin")
