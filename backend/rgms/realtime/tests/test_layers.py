"""The channel layer on a real Redis: an idle receive outlives redis-py 8's default 5 s read
timeout, and a burst of operations beyond the old 100-connection pool limit waits instead
of failing."""

from __future__ import annotations

import asyncio
import time

import pytest
from redis.asyncio import BlockingConnectionPool

from rgms.realtime.layers import RedisChannelLayer

pytestmark = pytest.mark.needs_redis


def test_pool_options_outlast_the_blocking_pop():
    layer = RedisChannelLayer(hosts=["redis://127.0.0.1:6379/0"])
    pool = layer.create_pool(0)
    assert isinstance(pool, BlockingConnectionPool)
    assert pool.connection_kwargs["socket_timeout"] > layer.brpop_timeout
    assert pool.max_connections == 200


def test_explicit_host_options_win():
    layer = RedisChannelLayer(hosts=[{"address": "redis://127.0.0.1:6379/0", "socket_timeout": 60}])
    assert layer.create_pool(0).connection_kwargs["socket_timeout"] == 60


@pytest.mark.slow
async def test_an_idle_receive_survives_and_then_delivers(redis_url):
    layer = RedisChannelLayer(hosts=[redis_url], prefix=f"test-layers-{time.time_ns()}")
    channel = await layer.new_channel()
    try:
        receiving = asyncio.create_task(layer.receive(channel))
        # longer than brpop_timeout (5 s) plus redis-py 8's default read timeout race
        await asyncio.sleep(layer.brpop_timeout + 2)
        assert not receiving.done(), receiving.exception() if receiving.done() else None

        await layer.send(channel, {"type": "relay.message", "n": 1})

        assert (await asyncio.wait_for(receiving, 10))["n"] == 1
    finally:
        await layer.flush()
        await layer.close_pools()


async def test_a_burst_of_group_operations_beyond_100_connections_succeeds(redis_url):
    layer = RedisChannelLayer(hosts=[redis_url], prefix=f"test-layers-{time.time_ns()}")
    layer.max_connections = 20  # a small pool makes the burst wait, not fail
    try:
        channels = [f"specific.test!{n}" for n in range(300)]
        await asyncio.gather(*(layer.group_add("user.1", name) for name in channels))
        await asyncio.gather(*(layer.group_discard("user.1", name) for name in channels))
    finally:
        await layer.flush()
        await layer.close_pools()
