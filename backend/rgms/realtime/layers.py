"""The Redis channel layer of every service: channels-redis with connection settings that
hold with redis-py 8.

redis-py 8 changed two defaults that channels-redis 4.3 relies on (django/channels_redis#422,
redis/redis-py#4091):

- ``socket_timeout`` went from none to 5 s. channels-redis waits for messages with a
  blocking BZPOPMIN of ``brpop_timeout`` (5 s), so an idle wait races the client's read
  timeout; when the client loses, ``receive()`` raises TimeoutError inside the consumer,
  which dies and daphne closes its socket with 1011. Here the read timeout is the blocking
  time plus a margin: an idle wait always returns first, a dead Redis is still noticed.
- an asyncio pool now holds at most 100 connections and raises "Too many connections"
  beyond that, at once. A burst of connects or disconnects (a campus reconnecting after a
  deploy) then fails group_add / group_discard, leaving sockets outside their groups or
  stale members in them. Here a blocking pool makes a burst wait for a free connection.

Enabled by CHANNEL_LAYERS["default"]["BACKEND"] = "rgms.realtime.layers.RedisChannelLayer".
Host entries given as dicts keep whatever they set explicitly.
"""

from __future__ import annotations

from typing import Any

from channels_redis.core import RedisChannelLayer as BaseRedisChannelLayer
from redis.asyncio import BlockingConnectionPool


class RedisChannelLayer(BaseRedisChannelLayer):
    # Seconds the client waits on a reply beyond the blocking pop's own timeout.
    read_timeout_margin = 10
    connect_timeout = 5
    # Connections per process and event loop; a burst beyond waits up to pool_timeout.
    max_connections = 200
    pool_timeout = 20

    def pool_options(self) -> dict[str, Any]:
        return {
            "socket_timeout": self.brpop_timeout + self.read_timeout_margin,
            "socket_connect_timeout": self.connect_timeout,
            "max_connections": self.max_connections,
            "timeout": self.pool_timeout,
        }

    def create_pool(self, index: int) -> Any:
        host = dict(self.hosts[index])
        if "address" not in host:  # sentinel or host/port entries: as channels-redis does
            return super().create_pool(index)
        address = host.pop("address")
        return BlockingConnectionPool.from_url(address, **{**self.pool_options(), **host})
