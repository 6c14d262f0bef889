"""Metric functions: read cache hits and misses, websocket counters, task outcomes."""

from __future__ import annotations

import uuid

import pytest
from prometheus_client import REGISTRY

from rgms.core import cache as read_cache
from rgms.observability import metrics


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_read_cache_hits_and_misses_are_counted() -> None:
    # given the counters before
    hits, misses = (_value("rgms_read_cache_requests_total", result=r) for r in ("hit", "miss"))
    key = uuid.uuid4().hex
    # when a cached read is built once and then served twice from the cache
    for _ in range(3):
        read_cache.get_or_build(["obs-test"], [key], lambda: {"value": 1})
    # then one miss and two hits are counted, and the cache's own figures agree
    assert _value("rgms_read_cache_requests_total", result="miss") == misses + 1
    assert _value("rgms_read_cache_requests_total", result="hit") == hits + 2


def test_read_cache_hook_is_installed_once() -> None:
    metrics.count_read_cache()
    metrics.count_read_cache()
    key = uuid.uuid4().hex
    misses = _value("rgms_read_cache_requests_total", result="miss")
    read_cache.get_or_build(["obs-test"], [key], lambda: 1)
    assert _value("rgms_read_cache_requests_total", result="miss") == misses + 1


def test_read_cache_public_api_is_unchanged() -> None:
    # the hook changes nothing a caller sees
    stats = read_cache.stats()
    assert set(stats) == {"hits", "misses", "hit_rate"}


def test_websocket_counters() -> None:
    # given the figures of the notifications endpoint
    opened = _value("rgms_websocket_connections_total", endpoint="notifications")
    open_now = _value("rgms_websocket_connections_open", endpoint="notifications")
    sent = _value("rgms_websocket_messages_sent_total", endpoint="notifications")
    # when two sockets connect, one sends three messages, one disconnects
    metrics.ws_connected("notifications")
    metrics.ws_connected("notifications")
    metrics.ws_message_sent("notifications", 3)
    metrics.ws_disconnected("notifications")
    # then
    assert _value("rgms_websocket_connections_total", endpoint="notifications") == opened + 2
    assert _value("rgms_websocket_connections_open", endpoint="notifications") == open_now + 1
    assert _value("rgms_websocket_messages_sent_total", endpoint="notifications") == sent + 3
    metrics.ws_disconnected("notifications")


def test_websocket_endpoint_label_is_bounded() -> None:
    before = _value("rgms_websocket_connections_total", endpoint="other")
    metrics.ws_connected("/ws/chat/12345/?token=abc")
    metrics.ws_disconnected("/ws/chat/12345/?token=abc")
    assert _value("rgms_websocket_connections_total", endpoint="other") == before + 1


@pytest.mark.parametrize(
    ("status", "label"), [(200, "2xx"), (204, "2xx"), (301, "3xx"), (404, "4xx"), (503, "5xx")]
)
def test_status_classes(status: int, label: str) -> None:
    assert metrics.status_class(status) == label


def test_method_label_is_bounded() -> None:
    assert metrics.method_label("GET") == "GET"
    assert metrics.method_label("PROPFIND") == "other"


def test_exposition_is_the_text_format() -> None:
    body, content_type = metrics.exposition("text/plain")
    assert content_type.startswith("text/plain; version=0.0.4")
    text = body.decode()
    for name in (
        "rgms_http_request_duration_seconds",
        "rgms_http_responses_total",
        "rgms_http_requests_in_flight",
        "rgms_db_queries_per_request",
        "rgms_read_cache_requests_total",
        "rgms_celery_tasks_total",
        "rgms_websocket_connections_open",
    ):
        assert f"# TYPE {name.removesuffix('_total')}" in text, name
