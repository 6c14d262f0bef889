"""The envelope and the broadcast helpers: shape, group names, and delivery that never turns
a committed write into an error when the channel layer is down."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest

from rgms.realtime import envelope
from rgms.realtime.rooms import room_access


def test_envelope_shape():
    message = envelope.envelope("pong", {"a": 1})
    assert set(message) == {"type", "data", "timestamp"}
    assert message["type"] == "pong"
    assert message["data"] == {"a": 1}
    assert datetime.fromisoformat(message["timestamp"]).tzinfo is not None


def test_group_names():
    assert envelope.user_group(5) == "user.5"
    assert envelope.chat_group("staff") == "chat.staff"
    assert envelope.updates_cadet_group(9) == "updates.cadet.9"
    assert envelope.update_groups() == ["updates.admin", "updates.staff"]
    assert envelope.update_groups(cadet_id=9) == [
        "updates.admin",
        "updates.staff",
        "updates.cadet.9",
    ]
    assert envelope.update_groups(cadet_id=9, public=True) == ["updates.all"]


class BrokenLayer:
    async def group_send(self, group: str, message: dict) -> None:
        raise ConnectionError("redis is down")


def test_broadcast_logs_and_swallows_layer_failures(monkeypatch, caplog):
    monkeypatch.setattr(envelope, "get_channel_layer", BrokenLayer)

    with caplog.at_level(logging.ERROR, logger="rgms.realtime.envelope"):
        envelope.broadcast("user.1", "notification", {"id": 1})

    assert "broadcast of 'notification' to user.1 failed" in caplog.text


async def test_abroadcast_logs_and_swallows_layer_failures(monkeypatch, caplog):
    monkeypatch.setattr(envelope, "get_channel_layer", BrokenLayer)

    with caplog.at_level(logging.ERROR, logger="rgms.realtime.envelope"):
        await envelope.abroadcast("chat.staff", "chat.message", {})

    assert "failed" in caplog.text


@pytest.mark.django_db
def test_broadcast_update_from_a_request_that_committed_survives_a_dead_layer(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(envelope, "get_channel_layer", BrokenLayer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        envelope.broadcast_update("grade", {"id": 1}, cadet_id=2)
    assert len(callbacks) == 1


class FakeUser:
    def __init__(self, pk: int, role: str, staff_id: int | None = None) -> None:
        self.pk, self.role, self.staff_id = pk, role, staff_id


@pytest.mark.parametrize(
    ("user", "room", "read", "post", "persist"),
    [
        (FakeUser(1, "training_staff", 4), "staff", True, True, True),
        (FakeUser(1, "training_staff"), "staff", True, False, True),
        (FakeUser(1, "admin"), "staff", True, False, True),
        (FakeUser(1, "admin", 2), "staff", True, True, True),
        (FakeUser(1, "cadet"), "staff", False, False, False),
        (FakeUser(1, "cadet"), "support-1", True, True, False),
        (FakeUser(1, "cadet"), "support-2", False, False, False),
        (FakeUser(1, "training_staff", 4), "support-2", False, False, False),
        (FakeUser(1, "admin"), "support-2", True, True, False),
        (FakeUser(1, "admin"), "support-", False, False, False),
        (FakeUser(1, "admin"), "support-1x", False, False, False),
        (FakeUser(1, "admin"), "Staff", False, False, False),
        (FakeUser(1, "admin"), "lobby", False, False, False),
    ],
)
def test_room_rule(user, room, read, post, persist):
    access = room_access(user, room)
    assert (access.can_read, access.can_post, access.persist) == (read, post, persist)
