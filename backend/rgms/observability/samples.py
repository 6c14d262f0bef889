"""A bounded rolling store of raw request and task samples, for the summary and the alert.

Prometheus histograms answer "how many under 250 ms"; an admin asking for the p99 of a route
over the last 15 minutes, and the error-rate alert, need the raw samples of a window. They live:

* in Redis when the cache is Redis (``source: "redis"``): one list per minute and kind, shared by
  every worker of every service; at most ``cap`` samples per minute are kept as a uniform
  reservoir (Algorithm R, one Lua call per minute and kind of each flush), with the minute's
  true count beside it, so memory is bounded whatever the traffic and the figures stay
  unbiased (see stats.py);
  keys expire after an hour; request samples reach Redis from a background thread once a
  second, so no request waits for Redis;
* else in this process (``source: "process"``): the last ``PROCESS_MAX_SAMPLES`` samples of
  this one process only (local runs without Redis, tests).

Recording never fails a request: a Redis error is logged (at most once a minute) and dropped.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final, Protocol

from rgms.observability.stats import RequestSample, TaskSample

logger = logging.getLogger(__name__)

BUCKET_SECONDS: Final = 60
MAX_WINDOW_MINUTES: Final = 60
KEY_TTL_SECONDS: Final = (MAX_WINDOW_MINUTES + 2) * BUCKET_SECONDS
REQUEST_CAP_PER_MINUTE: Final = 600
TASK_CAP_PER_MINUTE: Final = 300
PROCESS_MAX_SAMPLES: Final = 20_000
FLUSH_INTERVAL_S: Final = 1.0
FLUSH_BATCH: Final = 500  # wake the flusher early when this many samples wait
MAX_BUFFERED: Final = 20_000  # Redis unreachable: the oldest buffered samples are dropped

REQUESTS, TASKS = "req", "task"
_SEP = "\t"
ONE = Fraction(1)


def encode_request(sample: RequestSample) -> str:
    return _SEP.join(
        (
            f"{sample.at:.3f}",
            sample.route,
            sample.method,
            str(sample.status),
            f"{sample.duration_ms:.3f}",
        )
    )


def decode_request(raw: str) -> RequestSample | None:
    try:
        at, route, method, status, duration = raw.split(_SEP)
        return RequestSample(float(at), route, method, int(status), float(duration))
    except ValueError:
        return None


def encode_task(sample: TaskSample) -> str:
    duration = "" if sample.duration_ms is None else f"{sample.duration_ms:.3f}"
    return _SEP.join((f"{sample.at:.3f}", sample.task, sample.state, duration))


def decode_task(raw: str) -> TaskSample | None:
    try:
        at, task, state, duration = raw.split(_SEP)
        return TaskSample(float(at), task, state, float(duration) if duration else None)
    except ValueError:
        return None


class SampleStore(Protocol):
    source: str

    def add(self, kind: str, encoded: str, at: float, *, buffered: bool = False) -> None: ...

    def read(self, kind: str, *, since: float, until: float) -> list[tuple[str, Fraction]]: ...


class ProcessStore:
    """The last samples of this process (no Redis)."""

    source = "process"

    def __init__(self, max_samples: int = PROCESS_MAX_SAMPLES) -> None:
        self._kinds: dict[str, deque[tuple[float, str]]] = {
            REQUESTS: deque(maxlen=max_samples),
            TASKS: deque(maxlen=max_samples),
        }

    def add(self, kind: str, encoded: str, at: float, *, buffered: bool = False) -> None:
        self._kinds[kind].append((at, encoded))

    def read(self, kind: str, *, since: float, until: float) -> list[tuple[str, Fraction]]:
        return [(raw, ONE) for at, raw in list(self._kinds[kind]) if since < at <= until]

    def clear(self) -> None:
        for samples in self._kinds.values():
            samples.clear()


# KEYS[1] the minute's sample list, KEYS[2] its count of samples seen.
# ARGV: cap, ttl seconds, then for each sample of the batch, in order: the sample and a random
# number in [0, 1) (Algorithm R, one sample after the other, as if each came on its own).
_RESERVOIR_ADD = """
local cap = tonumber(ARGV[1])
local added = (#ARGV - 2) / 2
local before = redis.call('INCRBY', KEYS[2], added) - added
local seen = before
for i = 3, #ARGV, 2 do
  seen = seen + 1
  if seen <= cap then
    redis.call('RPUSH', KEYS[1], ARGV[i])
  else
    local slot = math.floor(tonumber(ARGV[i + 1]) * seen)
    if slot < cap then redis.call('LSET', KEYS[1], slot, ARGV[i]) end
  end
end
if before == 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  redis.call('EXPIRE', KEYS[2], ARGV[2])
end
return seen
"""


class RedisStore:
    """Per-minute reservoirs in Redis, shared by every process that uses the same Redis.

    Request samples are buffered in the process and written by a background thread once a
    second (or sooner when many are waiting), in one pipelined round trip: the request never
    waits for Redis. At most ``FLUSH_INTERVAL_S`` of samples is lost if a process dies, and
    the summary lags by as much. Task samples (few, and not on a request's path) are written
    at once.
    """

    source = "redis"

    def __init__(
        self,
        client: Any,
        *,
        prefix: str,
        caps: dict[str, int] | None = None,
        rand: Callable[[], float] = random.random,
        flush_interval: float = FLUSH_INTERVAL_S,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.caps = caps or {REQUESTS: REQUEST_CAP_PER_MINUTE, TASKS: TASK_CAP_PER_MINUTE}
        self.flush_interval = flush_interval
        self._rand = rand
        self._script = client.register_script(_RESERVOIR_ADD)
        self._buffer: deque[tuple[str, str, float]] = deque(maxlen=MAX_BUFFERED)
        self._wake = threading.Event()
        self._flush_lock = threading.Lock()
        self._flusher_pid: int | None = None

    def _keys(self, kind: str, minute: int) -> tuple[str, str]:
        base = f"{self.prefix}:{kind}:{minute}"
        return f"{base}:samples", f"{base}:seen"

    def add(self, kind: str, encoded: str, at: float, *, buffered: bool = False) -> None:
        if not buffered:
            self._write([(kind, encoded, at)])
            return
        self._buffer.append((kind, encoded, at))
        self._ensure_flusher()
        if len(self._buffer) >= FLUSH_BATCH:
            self._wake.set()

    def flush(self) -> None:
        """Write every buffered sample now (one pipelined round trip)."""
        with self._flush_lock:
            batch = []
            while self._buffer:
                batch.append(self._buffer.popleft())
            if batch:
                self._write(batch)

    def _write(self, batch: list[tuple[str, str, float]]) -> None:
        # One script call per kind and minute, not per sample: at hundreds of requests a
        # second, a call per sample was most of what recording a request cost.
        reservoirs: dict[tuple[str, int], list[Any]] = {}
        for kind, encoded, at in batch:
            reservoirs.setdefault((kind, int(at // BUCKET_SECONDS)), []).extend(
                (encoded, self._rand())
            )
        pipe = self.client.pipeline(transaction=False)
        for (kind, minute), pairs in reservoirs.items():
            self._script(
                keys=list(self._keys(kind, minute)),
                args=[self.caps[kind], KEY_TTL_SECONDS, *pairs],
                client=pipe,
            )
        pipe.execute()

    def _ensure_flusher(self) -> None:
        pid = os.getpid()
        if self._flusher_pid == pid:
            return
        with _lock:
            if self._flusher_pid == pid:
                return
            self._flusher_pid = pid
            thread = threading.Thread(target=self._run, name="rgms-samples", daemon=True)
            thread.start()
            atexit.register(lambda: _safely(self.flush))

    def _run(self) -> None:
        while True:
            self._wake.wait(self.flush_interval)
            self._wake.clear()
            _safely(self.flush)

    def read(self, kind: str, *, since: float, until: float) -> list[tuple[str, Fraction]]:
        first = int(since // BUCKET_SECONDS)
        last = int(until // BUCKET_SECONDS)
        minutes = range(max(first, last - MAX_WINDOW_MINUTES - 1), last + 1)
        pipe = self.client.pipeline(transaction=False)
        for minute in minutes:
            samples_key, seen_key = self._keys(kind, minute)
            pipe.lrange(samples_key, 0, -1)
            pipe.get(seen_key)
        replies = pipe.execute()
        out: list[tuple[str, Fraction]] = []
        for i in range(0, len(replies), 2):
            raw_samples, seen = replies[i], replies[i + 1]
            if not raw_samples:
                continue
            kept = len(raw_samples)
            seen_n = int(seen or kept)
            weight = Fraction(seen_n, kept) if seen_n > kept else ONE
            for raw in raw_samples:
                text = raw.decode() if isinstance(raw, bytes) else raw
                at = _timestamp(text)
                if at is not None and since < at <= until:
                    out.append((text, weight))
        return out


def _timestamp(encoded: str) -> float | None:
    try:
        value = float(encoded.split(_SEP, 1)[0])
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# The store of this process -------------------------------------------------------------------

_store: SampleStore | None = None
_store_pid: int | None = None
_lock = threading.Lock()
_last_error_log = 0.0


def store() -> SampleStore:
    """Redis when the default cache is django-redis, else this process's memory."""
    global _store, _store_pid
    pid = os.getpid()
    if _store is not None and _store_pid == pid:
        return _store
    with _lock:
        if _store is None or _store_pid != pid:
            _store, _store_pid = _default_store(), pid
        return _store


def set_store(new: SampleStore | None) -> None:
    """Replace the store (tests); None goes back to the configured one on next use."""
    global _store, _store_pid
    _store, _store_pid = new, (os.getpid() if new is not None else None)


def _default_store() -> SampleStore:
    from django.conf import settings

    cache = settings.CACHES.get("default", {})
    if cache.get("BACKEND", "").startswith("django_redis."):
        from django_redis import get_redis_connection

        prefix = f"{cache.get('KEY_PREFIX') or 'rgms'}:obs"
        return RedisStore(get_redis_connection("default"), prefix=prefix)
    return ProcessStore()


def _safely(action: Callable[[], None]) -> None:
    global _last_error_log
    try:
        action()
    except Exception as exc:  # observability must never fail the request
        now = time.monotonic()
        if now - _last_error_log > 60:
            _last_error_log = now
            logger.warning("Could not record a metrics sample: %s", exc.__class__.__name__)


def record_request(sample: RequestSample) -> None:
    _safely(lambda: store().add(REQUESTS, encode_request(sample), sample.at, buffered=True))


def record_task(sample: TaskSample) -> None:
    _safely(lambda: store().add(TASKS, encode_task(sample), sample.at))


@dataclass(frozen=True)
class Window:
    source: str
    since: float
    until: float
    requests: list[tuple[RequestSample, Fraction]]
    tasks: list[tuple[TaskSample, Fraction]]


def window(
    minutes: int, *, now: float | None = None, kinds: tuple[str, ...] = (REQUESTS, TASKS)
) -> Window:
    """The samples of the last ``minutes`` minutes, with their weights."""
    if not 0 < minutes <= MAX_WINDOW_MINUTES:
        raise ValueError(f"window must be 1 to {MAX_WINDOW_MINUTES} minutes")
    until = time.time() if now is None else now
    since = until - minutes * 60
    current = store()
    requests: list[tuple[RequestSample, Fraction]] = []
    tasks: list[tuple[TaskSample, Fraction]] = []
    if REQUESTS in kinds:
        for raw, weight in current.read(REQUESTS, since=since, until=until):
            if (request := decode_request(raw)) is not None:
                requests.append((request, weight))
    if TASKS in kinds:
        for raw, weight in current.read(TASKS, since=since, until=until):
            if (task := decode_task(raw)) is not None:
                tasks.append((task, weight))
    return Window(current.source, since, until, requests, tasks)
