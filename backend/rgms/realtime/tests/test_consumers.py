"""The three consumers through the deployed ASGI application and the in-memory layer:
envelope shape, validation that never drops the socket, ping/pong, the flood limit, groups
joined and left, chat room permissions and history, and delivery to the right socket only."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from rgms.cadets.models import Cadet
from rgms.messaging.models import StaffMessage
from rgms.notifications.services import notification_create
from rgms.observability import metrics
from rgms.realtime import consumers
from rgms.realtime.envelope import broadcast_update, disconnect_user
from rgms.realtime.tasks import notify_user
from rgms.realtime.tests.conftest import access_token, assert_refused, receive
from rgms.staff.models import Staff
from rgms.users.models import Role, User

pytestmark = pytest.mark.django_db(transaction=True)


def assert_envelope(message: dict[str, Any], type_: str) -> dict[str, Any]:
    assert set(message) == {"type", "data", "timestamp"}
    assert message["type"] == type_
    assert isinstance(message["data"], dict)
    assert datetime.fromisoformat(message["timestamp"]).tzinfo is not None
    return message["data"]


def members(layer: Any) -> dict[str, int]:
    return {group: len(channels) for group, channels in layer.groups.items() if channels}


@pytest.fixture
def cadet_with_record(make_user: Callable[..., User]) -> Callable[[str], User]:
    def make(student_id: str) -> User:
        cadet = Cadet.objects.create(first_name="Juan", last_name="Cruz", student_id=student_id)
        return make_user(Role.CADET, cadet=cadet)

    return make


@pytest.fixture
def staff_with_record(make_user: Callable[..., User]) -> User:
    staff = Staff.objects.create(first_name="Maria", last_name="Santos")
    return make_user(Role.TRAINING_STAFF, staff=staff)


# --- envelope, ping, validation -------------------------------------------------------


@pytest.mark.parametrize("path", ["/ws/notifications/", "/ws/updates/", "/ws/chat/staff/"])
async def test_ping_gets_an_enveloped_pong(path, open_socket, staff_user):
    socket = await open_socket(path, access_token(staff_user))

    await socket.send_json_to({"type": "ping"})

    assert assert_envelope(await receive(socket), "pong") == {}


MALFORMED = [
    ("not json", "invalid_json"),
    ("[1, 2]", "invalid_message"),
    ('"ping"', "invalid_message"),
    ("null", "invalid_message"),
    ("{}", "unknown_type"),
    ('{"type": 1}', "unknown_type"),
    ('{"type": "PING"}', "unknown_type"),
    ('{"type": "subscribe"}', "unknown_type"),
    ('{"type": "ping", "extra": 1}', "invalid_message"),
    ('{"type": "ping", "data": []}', "invalid_field"),
    ('{"type": "ping", "data": {"x": 1}}', "invalid_field"),
    ('{"type": "message", "data": {}}', "invalid_field"),
    ('{"type": "message", "data": {"content": 5}}', "invalid_field"),
    ('{"type": "message", "data": {"content": true}}', "invalid_field"),
    ('{"type": "message", "data": {"content": ["a"]}}', "invalid_field"),
    ('{"type": "message", "data": {"content": "   "}}', "invalid_field"),
    ('{"type": "message", "data": {"content": "hi", "to": 3}}', "invalid_field"),
    (json.dumps({"type": "message", "data": {"content": "x" * 2001}}), "invalid_field"),
    (json.dumps({"type": "message", "data": {"content": "x" * 5000}}), "too_large"),
    (json.dumps({"type": "message", "data": {"content": "é" * 2100}}), "too_large"),
]


async def test_malformed_messages_get_errors_and_the_socket_stays_open(
    open_socket, staff_with_record, monkeypatch
):
    monkeypatch.setattr(consumers.RealtimeConsumer, "burst", 100)
    socket = await open_socket("/ws/chat/staff/", access_token(staff_with_record))

    for frame, code in MALFORMED:
        # when the client sends a bad frame
        await socket.send_to(text_data=frame)
        # then it gets an error naming what is wrong
        data = assert_envelope(await receive(socket), "error")
        assert data["code"] == code, frame
        assert data["message"]

    # a binary frame too
    await socket.send_to(bytes_data=b"\x00\x01")
    assert assert_envelope(await receive(socket), "error")["code"] == "invalid_frame"

    # and the socket still works
    await socket.send_json_to({"type": "ping"})
    assert (await receive(socket))["type"] == "pong"
    assert await StaffMessage.objects.acount() == 0


async def test_unknown_type_lists_the_allowed_ones(open_socket, cadet_user):
    socket = await open_socket("/ws/notifications/", access_token(cadet_user))
    await socket.send_json_to({"type": "message", "data": {"content": "hi"}})
    data = assert_envelope(await receive(socket), "error")
    assert data["code"] == "unknown_type"
    assert data["allowed"] == ["ping"]


async def test_a_flood_is_limited_then_closed_with_4429(open_socket, cadet_user, monkeypatch):
    # given a small budget: 3 messages, then 2 answered refusals, and no refill to speak of
    monkeypatch.setattr(consumers.RealtimeConsumer, "burst", 3)
    monkeypatch.setattr(consumers.RealtimeConsumer, "rate_per_second", 0.001)
    monkeypatch.setattr(consumers.RealtimeConsumer, "abuse_budget", 2)
    monkeypatch.setattr(consumers.RealtimeConsumer, "abuse_refill_per_second", 0.001)
    socket = await open_socket("/ws/notifications/", access_token(cadet_user))

    # the burst passes
    for _ in range(3):
        await socket.send_json_to({"type": "ping"})
        assert (await receive(socket))["type"] == "pong"
    # the excess gets errors, socket open
    for _ in range(2):
        await socket.send_json_to({"type": "ping"})
        assert assert_envelope(await receive(socket), "error")["code"] == "rate_limited"
    # persistent abuse closes it
    await socket.send_json_to({"type": "ping"})
    await assert_refused(socket, 4429)


def test_token_bucket_refills_at_its_rate():
    now = [0.0]
    bucket = consumers.TokenBucket(rate=2.0, capacity=2, clock=lambda: now[0])
    assert bucket.take()
    assert bucket.take()
    assert not bucket.take()
    now[0] += 0.5  # one token back
    assert bucket.take()
    assert not bucket.take()
    now[0] += 100  # never above capacity
    assert bucket.take()
    assert bucket.take()
    assert not bucket.take()


# --- groups -----------------------------------------------------------------------------


async def test_each_route_joins_its_groups_and_leaves_them_on_disconnect(
    open_socket, channel_layer, admin_user, staff_user, cadet_with_record
):
    cadet = await database_sync_to_async(cadet_with_record)("S-1")
    expected = [
        ("/ws/notifications/", cadet, {f"user.{cadet.pk}"}),
        ("/ws/updates/", admin_user, {"updates.all", "updates.admin"}),
        ("/ws/updates/", staff_user, {"updates.all", "updates.staff"}),
        ("/ws/updates/", cadet, {"updates.all", f"updates.cadet.{cadet.cadet_id}"}),
        ("/ws/chat/staff/", staff_user, {"chat.staff"}),
    ]
    for path, user, groups in expected:
        socket = await open_socket(path, access_token(user))
        await socket.send_json_to({"type": "ping"})
        await receive(socket)
        assert members(channel_layer) == dict.fromkeys(groups | {f"session.{user.pk}"}, 1), path

        await socket.disconnect()

        assert members(channel_layer) == {}, path


async def test_a_cadet_without_a_cadet_record_gets_only_public_updates(
    open_socket, channel_layer, cadet_user
):
    socket = await open_socket("/ws/updates/", access_token(cadet_user))
    await socket.send_json_to({"type": "ping"})
    await receive(socket)
    assert set(members(channel_layer)) == {"updates.all", f"session.{cadet_user.pk}"}


# --- notifications ---------------------------------------------------------------------


async def test_a_notification_reaches_its_users_sockets_only_and_only_on_commit(
    open_socket, make_user
):
    alice, bob, staff = [
        await database_sync_to_async(make_user)(role)
        for role in (Role.CADET, Role.CADET, Role.TRAINING_STAFF)
    ]
    alice_phone = await open_socket("/ws/notifications/", access_token(alice))
    alice_laptop = await open_socket("/ws/notifications/", access_token(alice))
    bob_socket = await open_socket("/ws/notifications/", access_token(bob))
    staff_socket = await open_socket("/ws/notifications/", access_token(staff))
    alice_updates = await open_socket("/ws/updates/", access_token(alice))

    # when a notification for Alice is saved in a transaction that rolls back
    def rolled_back() -> None:
        with transaction.atomic():
            notification_create(user=alice, message="never", type="grade")
            transaction.set_rollback(True)

    await database_sync_to_async(rolled_back)()
    # then nobody hears of it
    for socket in (alice_phone, alice_laptop, bob_socket, staff_socket):
        assert await socket.receive_nothing(timeout=0.2)

    # when one is committed
    def committed() -> int:
        with transaction.atomic():
            return notification_create(
                user=alice, message="Attendance marked: present", type="attendance"
            ).pk

    pk = await database_sync_to_async(committed)()

    # then both of Alice's notification sockets get it, with the documented data
    for socket in (alice_phone, alice_laptop):
        data = assert_envelope(await receive(socket), "notification")
        assert data["id"] == pk
        assert data["user_id"] == alice.pk
        assert data["message"] == "Attendance marked: present"
        assert data["priority"] == "normal"
        assert data["type"] == "attendance"
        assert datetime.fromisoformat(data["timestamp"]).tzinfo is not None
        assert {"id", "message", "timestamp", "priority", "user_id"} <= set(data)
    # and nobody else does, not even Alice's updates socket
    for socket in (bob_socket, staff_socket, alice_updates):
        assert await socket.receive_nothing(timeout=0.2)


async def test_the_notify_user_task_delivers(open_socket, cadet_user):
    socket = await open_socket("/ws/notifications/", access_token(cadet_user))

    pk = await database_sync_to_async(notify_user)(cadet_user.pk, "Report ready")

    data = assert_envelope(await receive(socket), "notification")
    assert (data["id"], data["message"], data["user_id"]) == (pk, "Report ready", cadet_user.pk)
    assert await database_sync_to_async(notify_user)(10**9, "nobody") is None


# --- updates ---------------------------------------------------------------------------


async def test_updates_are_scoped_by_role(open_socket, admin_user, staff_user, cadet_with_record):
    alice = await database_sync_to_async(cadet_with_record)("S-A")
    bob = await database_sync_to_async(cadet_with_record)("S-B")
    sockets = {
        name: await open_socket("/ws/updates/", access_token(user))
        for name, user in [
            ("admin", admin_user),
            ("staff", staff_user),
            ("alice", alice),
            ("bob", bob),
        ]
    }

    # when Alice's attendance changes
    await database_sync_to_async(broadcast_update)(
        "attendance", {"training_day_id": 7, "status": "present"}, cadet_id=alice.cadet_id
    )

    # then admins, staff and Alice see it; Bob does not
    for name in ("admin", "staff", "alice"):
        data = assert_envelope(await receive(sockets[name]), "update")
        assert data == {
            "kind": "attendance",
            "cadet_id": alice.cadet_id,
            "payload": {"training_day_id": 7, "status": "present"},
        }
    assert await sockets["bob"].receive_nothing(timeout=0.2)

    # when a change concerns nobody in particular, cadets do not see it
    await database_sync_to_async(broadcast_update)("training_day", {"id": 3})
    for name in ("admin", "staff"):
        assert (await receive(sockets[name]))["data"]["kind"] == "training_day"
    for name in ("alice", "bob"):
        assert await sockets[name].receive_nothing(timeout=0.2)

    # and a public change reaches everybody exactly once
    await database_sync_to_async(broadcast_update)("activity", {"id": 9}, public=True)
    for socket in sockets.values():
        assert (await receive(socket))["data"]["kind"] == "activity"
        assert await socket.receive_nothing(timeout=0.1)


async def test_updates_wait_for_commit(open_socket, admin_user):
    socket = await open_socket("/ws/updates/", access_token(admin_user))

    def rolled_back() -> None:
        with transaction.atomic():
            broadcast_update("grade", {"id": 1}, cadet_id=1)
            transaction.set_rollback(True)

    await database_sync_to_async(rolled_back)()
    assert await socket.receive_nothing(timeout=0.2)


def test_broadcast_update_needs_a_kind():
    with pytest.raises(ValueError, match="kind"):
        broadcast_update("", {})


async def test_disconnect_user_closes_all_their_sockets(open_socket, cadet_user, staff_user):
    mine = [
        await open_socket("/ws/notifications/", access_token(cadet_user)),
        await open_socket("/ws/updates/", access_token(cadet_user)),
    ]
    other = await open_socket("/ws/notifications/", access_token(staff_user))

    await database_sync_to_async(disconnect_user)(cadet_user.pk)

    for socket in mine:
        await assert_refused(socket, 4401)
    assert await other.receive_nothing(timeout=0.2)


# --- chat ------------------------------------------------------------------------------


async def test_chat_room_permissions(open_socket, admin_user, staff_user, cadet_user, make_user):
    other_cadet = await database_sync_to_async(make_user)(Role.CADET)
    allowed = [
        (staff_user, "staff"),
        (admin_user, "staff"),
        (cadet_user, f"support-{cadet_user.pk}"),
        (admin_user, f"support-{cadet_user.pk}"),
    ]
    forbidden = [
        (cadet_user, "staff"),
        (cadet_user, f"support-{other_cadet.pk}"),
        (staff_user, f"support-{cadet_user.pk}"),
        (cadet_user, "general"),
        (admin_user, "general"),
        (admin_user, "support-0"),
        (admin_user, "support-01"),
    ]
    for user, room in allowed:
        socket = await open_socket(f"/ws/chat/{room}/", access_token(user))
        await socket.send_json_to({"type": "ping"})
        assert (await receive(socket))["type"] == "pong", (user.role, room)
    for user, room in forbidden:
        socket = await open_socket(f"/ws/chat/{room}/", access_token(user))
        await assert_refused(socket, 4403)


async def test_unknown_paths_are_closed_with_4404_after_the_token_check(open_socket, cadet_user):
    for path in ("/ws/other/", "/ws/chat/a.b/", "/ws/chat/" + "x" * 65 + "/", "/"):
        await assert_refused(await open_socket(path, access_token(cadet_user)), 4404)
    await assert_refused(await open_socket("/ws/other/"), 4401)


async def test_staff_room_messages_are_saved_and_sent_to_the_room(
    open_socket, staff_with_record, admin_user, make_user
):
    other_staff = await database_sync_to_async(make_user)(Role.TRAINING_STAFF)
    sender = await open_socket("/ws/chat/staff/", access_token(staff_with_record))
    admin = await open_socket("/ws/chat/staff/", access_token(admin_user))
    colleague = await open_socket("/ws/chat/staff/", access_token(other_staff))
    elsewhere = await open_socket(f"/ws/chat/support-{admin_user.pk}/", access_token(admin_user))

    await sender.send_json_to({"type": "message", "data": {"content": "  Formation at 0700  "}})

    received = [await receive(socket) for socket in (sender, admin, colleague)]

    saved = await StaffMessage.objects.aget()
    assert saved.content == "Formation at 0700"
    assert saved.sender_staff_id == staff_with_record.staff_id
    for message in received:
        data = assert_envelope(message, "chat.message")
        assert data["id"] == saved.pk
        assert data["room"] == "staff"
        assert data["content"] == "Formation at 0700"
        assert data["sender"] == {
            "user_id": staff_with_record.pk,
            "username": staff_with_record.username,
            "role": "training_staff",
            "staff_id": staff_with_record.staff_id,
        }
    assert await elsewhere.receive_nothing(timeout=0.2)
    # once: the messaging service broadcasts it, the consumer does not again
    assert await admin.receive_nothing(timeout=0.2)


async def test_posting_in_the_staff_room_needs_a_staff_record(open_socket, admin_user):
    socket = await open_socket("/ws/chat/staff/", access_token(admin_user))

    await socket.send_json_to({"type": "message", "data": {"content": "hello"}})

    assert assert_envelope(await receive(socket), "error")["code"] == "forbidden"
    assert await StaffMessage.objects.acount() == 0
    await socket.send_json_to({"type": "ping"})
    assert (await receive(socket))["type"] == "pong"


async def test_support_room_is_live_between_a_user_and_the_admins(
    open_socket, cadet_user, admin_user
):
    room = f"/ws/chat/support-{cadet_user.pk}/"
    cadet = await open_socket(room, access_token(cadet_user))
    admin = await open_socket(room, access_token(admin_user))

    await cadet.send_json_to({"type": "message", "data": {"content": "I cannot log in"}})

    for socket in (cadet, admin):
        data = assert_envelope(await receive(socket), "chat.message")
        assert (data["id"], data["content"], data["sender"]["user_id"]) == (
            None,
            "I cannot log in",
            cadet_user.pk,
        )
    assert await StaffMessage.objects.acount() == 0


async def test_a_failing_handler_answers_internal_and_keeps_the_socket(
    open_socket, staff_with_record, monkeypatch
):
    def boom(**kwargs: object) -> None:
        raise RuntimeError("database down")

    monkeypatch.setattr(consumers, "chat_message_post", boom)
    socket = await open_socket("/ws/chat/staff/", access_token(staff_with_record))

    await socket.send_json_to({"type": "message", "data": {"content": "hi"}})

    assert assert_envelope(await receive(socket), "error")["code"] == "internal"
    await socket.send_json_to({"type": "ping"})
    assert (await receive(socket))["type"] == "pong"


def _gauge(name: str) -> float:
    return metrics.WS_OPEN.labels(name)._value.get()


def _sent(name: str) -> float:
    return metrics.WS_MESSAGES.labels(name)._value.get()


async def test_open_sockets_and_messages_are_counted(open_socket, cadet_user):
    before_open, before_sent = _gauge("notifications"), _sent("notifications")
    socket = await open_socket("/ws/notifications/", access_token(cadet_user))
    await socket.send_json_to({"type": "ping"})
    await receive(socket)
    assert _gauge("notifications") == before_open + 1
    assert _sent("notifications") == before_sent + 1

    await socket.disconnect()

    assert _gauge("notifications") == before_open
    # a refused socket was never open
    await assert_refused(await open_socket("/ws/notifications/"), 4401)
    assert _gauge("notifications") == before_open
