"""Real time: a write on web reaches the affected user's open socket on channels."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from verification.targets.base import Target
from verification.tests.integration.conftest import Api
from verification.tests.integration.realtime_support import open_notifications, wait_for

pytestmark = pytest.mark.target

Role = Callable[[str], Api]
DELIVERY_S = 15


@pytest.mark.critical
@pytest.mark.needs_channel_layer
def test_a_merit_reaches_the_cadets_socket_and_the_next_read(target: Target, as_role: Role) -> None:
    """Staff record a merit: the cadet's socket gets the notification at once, and the cadet's
    next read of their grades shows it (no stale cache after a write)."""
    cadet, staff = as_role("cadet"), as_role("staff")
    before = cadet.get("/api/v1/grades/").json()["results"][0]["merit_points"] or 0
    # given the cadet's notifications socket is open
    with open_notifications(target, cadet.token) as sock:
        # when training staff record 3 merit points for the cadet
        response = staff.post(
            "/api/v1/merit-demerit-logs/",
            json={"cadet": cadet.user["cadet_id"], "type": "merit", "points": 3, "reason": "drill"},
        )
        assert response.status_code == 201, response.text
        # then the cadet hears about it on the socket
        message = wait_for(
            sock,
            lambda m: m["type"] == "notification" and "merit" in m["data"]["message"],
            DELIVERY_S,
        )
    assert message is not None, f"no notification within {DELIVERY_S} s"
    assert message["data"]["user_id"] == cadet.user_id
    assert set(message["data"]) >= {"id", "message", "timestamp", "priority", "user_id"}
    # and the grade read right after shows the new points
    after = cadet.get("/api/v1/grades/").json()["results"][0]["merit_points"]
    assert after == before + 3


@pytest.mark.critical
def test_socket_without_a_token_is_refused(target: Target) -> None:
    """No token: the socket is closed with 4401 before any message."""
    with connect(f"{target.ws_url}/ws/notifications/", open_timeout=10) as sock:
        # The refusal may already be waiting, or arrive after the ping.
        with contextlib.suppress(ConnectionClosed):
            sock.send(json.dumps({"type": "ping"}))
        with pytest.raises(ConnectionClosed) as closed:
            sock.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401


def test_malformed_message_gets_an_error_not_a_dropped_socket(
    target: Target, as_role: Role
) -> None:
    """A bad frame is answered with an error message and the socket stays open."""
    with open_notifications(target, as_role("cadet").token) as sock:
        sock.send("{not json")
        error = wait_for(sock, lambda m: m["type"] == "error", 10)
        assert error is not None
        assert error["data"]["code"] == "invalid_json"
        sock.send(json.dumps({"type": "ping"}))
        assert wait_for(sock, lambda m: m["type"] == "pong", 10) is not None
