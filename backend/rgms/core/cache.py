"""Read cache with invalidation by namespace.

Cached reads live under a namespace ("cadets", "grades", ...). Every key embeds the
namespace's current *generation*, a random token kept in the cache. A write invalidates by
replacing the token (on commit, so a concurrent reader never caches pre-commit data under the
new generation). A missing token (evicted, or Redis flushed) is replaced by a fresh random
one, never by a counter that could repeat, so no stale entry is ever reachable again.

A read is one round trip: the value is stored under a key without the generations, together
with the generations it was built under, and one MGET fetches it with the namespaces' current
generations; it is a hit only when they are equal. A value built from data that a concurrent
write then changed carries the generations read before the build, which the write has
replaced, so it is never served.

Within a :func:`request_scope`, reads named in advance by :func:`want` are fetched in the
same MGET as the next lookup (the request's user, looked up by its authentication), and the
read itself then needs no round trip of its own. The values are those of that moment; any
:func:`invalidate` in the scope drops them, so a request never reads back from before its
own write.

Hits and misses are counted in the cache itself, so every process of every service adds to the
same figures, reported by :func:`stats`. Each process adds its counts in batches (every
``COUNT_BATCH`` events, at most ``COUNT_INTERVAL`` seconds after an event, and before
:func:`stats` answers), so counting costs no round trip per read. The interval is kept by a
timer thread: a worker that goes quiet after a read still adds it, where the worker that
answers :func:`stats` can see it.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")
Read = tuple[Iterable[str], Iterable[object]]  # a read's namespaces and key parts
logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 300
_HITS, _MISSES = "cache-stats:hits", "cache-stats:misses"


def _generation_key(namespace: str) -> str:
    return f"cache-gen:{namespace}"


def _generation(namespace: str) -> str:
    key = _generation_key(namespace)
    token = cache.get(key)
    if token is None:
        token = secrets.token_hex(8)
        # add() so two processes racing here agree on one token.
        if not cache.add(key, token, timeout=None):
            token = cache.get(key) or token
    return token


def cache_key(namespaces: Iterable[str], *parts: object) -> str:
    """The key of a cached read (without generations: the stored value carries them)."""
    names = sorted(namespaces)
    return f"read:{'+'.join(names)}:" + ":".join(str(part) for part in parts)


COUNT_BATCH = 50
COUNT_INTERVAL = 5.0
_pending: dict[str, int] = {}
_pending_lock = threading.Lock()
_last_flush = time.monotonic()
_flush_timer: threading.Timer | None = None


def _add(key: str, amount: int) -> None:
    try:
        cache.incr(key, amount)
    except ValueError:
        if not cache.add(key, amount, timeout=None):
            cache.incr(key, amount)


def _flush_counts() -> None:
    global _last_flush, _flush_timer
    with _pending_lock:
        counts = dict(_pending)
        _pending.clear()
        _last_flush = time.monotonic()
        if _flush_timer is not None:
            _flush_timer.cancel()
            _flush_timer = None
    for key, amount in counts.items():
        if amount:
            _add(key, amount)


def _flush_counts_on_timer() -> None:
    # On the timer's own thread, where an exception would only reach stderr as a traceback.
    try:
        _flush_counts()
    except Exception:
        logger.warning("read-cache hit/miss counts could not be added", exc_info=True)


def _start_afresh_after_fork() -> None:
    # A forked child has no timer thread (nor a holder of the lock), and the counts it
    # inherited are still the parent's to add: a --preload parent's timer must not stop the
    # child from arming its own, nor its counts be added twice.
    global _pending_lock, _flush_timer
    _pending_lock = threading.Lock()
    _flush_timer = None
    _pending.clear()


os.register_at_fork(after_in_child=_start_afresh_after_fork)


@atexit.register
def _flush_counts_at_exit() -> None:
    # A process going away must not fail over figures (the cache may be gone already).
    with contextlib.suppress(Exception):
        _flush_counts()


def _count(key: str) -> None:
    global _flush_timer
    with _pending_lock:
        _pending[key] = _pending.get(key, 0) + 1
        due = (
            sum(_pending.values()) >= COUNT_BATCH
            or time.monotonic() - _last_flush >= COUNT_INTERVAL
        )
        if not due and _flush_timer is None:
            _flush_timer = threading.Timer(COUNT_INTERVAL, _flush_counts_on_timer)
            _flush_timer.daemon = True
            _flush_timer.start()
    if due:
        _flush_counts()


def _read_keys(namespaces: Iterable[str], parts: Iterable[object]) -> tuple[list[str], str]:
    """The generation keys of a read's namespaces (sorted) and the key of its entry."""
    names = sorted(namespaces)
    return [_generation_key(name) for name in names], cache_key(names, *parts)


