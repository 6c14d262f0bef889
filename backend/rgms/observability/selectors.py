"""Reads of observability data: the metrics summary behind GET /api/v1/metrics/summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from rgms.core import cache as read_cache
from rgms.observability import alerting, samples, stats

SUMMARY_WINDOWS_MINUTES: Final = (5, 15, 60)
DEFAULT_SUMMARY_WINDOW: Final = 15


@dataclass(frozen=True)
class MetricsSummary:
    window_minutes: int
    source: str
    since: datetime
    until: datetime
    requests: stats.LatencyFigures
    routes: list[stats.RouteFigures]
    tasks: list[stats.TaskFigures]
    cache: dict[str, Any]
    alert: dict[str, Any]


def metrics_summary(*, minutes: int, now: float | None = None) -> MetricsSummary:
    """Per-route latency figures and error rate over the last ``minutes`` (rolling store),
    task outcomes, the read cache's hit rate (its counters since they were created) and the
    error-rate alert's verdict over its own window."""
    window = samples.window(minutes, now=now)
    overall, routes = stats.per_route(window.requests)
    verdict, _ = alerting.error_rate_in_window(now=window.until)
    return MetricsSummary(
        window_minutes=minutes,
        source=window.source,
        since=datetime.fromtimestamp(window.since, tz=UTC),
        until=datetime.fromtimestamp(window.until, tz=UTC),
        requests=overall,
        routes=routes,
        tasks=stats.per_task(window.tasks),
        cache=read_cache.stats(),
        alert=verdict.to_dict(),
    )
