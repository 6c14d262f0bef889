"""Prometheus metrics of every service, multiprocess-safe under gunicorn's workers.

When ``PROMETHEUS_MULTIPROC_DIR`` is set in the process environment before prometheus-client is
imported (gunicorn.conf.py sets it for the workers and empties the directory at start), every
worker writes its values to files there and ``/metrics`` adds up all workers, dead ones
included for counters and histograms; without it (daphne, a worker, tests) the process's own
registry is exposed.

Labels are bounded: ``route`` is the URL pattern that matched (``api/v1/cadets/<pk>/``), never
the raw path; ``method`` is one of the HTTP methods; websocket ``endpoint`` and task names are
names from our code.

Functions other code calls (all cheap, never raise):

* :func:`ws_connected`, :func:`ws_disconnected`, :func:`ws_message_sent` from the consumers;
* the middleware, the Celery signal handlers and the read cache hook call the rest.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Final

from config import env

# prometheus-client opens files in this directory as soon as a metric is defined; a process
# started with the variable set (manage.py, a worker) must not fail because it does not exist.
if env.get("PROMETHEUS_MULTIPROC_DIR"):
    Path(env.get("PROMETHEUS_MULTIPROC_DIR")).mkdir(parents=True, exist_ok=True)

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    multiprocess,
    values,
)
from prometheus_client.exposition import choose_encoder

logger = logging.getLogger(__name__)

# The *_created series double the output and no dashboard of ours reads them.
disable_created_metrics()

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_NAME = re.compile(r"[a-z][a-z0-9_.-]{0,47}")

LATENCY_BUCKETS: Final = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
)  # fmt: skip

REQUEST_LATENCY = Histogram(
    "rgms_http_request_duration_seconds",
    "Time from the first middleware to the response, per route pattern and method.",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
RESPONSES = Counter(
    "rgms_http_responses",
    "Responses per route pattern, method and status class (2xx, 3xx, 4xx, 5xx).",
    ["route", "method", "status_class"],
)
IN_FLIGHT = Gauge(
    "rgms_http_requests_in_flight",
    "Requests being served now (all workers).",
    multiprocess_mode="livesum",
)
DB_QUERIES = Histogram(
    "rgms_db_queries_per_request",
    "Database queries run while serving one request, per route pattern.",
    ["route"],
    buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144),
)
DB_TIME = Histogram(
    "rgms_db_query_seconds_per_request",
    "Time spent in database queries while serving one request, per route pattern.",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
READ_CACHE = Counter(
    "rgms_read_cache_requests",
    "Lookups of the read cache (rgms.core.cache), by result: hit or miss.",
    ["result"],
)
TASKS = Counter(
    "rgms_celery_tasks",
    "Celery tasks finished, by task name and final state (SUCCESS, FAILURE, RETRY, ...).",
    ["task", "state"],
)
TASK_DURATION = Histogram(
    "rgms_celery_task_duration_seconds",
    "Run time of Celery tasks, by task name.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0),
)
WS_OPEN = Gauge(
    "rgms_websocket_connections_open",
    "Websocket connections open now, by endpoint.",
    ["endpoint"],
    multiprocess_mode="livesum",
)
WS_CONNECTIONS = Counter(
    "rgms_websocket_connections",
    "Websocket connections accepted, by endpoint.",
    ["endpoint"],
)
WS_MESSAGES = Counter(
    "rgms_websocket_messages_sent",
    "Messages sent to websocket clients, by endpoint.",
    ["endpoint"],
)


def method_label(method: str | None) -> str:
    return method if method in _METHODS else "other"


def name_label(name: str | None) -> str:
    return name if name and _NAME.fullmatch(name) else "other"


def status_class(status: int) -> str:
    return f"{status // 100}xx" if 100 <= status < 600 else "other"


# HTTP ---------------------------------------------------------------------------------------


def request_started() -> None:
    IN_FLIGHT.inc()


_RouteChildren = tuple[Histogram, Counter, Histogram, Histogram]
_route_children: dict[tuple[str, str, str], _RouteChildren] = {}


def _children(route: str, method: str, status: str) -> _RouteChildren:
    """The labelled children of one (route, method, status class), looked up once."""
    key = (route, method, status)
    children = _route_children.get(key)
    if children is None:
        children = (
            REQUEST_LATENCY.labels(route, method),
            RESPONSES.labels(route, method, status),
            DB_QUERIES.labels(route),
            DB_TIME.labels(route),
        )
        if len(_route_children) < 10_000:  # bounded by the URL patterns anyway
            _route_children[key] = children
    return children


def request_finished(
    *,
    route: str,
    method: str,
    status: int,
    duration_s: float,
    db_queries: int,
    db_seconds: float,
) -> None:
    IN_FLIGHT.dec()
    latency, responses, queries, query_time = _children(
        route, method_label(method), status_class(status)
    )
    latency.observe(duration_s)
    responses.inc()
    queries.observe(db_queries)
    query_time.observe(db_seconds)


# READ CACHE ---------------------------------------------------------------------------------


def count_read_cache() -> None:
    """Count rgms.core.cache hits and misses here too, without changing that module's API.

    The read cache counts in the cache itself (``_count(_HITS)`` / ``_count(_MISSES)``); this
    wraps that one private function, once. If the module ever stops having it, the hook says so
    in the log instead of failing the start (and the metrics test fails).
    """
    from rgms.core import cache as read_cache

    original = getattr(read_cache, "_count", None)
    hits = getattr(read_cache, "_HITS", None)
    if original is None or hits is None:
        logger.warning("rgms.core.cache has no _count/_HITS: read cache metrics are off")
        return
    if getattr(original, "_rgms_counted", False):
        return
    hit, miss = READ_CACHE.labels("hit"), READ_CACHE.labels("miss")

    def counted(key: str) -> None:
        original(key)
        (hit if key == hits else miss).inc()

    counted._rgms_counted = True  # type: ignore[attr-defined]
    read_cache._count = counted


# CELERY -------------------------------------------------------------------------------------


def task_finished(*, task: str, state: str, duration_s: float | None) -> None:
    TASKS.labels(task, state or "UNKNOWN").inc()
    if duration_s is not None:
        TASK_DURATION.labels(task).observe(duration_s)


# WEBSOCKETS (called by rgms.realtime consumers) -----------------------------------------------


def ws_connected(endpoint: str) -> None:
    """A websocket connection was accepted (call once, after ``accept()``)."""
    endpoint = name_label(endpoint)
    WS_CONNECTIONS.labels(endpoint).inc()
    WS_OPEN.labels(endpoint).inc()


def ws_disconnected(endpoint: str) -> None:
    """An accepted websocket connection closed (call once, from ``disconnect``)."""
    WS_OPEN.labels(name_label(endpoint)).dec()


def ws_message_sent(endpoint: str, count: int = 1) -> None:
    """``count`` messages were sent to a websocket client."""
    WS_MESSAGES.labels(name_label(endpoint)).inc(count)


# EXPOSITION ---------------------------------------------------------------------------------


def multiprocess_mode() -> bool:
    """Whether prometheus-client chose its multiprocess values when it was imported (it reads
    PROMETHEUS_MULTIPROC_DIR itself; config.env declares the variable)."""
    return values.ValueClass is not values.MutexValue


def exposition(accept: str = "") -> tuple[bytes, str]:
    """Every metric in the format the scraper asked for (Accept header; classic text format by
    default): all workers' in multiprocess mode, else this process's."""
    encoder, content_type = choose_encoder(accept)
    if multiprocess_mode():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return encoder(registry), content_type
    return encoder(REGISTRY), content_type
