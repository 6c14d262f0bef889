"""The rolling sample store: in-process, and per-minute reservoirs in a real Redis."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator
from fractions import Fraction

import pytest
import redis

from rgms.observability import samples
from rgms.observability.stats import RequestSample, TaskSample

NOW = 1_800_000_000.0  # a fixed clock, on a minute boundary


def _request(at: float, status: int = 200, ms: float = 5.0) -> RequestSample:
    return RequestSample(at, "/api/v1/cadets/<pk>/", "GET", status, ms)


def test_encoding_round_trips() -> None:
    request = _request(NOW + 0.123, 503, 12.345)
    assert samples.decode_request(samples.encode_request(request)) == request
    task = TaskSample(NOW, "rgms.x", "FAILURE", None)
    assert samples.decode_task(samples.encode_task(task)) == task
    assert samples.decode_request("garbage") is None


def test_process_store_keeps_a_bounded_window() -> None:
    store = samples.ProcessStore(max_samples=3)
    for i in range(5):
        store.add(samples.REQUESTS, samples.encode_request(_request(NOW + i)), NOW + i)
    kept = store.read(samples.REQUESTS, since=0, until=NOW + 10)
    assert len(kept) == 3  # the oldest two were dropped
    assert len(store.read(samples.REQUESTS, since=NOW + 3, until=NOW + 10)) == 1


def test_window_reads_only_the_requested_minutes(process_store) -> None:
    # given samples 30 s, 4 min and 20 min old
    for age in (30, 240, 1200):
        samples.record_request(_request(NOW - age))
    # then a 5 minute window holds two, a 60 minute window all three
    assert len(samples.window(5, now=NOW).requests) == 2
    assert len(samples.window(60, now=NOW).requests) == 3
    assert samples.window(5, now=NOW).source == "process"


def test_window_length_is_bounded() -> None:
    with pytest.raises(ValueError, match="window"):
        samples.window(61)


def test_recording_never_raises(caplog) -> None:
    class Broken:
        source = "redis"

        def add(self, *args):
            raise redis.ConnectionError("down")

    samples.set_store(Broken())  # type: ignore[arg-type]
    try:
        samples.record_request(_request(NOW))  # no exception
    finally:
        samples.set_store(None)


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    prefix = "rgms-obs-test"
    yield client
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.mark.needs_redis
def test_redis_store_is_shared_and_windowed(redis_client: redis.Redis) -> None:
    # given two processes' stores on one Redis
    a = samples.RedisStore(redis_client, prefix="rgms-obs-test")
    b = samples.RedisStore(
        redis.Redis(connection_pool=redis_client.connection_pool), prefix="rgms-obs-test"
    )
    a.add(samples.REQUESTS, samples.encode_request(_request(NOW - 10)), NOW - 10)
    b.add(samples.REQUESTS, samples.encode_request(_request(NOW - 130, 500)), NOW - 130)
    b.add(samples.REQUESTS, samples.encode_request(_request(NOW - 900)), NOW - 900)
    # when either reads the last 5 minutes
    read = a.read(samples.REQUESTS, since=NOW - 300, until=NOW)
    # then it sees both processes' samples in the window, each with weight 1
    statuses = sorted(samples.decode_request(raw).status for raw, _ in read)
    assert statuses == [200, 500]
    assert {weight for _, weight in read} == {Fraction(1)}
    # and the keys expire on their own
    assert (
        0
        < redis_client.ttl(f"rgms-obs-test:req:{int((NOW - 10) // 60)}:samples")
        <= (samples.KEY_TTL_SECONDS)
    )


@pytest.mark.needs_redis
def test_request_samples_reach_redis_from_the_background(redis_client: redis.Redis) -> None:
    # given a store that flushes every 0.2 s
    store = samples.RedisStore(redis_client, prefix="rgms-obs-test", flush_interval=0.2)
    # when samples are added the way requests add them
    for i in range(3):
        store.add(
            samples.REQUESTS, samples.encode_request(_request(NOW - i)), NOW - i, buffered=True
        )
    # then nothing waited for Redis, and the flusher writes them shortly after
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if len(store.read(samples.REQUESTS, since=NOW - 60, until=NOW)) == 3:
            break
        time.sleep(0.05)
    else:
        pytest.fail("buffered samples never reached Redis")


@pytest.mark.needs_redis
def test_flush_writes_the_buffer_at_once(redis_client: redis.Redis) -> None:
    store = samples.RedisStore(redis_client, prefix="rgms-obs-test", flush_interval=3600)
    store.add(samples.REQUESTS, samples.encode_request(_request(NOW - 1)), NOW - 1, buffered=True)
    store.flush()
    assert len(store.read(samples.REQUESTS, since=NOW - 60, until=NOW)) == 1


@pytest.mark.needs_redis
def test_redis_reservoir_is_bounded_and_weighted(redis_client: redis.Redis) -> None:
    # given a cap of 10 samples per minute and 50 requests in one minute
    store = samples.RedisStore(
        redis_client, prefix="rgms-obs-test", caps={samples.REQUESTS: 10, samples.TASKS: 10}
    )
    minute_start = NOW - 60
    for i in range(50):
        at = minute_start + i
        store.add(
            samples.REQUESTS, samples.encode_request(_request(at, 500 if i < 25 else 200)), at
        )
    # when the window is read
    read = store.read(samples.REQUESTS, since=NOW - 120, until=NOW)
    # then only 10 samples are kept, each standing for 5 requests
    assert len(read) == 10
    assert {weight for _, weight in read} == {Fraction(5)}
    assert redis_client.llen(f"rgms-obs-test:req:{int(minute_start // 60)}:samples") == 10
    assert sum(weight for _, weight in read) == 50


def _algorithm_r(items: list[str], draws: list[float], cap: int) -> list[str]:
    """The reservoir of adding `items` one at a time (written from the algorithm's description)."""
    kept: list[str] = []
    for seen, (item, draw) in enumerate(zip(items, draws, strict=True), start=1):
        if seen <= cap:
            kept.append(item)
        elif (slot := math.floor(draw * seen)) < cap:
            kept[slot] = item
    return kept


@pytest.mark.needs_redis
def test_a_flush_adds_each_minute_in_one_call_as_if_sample_by_sample(
    redis_client: redis.Redis,
) -> None:
    # given a cap of 10 per minute, fixed random draws, and 50 buffered requests in one
    # minute and 3 in the next
    rng = random.Random(7)
    draws = [rng.random() for _ in range(53)]
    store = samples.RedisStore(
        redis_client,
        prefix="rgms-obs-test",
        caps={samples.REQUESTS: 10, samples.TASKS: 10},
        rand=iter(draws).__next__,
        flush_interval=3600,
    )
    calls: list[int] = []
    script = store._script

    def counted(*, keys: list[str], args: list[object], client: object) -> object:
        calls.append(len(args))
        return script(keys=keys, args=args, client=client)

    store._script = counted  # type: ignore[method-assign]
    first, second = NOW - 120, NOW - 60
    encoded = {
        first: [samples.encode_request(_request(first + i)) for i in range(50)],
        second: [samples.encode_request(_request(second + i)) for i in range(3)],
    }
    for minute, lines in encoded.items():
        for line in lines:
            store.add(samples.REQUESTS, line, minute, buffered=True)
    # when the buffer is flushed
    store.flush()
    # then each minute took one script call: cap, ttl, then a sample and its draw per request
    assert calls == [2 + 2 * 50, 2 + 2 * 3]
    # and each minute holds what adding its samples one at a time gives, with the true count,
    # and expires on its own
    for minute, lines, minute_draws in (
        (first, encoded[first], draws[:50]),
        (second, encoded[second], draws[50:]),
    ):
        base = f"rgms-obs-test:req:{int(minute // 60)}"
        kept = [raw.decode() for raw in redis_client.lrange(f"{base}:samples", 0, -1)]
        assert kept == _algorithm_r(lines, minute_draws, cap=10)
        assert int(redis_client.get(f"{base}:seen")) == len(lines)
        assert 0 < redis_client.ttl(f"{base}:samples") <= samples.KEY_TTL_SECONDS
        assert 0 < redis_client.ttl(f"{base}:seen") <= samples.KEY_TTL_SECONDS