@dataclass
class _Scope:
    wanted: set[str] = field(default_factory=set)
    fetched: dict[str, Any] = field(default_factory=dict)  # a key's value, None when absent


_scope: ContextVar[_Scope | None] = ContextVar("rgms_cache_scope", default=None)


@contextlib.contextmanager
def request_scope() -> Iterator[None]:
    """Where :func:`want` takes effect: one request's dispatch."""
    token = _scope.set(_Scope())
    try:
        yield
    finally:
        _scope.reset(token)


def want(reads: Iterable[Read]) -> None:
    """Fetch these reads (namespaces, parts, as :func:`get_or_build` takes them) with the next
    lookup of the current request scope; outside one, nothing happens. Only a hint: a read
    takes a fetched value only under exactly its own keys."""
    scope = _scope.get()
    if scope is not None:
        for namespaces, parts in reads:
            generation_keys, key = _read_keys(namespaces, parts)
            scope.wanted.update(generation_keys)
            scope.wanted.add(key)


def _get_many(keys: list[str]) -> dict[str, Any]:
    scope = _scope.get()
    if scope is None:
        return cache.get_many(keys)
    if all(key in scope.fetched for key in keys):  # each fetched value serves one read
        return {key: value for key in keys if (value := scope.fetched.pop(key)) is not None}
    extra = scope.wanted.difference(keys)
    scope.wanted.clear()
    found = cache.get_many([*keys, *extra])
    scope.fetched.update({key: found.get(key) for key in extra})
    return found


def get_or_build(
    namespaces: Iterable[str],
    parts: Iterable[object],
    build: Callable[[], T],
    timeout: int = DEFAULT_TIMEOUT,
    *,
    counted: bool = True,
) -> T:
    """The cached value for (namespaces, parts), building and storing it on a miss.

    `counted=False` keeps the lookup out of the hit/miss figures (they describe the API's
    read cache; the per-request user lookup would otherwise drown them). An exception raised
    by `build` propagates and nothing is stored."""
    names = sorted(namespaces)
    generation_keys, key = _read_keys(names, parts)
    found = _get_many([*generation_keys, key])
    generations = [found.get(generation_key) for generation_key in generation_keys]
    entry = found.get(key)
    if isinstance(entry, tuple) and None not in generations and entry[0] == generations:
        if counted:
            _count(_HITS)
        return entry[1]
    if counted:
        _count(_MISSES)
    # Generations are read before the build: a write committing meanwhile replaces them,
    # so what is stored below is never served as current.
    generations = [
        token if token is not None else _generation(name)
        for name, token in zip(names, generations, strict=True)
    ]
    value = build()
    cache.set(key, (generations, value), timeout=timeout)
    return value


def _bump(namespaces: Iterable[str]) -> None:
    tokens = {_generation_key(namespace): secrets.token_hex(8) for namespace in namespaces}
    cache.set_many(tokens, timeout=None)


_together: ContextVar[set[str] | None] = ContextVar("rgms_cache_together", default=None)


@contextlib.contextmanager
def invalidations_together() -> Iterator[None]:
    """Within (a ``with`` block, or as a decorator): :func:`invalidate` gathers its namespaces,
    and one bump on commit drops them all, one Redis call where each call made its own.

    Use it inside the transaction that makes the writes (under ``transaction.atomic``); the
    bump is then registered for that transaction's commit, as each call's would have been.
    It is registered even when the block raises: a caller that catches the error may still
    commit what was written before it. Nested blocks leave the bump to the outermost."""
    if _together.get() is not None:
        yield
        return
    gathered: set[str] = set()
    token = _together.set(gathered)
    try:
        yield
    finally:
        _together.reset(token)
        if gathered:
            transaction.on_commit(lambda: _bump(gathered))


def invalidate(*namespaces: str, now: bool = False) -> None:
    """Drop every cached read of these namespaces once the current transaction commits.

    `now=True` also drops them at once, for data that must never be served from before a
    change by the code that made it, even inside its uncommitted transaction (a user archived
    by this request and looked up again by it). The bump on commit is still needed: a reader
    in between may have cached the pre-commit row under the new generation."""
    scope = _scope.get()
    if scope is not None:
        scope.wanted.clear()
        scope.fetched.clear()
    if now:
        _bump(namespaces)
    gathered = _together.get()
    if gathered is not None:
        gathered.update(namespaces)
    else:
        transaction.on_commit(lambda: _bump(namespaces))


def stats() -> dict[str, Any]:
    _flush_counts()
    hits = int(cache.get(_HITS) or 0)
    misses = int(cache.get(_MISSES) or 0)
    total = hits + misses
    return {"hits": hits, "misses": misses, "hit_rate": round(hits / total, 4) if total else None}
