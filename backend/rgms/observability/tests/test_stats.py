"""Summary arithmetic: nearest-rank percentiles (as the load verdict and the watch), weights."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from loadtests.common.thresholds import percentile
from rgms.observability.stats import (
    RequestSample,
    TaskSample,
    latency_figures,
    nearest_rank_weighted,
    per_route,
    per_task,
)

ONE = Fraction(1)


def test_figures_of_a_known_set() -> None:
    # given 20 requests of 1..20 ms, two of them server errors and one a client error
    durations = [float(ms) for ms in range(1, 21)]
    errors = {5, 17}
    items = [(d, int(d) in errors, ONE) for d in durations]
    # when the figures are computed
    figures = latency_figures(items)
    # then (nearest rank: p50 is the 10th value, p95 the 19th, p99 the 20th)
    assert figures.count == 20
    assert figures.errors == 2
    assert figures.error_rate == 0.1
    assert figures.mean_ms == 10.5
    assert figures.median_ms == 10.0
    assert figures.p95_ms == 19.0
    assert figures.p99_ms == 20.0
    assert figures.estimated is False


def test_single_sample() -> None:
    figures = latency_figures([(42.0, False, ONE)])
    assert (figures.median_ms, figures.p95_ms, figures.p99_ms, figures.mean_ms) == (42, 42, 42, 42)


def test_empty_window() -> None:
    figures = latency_figures([])
    assert figures.count == 0
    assert figures.error_rate is None
    assert figures.p95_ms is None
    assert figures.mean_ms is None


@pytest.mark.parametrize("seed", range(20))
def test_percentiles_agree_with_the_load_verdicts_function(seed: int) -> None:
    rng = random.Random(seed)
    values = [round(rng.expovariate(1 / 80), 3) for _ in range(rng.randint(1, 500))]
    figures = latency_figures([(v, False, ONE) for v in values])
    assert figures.median_ms == round(percentile(values, 50), 3)
    assert figures.p95_ms == round(percentile(values, 95), 3)
    assert figures.p99_ms == round(percentile(values, 99), 3)


@pytest.mark.parametrize("seed", range(10))
def test_weighted_path_equals_plain_path_when_weights_are_one(seed: int) -> None:
    rng = random.Random(seed)
    values = sorted(rng.uniform(1, 500) for _ in range(rng.randint(1, 300)))
    for p in (50, 95, 99):
        assert nearest_rank_weighted([(v, ONE) for v in values], p) == percentile(values, p)


def test_weights_stand_for_requests_not_kept() -> None:
    # given a reservoir minute: 2 kept samples standing for 10 requests each, plus 10 of 1 ms
    items = [(1.0, False, ONE)] * 10 + [(100.0, True, Fraction(10)), (200.0, False, Fraction(10))]
    figures = latency_figures(items)
    # then counts are weighted (30 requests, 10 errors) and flagged as estimates
    assert figures.count == 30
    assert figures.errors == 10
    assert figures.error_rate == pytest.approx(1 / 3)
    assert figures.estimated is True
    assert figures.samples == 12
    # and percentiles rank by weight: the median (15th of 30) is 100 ms, p95 is 200 ms
    assert figures.median_ms == 100.0
    assert figures.p95_ms == 200.0
    assert figures.mean_ms == pytest.approx((10 * 1 + 1000 + 2000) / 30, abs=1e-3)


def test_per_route_groups_by_route_and_method_busiest_first() -> None:
    samples = [
        (RequestSample(1.0, "/api/v1/cadets/", "GET", 200, 10.0), ONE),
        (RequestSample(2.0, "/api/v1/cadets/", "GET", 500, 30.0), ONE),
        (RequestSample(3.0, "/api/v1/cadets/", "POST", 201, 50.0), ONE),
    ]
    overall, routes = per_route(samples)
    assert overall.count == 3
    assert overall.errors == 1
    assert [(r.route, r.method, r.figures.count) for r in routes] == [
        ("/api/v1/cadets/", "GET", 2),
        ("/api/v1/cadets/", "POST", 1),
    ]
    assert routes[0].figures.error_rate == 0.5


def test_per_task_counts_states() -> None:
    tasks = per_task(
        [
            (TaskSample(1.0, "a", "SUCCESS", 10.0), ONE),
            (TaskSample(2.0, "a", "FAILURE", 20.0), ONE),
            (TaskSample(3.0, "a", "SUCCESS", None), ONE),
        ]
    )
    [only] = tasks
    assert only.states == {"FAILURE": 1, "SUCCESS": 2}
    assert only.figures.errors == 1
    assert only.figures.median_ms == 10.0  # a run without a duration has no latency
