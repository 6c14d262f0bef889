"""Read cache with invalidation by namespace.

Cached reads live under a namespace ("cadets", "grades", ...). Every key embeds the
namespace's current *generation*, a random token kept in the cache. A write invalidates by
replacing the token (on commit, so a concurrent reader never caches pre-commit data under the
new generation). A missing token (evicted, or Redis flushed) is replaced by a fresh random
one, never by a counter that could repeat, so no stale entry is ever reachable again.

Hits and misses are counted (in the cache itself, so every process of every service adds to
the same figures) and reported by :func:`stats`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

DEFAULT_TIMEOUT = 300
_HITS, _MISSES = "cache-stats:hits", "cache-stats:misses"


def _generation(namespace: str) -> str:
    key = f"cache-gen:{namespace}"
    token = cache.get(key)
    if token is None:
        token = secrets.token_hex(8)
        # add() so two processes racing here agree on one token.
        if not cache.add(key, token, timeout=None):
            token = cache.get(key) or token
    return token


def cache_key(namespaces: Iterable[str], *parts: object) -> str:
    names = sorted(namespaces)
    generations = ".".join(_generation(name) for name in names)
    return f"read:{'+'.join(names)}:{generations}:" + ":".join(str(part) for part in parts)


def _count(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, 1, timeout=None)


def get_or_build(
    namespaces: Iterable[str],
    parts: Iterable[object],
    build: Callable[[], T],
    timeout: int = DEFAULT_TIMEOUT,
) -> T:
    """The cached value for (namespaces, parts), building and storing it on a miss."""
    key = cache_key(namespaces, *parts)
    value = cache.get(key)
    if value is not None:
        _count(_HITS)
        return value
    _count(_MISSES)
    value = build()
    cache.set(key, value, timeout=timeout)
    return value


def invalidate(*namespaces: str) -> None:
    """Drop every cached read of these namespaces once the current transaction commits."""

    def bump() -> None:
        for namespace in namespaces:
            cache.set(f"cache-gen:{namespace}", secrets.token_hex(8), timeout=None)

    transaction.on_commit(bump)


def stats() -> dict[str, Any]:
    hits = int(cache.get(_HITS) or 0)
    misses = int(cache.get(_MISSES) or 0)
    total = hits + misses
    return {"hits": hits, "misses": misses, "hit_rate": round(hits / total, 4) if total else None}
