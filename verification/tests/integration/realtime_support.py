"""Websocket helpers for the suite: a socket on the target's channels service, and waiting for
one message among the envelopes it receives."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from websockets.sync.client import ClientConnection, connect

from verification.targets.base import Target


@contextmanager
def open_notifications(target: Target, token: str) -> Iterator[ClientConnection]:
    url = f"{target.ws_url}/ws/notifications/?token={token}"
    with connect(url, open_timeout=10, close_timeout=2) as sock:
        # The server accepts then closes a refused token: a pong proves this socket is live.
        sock.send(json.dumps({"type": "ping"}))
        pong = wait_for(sock, lambda m: m["type"] == "pong", 10)
        assert pong is not None, "no pong: the socket was not accepted"
        yield sock


def wait_for(
    sock: ClientConnection, predicate: Callable[[dict[str, Any]], bool], timeout: float
) -> dict[str, Any] | None:
    end = time.monotonic() + timeout
    while (left := end - time.monotonic()) > 0:
        try:
            message = json.loads(sock.recv(timeout=left))
        except TimeoutError:
            return None
        assert set(message) >= {"type", "data", "timestamp"}, message
        if predicate(message):
            return message
    return None
