"""The read cache: one round trip per read, never a stale value after a committed write,
and hit/miss figures that add up."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache as django_cache

from rgms.core import cache


class CallCounter:
    """Stands in for Django's cache and counts the calls that reach it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not callable(attribute):
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return attribute(*args, **kwargs)

        return counted


@pytest.fixture
def counter(monkeypatch: pytest.MonkeyPatch) -> CallCounter:
    # Counts pending from earlier tests are added now, and their timer is stopped, so no
    # flush lands among the calls a test counts.
    cache.stats()
    wrapper = CallCounter(django_cache)
    monkeypatch.setattr(cache, "cache", wrapper)
    return wrapper


def builder(value: object) -> tuple[Callable[[], object], list[int]]:
    built: list[int] = []

    def build() -> object:
        built.append(1)
        return value

    return build, built


def test_a_hit_is_one_round_trip(counter: CallCounter) -> None:
    # given a cached read over two namespaces
    build, built = builder(b"body")
    cache.get_or_build(["a", "b"], ["x"], build)
    counter.calls.clear()
    # when it is read again
    for _ in range(3):
        assert cache.get_or_build(["b", "a"], ["x"], build) == b"body"
    # then each read was a single MGET and nothing was rebuilt
    assert counter.calls == ["get_many"] * 3
    assert built == [1]


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_drops_the_reads_of_its_namespace() -> None:
    build, _ = builder("v1")
    cache.get_or_build(["ns"], ["k"], build)
    cache.invalidate("ns")  # outside a transaction: at once
    assert cache.get_or_build(["ns"], ["k"], lambda: "v2") == "v2"
    assert cache.get_or_build(["other"], ["k"], build) == "v1"


@pytest.mark.django_db(transaction=True)
def test_a_value_built_while_a_write_commits_is_never_served() -> None:
    # given a build that reads old data while a write to its namespace commits
    def build_during_write() -> str:
        cache.invalidate("ns")
        return "stale"

    assert cache.get_or_build(["ns"], ["k"], build_during_write) == "stale"
    # when the same read comes next, then it is rebuilt from current data
    assert cache.get_or_build(["ns"], ["k"], lambda: "fresh") == "fresh"
    assert cache.get_or_build(["ns"], ["k"], lambda: "unused") == "fresh"


def test_a_lost_generation_is_a_miss() -> None:
    cache.get_or_build(["ns"], ["k"], lambda: "old")
    django_cache.delete("cache-gen:ns")  # evicted, or Redis flushed
    assert cache.get_or_build(["ns"], ["k"], lambda: "new") == "new"


def test_hits_and_misses_add_up_in_stats() -> None:
    before = cache.stats()
    for _ in range(3):
        cache.get_or_build(["stats-ns"], ["k"], lambda: 1)
    after = cache.stats()
    assert after["misses"] - before["misses"] == 1
    assert after["hits"] - before["hits"] == 2


def test_counts_reach_the_cache_in_batches(counter: CallCounter) -> None:
    # given a cached value
    cache.get_or_build(["batch-ns"], ["k"], lambda: 1)
    cache.stats()
    counter.calls.clear()
    # when it is read fewer times than a batch
    for _ in range(cache.COUNT_BATCH - 1):
        cache.get_or_build(["batch-ns"], ["k"], lambda: 1)
    # then no counter was written yet; the next read writes the batch at once
    assert "incr" not in counter.calls
    cache.get_or_build(["batch-ns"], ["k"], lambda: 1)
    assert counter.calls.count("incr") == 1


def test_counts_reach_the_cache_within_the_interval_without_more_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given no counts pending, and a short interval
    monkeypatch.setattr(cache, "COUNT_INTERVAL", 0.2)
    cache.stats()
    stored = int(django_cache.get(cache._HITS) or 0)
    cache.get_or_build(["interval-ns"], ["k"], lambda: 1)
    # when one hit is counted and this process then reads nothing more
    cache.get_or_build(["interval-ns"], ["k"], lambda: 1)
    assert int(django_cache.get(cache._HITS) or 0) == stored  # pending, not yet added
    # then it is added within the interval all the same (as another worker's stats see it)
    deadline = time.monotonic() + 5
    while int(django_cache.get(cache._HITS) or 0) == stored and time.monotonic() < deadline:
        time.sleep(0.05)
    assert int(django_cache.get(cache._HITS) or 0) == stored + 1


def test_a_forked_child_adds_only_its_own_counts() -> None:
    # given a count pending in this process
    cache.stats()
    cache.get_or_build(["fork-ns"], ["k"], lambda: 1)
    assert cache._pending
    # when the process forks
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reports what it would add, and whether it may arm a timer
        os.write(write_end, f"{sum(cache._pending.values())} {cache._flush_timer}".encode())
        os._exit(0)
    os.waitpid(pid, 0)
    reported = os.read(read_end, 100).decode()
    os.close(read_end)
    os.close(write_end)
    # then the child starts with nothing pending and no timer; the parent keeps its count
    assert reported == "0 None"
    assert sum(cache._pending.values()) == 1
