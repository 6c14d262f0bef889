"""Sends from sync code (web requests, tasks) on a real Redis channel layer: they arrive in
order, reuse the process's connections instead of opening one per send, and still work in a
forked worker process (gunicorn and Celery fork theirs)."""

from __future__ import annotations

import asyncio
import os
import time

import pytest
import redis
from asgiref.sync import async_to_sync

from rgms.realtime import envelope
from rgms.realtime.layers import RedisChannelLayer

pytestmark = pytest.mark.needs_redis

GROUP = "user.1"


@pytest.fixture
def layer(redis_url: str, monkeypatch: pytest.MonkeyPatch):
    layer = RedisChannelLayer(hosts=[redis_url], prefix=f"test-sync-sends-{time.time_ns()}")
    monkeypatch.setattr(envelope, "get_channel_layer", lambda: layer)
    yield layer
    # Its remaining connections belong to the process's send loop: close them there.
    envelope._layer_loop.run(layer.flush(), timeout=10)


def listen(layer: RedisChannelLayer) -> str:
    async def join() -> str:
        channel = await layer.new_channel()
        await layer.group_add(GROUP, channel)
        return channel

    return async_to_sync(join)()


def received(layer: RedisChannelLayer, channel: str, count: int) -> list[object]:
    async def take() -> list[object]:
        messages = [await asyncio.wait_for(layer.receive(channel), 5) for _ in range(count)]
        return [message["event"]["data"]["n"] for message in messages]

    return async_to_sync(take)()


def connections_received(server: redis.Redis) -> int:
    return int(server.info("stats")["total_connections_received"])


def test_sends_arrive_in_order_over_reused_connections(layer, redis_url: str) -> None:
    channel = listen(layer)
    envelope.broadcast(GROUP, "notification", {"n": -1})  # the process's first send connects
    server = redis.Redis.from_url(redis_url)
    before = connections_received(server)

    for n in range(20):
        envelope.broadcast(GROUP, "notification", {"n": n})

    assert connections_received(server) - before == 0
    assert received(layer, channel, 21) == [-1, *range(20)]


def test_a_forked_process_sends_through_a_loop_of_its_own(layer, monkeypatch) -> None:
    monkeypatch.setattr(envelope, "SEND_TIMEOUT_S", 3.0)
    channel = listen(layer)
    envelope.broadcast(GROUP, "notification", {"n": "parent"})  # the parent's loop is running

    pid = os.fork()
    if pid == 0:  # the child: a thread (the parent's loop) does not survive a fork
        try:
            envelope.broadcast(GROUP, "notification", {"n": "child"})
        finally:
            os._exit(0)
    os.waitpid(pid, 0)

    assert received(layer, channel, 2) == ["parent", "child"]
