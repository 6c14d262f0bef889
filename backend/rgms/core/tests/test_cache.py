"""The read cache: one round trip per read, never a stale value after a committed write,
and hit/miss figures that add up."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable

import pytest
from django.core.cache import cache as django_cache
from django.db import transaction

from rgms.core import cache
from rgms.core.testing import CallCounter


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


def test_a_wanted_read_comes_with_the_next_lookup_of_its_request(counter: CallCounter) -> None:
    # given two cached reads (the request's user, then the view's body)
    user_build, _ = builder("user")
    body_build, built = builder(b"body")
    cache.get_or_build(["user:1"], ["row"], user_build)
    cache.get_or_build(["cadet:1", "days"], ["profile"], body_build)
    counter.calls.clear()
    with cache.request_scope():
        # when the body is wanted before the user's lookup
        cache.want([(["days", "cadet:1"], ["profile"])])
        assert cache.get_or_build(["user:1"], ["row"], user_build) == "user"
        assert cache.get_or_build(["cadet:1", "days"], ["profile"], body_build) == b"body"
        # then both came in one MGET, and the body was not rebuilt
        assert counter.calls == ["get_many"]
        assert built == [1]
        # and a fetched value serves one read: the same read again asks the cache
        cache.get_or_build(["cadet:1", "days"], ["profile"], body_build)
        assert counter.calls == ["get_many", "get_many"]


def test_a_read_takes_fetched_values_only_under_its_own_keys(counter: CallCounter) -> None:
    # given a request that wanted a read it does not make (a wrong guess)
    build, built = builder(b"mine")
    cache.get_or_build(["cadet:2"], ["profile"], build)
    counter.calls.clear()
    with cache.request_scope():
        cache.want([(["cadet:3"], ["profile"])])
        cache.get_or_build(["user:1"], ["row"], lambda: "user")
        # when it reads something else
        value = cache.get_or_build(["cadet:2"], ["profile"], build)
    # then that read asked the cache itself, and got its own value
    assert value == b"mine"
    assert counter.calls.count("get_many") == 2
    assert built == [1]


def test_wanting_outside_a_request_scope_changes_nothing(counter: CallCounter) -> None:
    cache.want([(["cadet:1"], ["profile"])])
    cache.get_or_build(["user:1"], ["row"], lambda: "user")
    cache.get_or_build(["cadet:1"], ["profile"], lambda: b"body")
    assert counter.calls.count("get_many") == 2


@pytest.mark.django_db(transaction=True)
def test_a_write_in_the_request_drops_what_it_fetched() -> None:
    # given a request that fetched a read with its user
    cache.get_or_build(["ns"], ["k"], lambda: "before")
    with cache.request_scope():
        cache.want([(["ns"], ["k"])])
        cache.get_or_build(["user:1"], ["row"], lambda: "user")
        # when the request itself writes to the read's namespace
        cache.invalidate("ns")  # outside a transaction: at once
        # then its read is of after the write, not what was fetched before it
        assert cache.get_or_build(["ns"], ["k"], lambda: "after") == "after"


@pytest.mark.django_db(transaction=True)
def test_invalidations_together_drop_everything_in_one_call_on_commit(
    counter: CallCounter,
) -> None:
    # given cached reads in three namespaces
    for name in ("a", "b", "c"):
        cache.get_or_build([name], ["k"], lambda: "old")
    counter.calls.clear()
    # when one transaction invalidates two of them together, in two calls
    with transaction.atomic():
        with cache.invalidations_together():
            cache.invalidate("a")
            cache.invalidate("b", "a")
        # then nothing is dropped before the commit
        assert counter.calls == []
        assert cache.get_or_build(["a"], ["k"], lambda: "new") == "old"
        counter.calls.clear()
    # and the commit drops both with one call, and nothing else
    assert counter.calls == ["set_many"]
    assert cache.get_or_build(["a"], ["k"], lambda: "new") == "new"
    assert cache.get_or_build(["b"], ["k"], lambda: "new") == "new"
    assert cache.get_or_build(["c"], ["k"], lambda: "new") == "old"


@pytest.mark.django_db(transaction=True)
def test_invalidations_together_survive_an_error_the_caller_commits_past() -> None:
    cache.get_or_build(["a"], ["k"], lambda: "old")

    @cache.invalidations_together()
    def write_then_fail() -> None:
        cache.invalidate("a")
        raise ValueError("after the write")

    with transaction.atomic(), contextlib.suppress(ValueError):
        write_then_fail()
    assert cache.get_or_build(["a"], ["k"], lambda: "new") == "new"


@pytest.mark.django_db(transaction=True)
def test_invalidations_together_nest_into_the_outermost(counter: CallCounter) -> None:
    with transaction.atomic():
        with cache.invalidations_together():
            cache.invalidate("a")
            with cache.invalidations_together():
                cache.invalidate("b")
        counter.calls.clear()
    assert counter.calls == ["set_many"]


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
