"""Pure figures over request and task samples: counts, error rate, mean and percentiles.

Percentiles are nearest-rank, like the load verdict and the gate's watch
(``loadtests.common.thresholds.percentile_of_sorted``): the p-th percentile of n samples is the
``ceil(p/100 * n)``-th smallest. Samples may carry a weight: the rolling store keeps at most a
fixed number of raw samples per minute (a uniform reservoir), and each kept sample of a minute
with ``seen`` requests and ``kept`` samples stands for ``seen / kept`` requests. With every
weight 1 (no minute over the cap) all figures are exact; otherwise counts are estimates and
``estimated`` says so.

An error is a response with status 500 or more (the server failed); 4xx are the client's.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

ONE = Fraction(1)


@dataclass(frozen=True)
class RequestSample:
    at: float  # epoch seconds
    route: str
    method: str
    status: int
    duration_ms: float

    @property
    def is_error(self) -> bool:
        return self.status >= 500


@dataclass(frozen=True)
class TaskSample:
    at: float
    task: str
    state: str
    duration_ms: float | None

    @property
    def is_error(self) -> bool:
        return self.state == "FAILURE"


@dataclass(frozen=True)
class LatencyFigures:
    count: int
    errors: int
    error_rate: float | None
    mean_ms: float | None
    median_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    samples: int
    estimated: bool


def nearest_rank_weighted(
    ordered: Sequence[tuple[float, Fraction]], p: int | Fraction, total: Fraction | None = None
) -> float:
    """The p-th percentile (0 < p <= 100) of values sorted ascending, each with a weight."""
    if not ordered:
        raise ValueError("a percentile needs at least one sample")
    if not 0 < p <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {p}")
    total = total if total is not None else sum((w for _, w in ordered), Fraction(0))
    target = Fraction(p) * total / 100
    seen = Fraction(0)
    for value, weight in ordered:
        seen += weight
        if seen >= target:
            return value
    return ordered[-1][0]


def _rate(part: Fraction, whole: Fraction) -> float | None:
    return float(part / whole) if whole else None


def latency_figures(weighted: Iterable[tuple[float | None, bool, Fraction]]) -> LatencyFigures:
    """Figures over (duration_ms or None, is_error, weight) triples."""
    items = list(weighted)
    if all(w == ONE for _, _, w in items):
        return _unweighted_figures(items)
    total = sum((w for _, _, w in items), Fraction(0))
    errors = sum((w for _, e, w in items if e), Fraction(0))
    timed = sorted((d, w) for d, _, w in items if d is not None)
    timed_total = sum((w for _, w in timed), Fraction(0))
    estimated = any(w != ONE for _, _, w in items)

    def pct(p: int) -> float | None:
        return round(nearest_rank_weighted(timed, p, timed_total), 3) if timed else None

    mean = (
        round(float(sum((Fraction(d) * w for d, w in timed), Fraction(0)) / timed_total), 3)
        if timed
        else None
    )
    return LatencyFigures(
        count=round(total),
        errors=round(errors),
        error_rate=_rate(errors, total),
        mean_ms=mean,
        median_ms=pct(50),
        p95_ms=pct(95),
        p99_ms=pct(99),
        samples=len(items),
        estimated=estimated,
    )


def _unweighted_figures(items: list[tuple[float | None, bool, Fraction]]) -> LatencyFigures:
    """The same figures when every weight is 1: plain counting (fast, exact)."""
    n = len(items)
    errors = sum(1 for _, e, _ in items if e)
    timed = sorted(d for d, _, _ in items if d is not None)

    def pct(p: int) -> float | None:
        return round(timed[max(1, math.ceil(p * len(timed) / 100)) - 1], 3) if timed else None

    return LatencyFigures(
        count=n,
        errors=errors,
        error_rate=errors / n if n else None,
        mean_ms=round(math.fsum(timed) / len(timed), 3) if timed else None,
        median_ms=pct(50),
        p95_ms=pct(95),
        p99_ms=pct(99),
        samples=n,
        estimated=False,
    )


@dataclass(frozen=True)
class RouteFigures:
    route: str
    method: str
    figures: LatencyFigures


def per_route(
    samples: Iterable[tuple[RequestSample, Fraction]],
) -> tuple[LatencyFigures, list[RouteFigures]]:
    """Figures over all requests and per (route, method), busiest first."""
    groups: dict[tuple[str, str], list[tuple[float | None, bool, Fraction]]] = defaultdict(list)
    everything: list[tuple[float | None, bool, Fraction]] = []
    for sample, weight in samples:
        item = (sample.duration_ms, sample.is_error, weight)
        groups[(sample.route, sample.method)].append(item)
        everything.append(item)
    routes = [
        RouteFigures(route, method, latency_figures(items))
        for (route, method), items in groups.items()
    ]
    routes.sort(key=lambda r: (-r.figures.count, r.route, r.method))
    return latency_figures(everything), routes


@dataclass(frozen=True)
class TaskFigures:
    task: str
    states: dict[str, int]
    figures: LatencyFigures


def per_task(samples: Iterable[tuple[TaskSample, Fraction]]) -> list[TaskFigures]:
    groups: dict[str, list[tuple[TaskSample, Fraction]]] = defaultdict(list)
    for sample, weight in samples:
        groups[sample.task].append((sample, weight))
    out = []
    for task, items in groups.items():
        states: dict[str, Fraction] = defaultdict(Fraction)
        for sample, weight in items:
            states[sample.state] += weight
        figures = latency_figures((s.duration_ms, s.is_error, w) for s, w in items)
        out.append(TaskFigures(task, {k: round(v) for k, v in sorted(states.items())}, figures))
    out.sort(key=lambda t: (-t.figures.count, t.task))
    return out
