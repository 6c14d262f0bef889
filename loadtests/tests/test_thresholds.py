"""Unit tests of the load budgets: raw-sample percentiles, boundaries, verdicts, exit codes."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loadtests.common.thresholds import (
    LOAD_BUDGET,
    SCHEMA,
    CacheStats,
    EndpointSamples,
    ExitCode,
    LoadBudget,
    LoadVerdict,
    RequestClass,
    Scope,
    cache_delta,
    evaluate_class,
    evaluate_run,
    exit_code_for,
    nearest_rank,
    parse_cache_counters,
    percentile,
    summarize,
)

READ, WRITE = RequestClass.READ, RequestClass.WRITE


def locust_bucket(response_time_ms: float) -> float:
    """How locust's statistics store a response time (its documented rounding), for contrast.

    Under 100 ms to the integer, under 1 s to 10 ms, under 10 s to 100 ms, else to 1 s; Python's
    round() is half-to-even, so 2050 lands in the 2000 bucket.
    """
    if response_time_ms < 100:
        return round(response_time_ms)
    if response_time_ms < 1000:
        return round(response_time_ms, -1)
    if response_time_ms < 10000:
        return round(response_time_ms, -2)
    return round(response_time_ms, -3)


def samples_with_p95(p95: float, n: int = 200, base: float = 100.0) -> list[float]:
    """n samples whose nearest-rank p95 is exactly ``p95``: everything from that rank up is p95."""
    rank = nearest_rank(n, 95)
    return [base] * (rank - 1) + [p95] * (n - rank + 1)


# --- percentiles --------------------------------------------------------------------------


def test_percentile_is_nearest_rank() -> None:
    # given 1..20 ms
    samples = [float(x) for x in range(1, 21)]

    # then p95 is rank ceil(0.95 * 20) = 19, p50 rank 10, p100 the maximum, p1 the minimum
    assert percentile(samples, 95) == 19
    assert percentile(samples, 50) == 10
    assert percentile(samples, 100) == 20
    assert percentile(samples, 1) == 1


def test_percentile_ignores_input_order() -> None:
    assert percentile([30.0, 10.0, 20.0], 50) == 20


def test_percentile_of_one_sample_is_that_sample() -> None:
    assert percentile([42.5], 95) == 42.5


def test_fractional_percentile_is_exact() -> None:
    # given 1000 samples, p99.9 must be rank ceil(999/10 * 1000 / 100) = 999, not 1000 from float
    # noise in 99.9 * 1000 / 100
    samples = [float(x) for x in range(1, 1001)]

    assert percentile(samples, 99.9) == 999


@pytest.mark.parametrize("p", [0, -1, 100.0001, float("nan")])
def test_percentile_rejects_out_of_range(p: float) -> None:
    with pytest.raises(ValueError, match="percentile"):
        percentile([1.0, 2.0], p)


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one sample"):
        percentile([], 95)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_percentile_rejects_non_finite_samples(bad: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        percentile([1.0, bad, 3.0], 50)


def reference_percentile(samples: list[float], p: Fraction) -> float:
    """Definition, not formula: the smallest sample with at least p % of samples at or below it."""
    n = len(samples)
    for candidate in sorted(samples):
        if Fraction(sum(1 for s in samples if s <= candidate) * 100, n) >= p:
            return candidate
    raise AssertionError("unreachable for 0 < p <= 100")


latencies = st.lists(
    st.floats(min_value=0, max_value=120_000, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=300,
)
percents = st.one_of(
    st.integers(min_value=1, max_value=100),
    st.sampled_from([0.1, 12.5, 33.3, 50.0, 66.7, 90.0, 95.0, 99.0, 99.9, 99.99]),
)


@given(samples=latencies, p=percents)
def test_percentile_matches_sorted_list_definition(samples: list[float], p: float) -> None:
    assert percentile(samples, p) == reference_percentile(samples, Fraction(str(p)))


@given(samples=latencies, p=percents)
def test_percentile_is_an_observed_value(samples: list[float], p: float) -> None:
    assert percentile(samples, p) in samples


@given(samples=latencies, p=percents, q=percents)
def test_percentile_is_monotone_in_p(samples: list[float], p: float, q: float) -> None:
    low, high = sorted((p, q), key=lambda x: Fraction(str(x)))
    assert percentile(samples, low) <= percentile(samples, high)


@given(samples=latencies, limit=st.floats(min_value=1, max_value=120_000))
def test_p95_below_limit_iff_95_percent_of_requests_were_faster(
    samples: list[float], limit: float
) -> None:
    # the plain reading of the budget that nearest rank gives
    faster = sum(1 for s in samples if s < limit)
    assert (percentile(samples, 95) < limit) == (faster * 100 >= 95 * len(samples))


# --- the raw-sample boundary cases -----------------------------------------------------


def test_true_p95_of_2050_breaches_2000_even_though_locust_rounds_it_to_2000() -> None:
    # given writes whose true p95 is 2050 ms
    samples = samples_with_p95(2050.0)
    assert locust_bucket(2050.0) == 2000  # what locust's percentile table would print

    # when judged from the raw samples
    verdict = evaluate_class(WRITE, samples, 0)

    # then it is a breach, and the reason shows the raw figure
    assert verdict.summary.p95_ms == 2050.0
    assert verdict.verdict is LoadVerdict.BREACH
    assert any("2050 ms is not below 2000 ms" in r for r in verdict.reasons)


def test_true_p95_of_1960_passes_although_its_bucket_is_2000() -> None:
    # given a p95 that buckets would round up to the limit
    samples = samples_with_p95(1960.0)
    assert locust_bucket(1960.0) == 2000

    # then the raw figure decides: a pass
    assert evaluate_class(WRITE, samples, 0).verdict is LoadVerdict.PASS


def test_read_p95_just_above_limit_breaches() -> None:
    assert locust_bucket(504.9) == 500
    assert evaluate_class(READ, samples_with_p95(500.01), 0).verdict is LoadVerdict.BREACH


@pytest.mark.parametrize(
    ("load_class", "limit"), [(READ, LOAD_BUDGET.read_p95_ms), (WRITE, LOAD_BUDGET.write_p95_ms)]
)
def test_p95_exactly_at_the_limit_is_a_breach(load_class: RequestClass, limit: float) -> None:
    # "under 500 ms" is strict: equal is not under
    verdict = evaluate_class(load_class, samples_with_p95(limit), 0)

    assert verdict.verdict is LoadVerdict.BREACH


@pytest.mark.parametrize(
    ("load_class", "limit"), [(READ, LOAD_BUDGET.read_p95_ms), (WRITE, LOAD_BUDGET.write_p95_ms)]
)
def test_p95_just_under_the_limit_passes(load_class: RequestClass, limit: float) -> None:
    verdict = evaluate_class(load_class, samples_with_p95(limit - 0.001), 0)

    assert verdict.verdict is LoadVerdict.PASS


def test_slow_tail_beyond_p95_does_not_breach() -> None:
    # given the slowest 5 % far over budget, the 95th percentile itself fast
    samples = [100.0] * 190 + [30_000.0] * 10

    verdict = evaluate_class(READ, samples, 0)

    assert verdict.summary.p95_ms == 100.0
    assert verdict.summary.p99_ms == 30_000.0
    assert verdict.verdict is LoadVerdict.PASS


# --- sample counts ---------------------------------------------------------------------


def test_199_samples_are_inconclusive_even_when_fast() -> None:
    verdict = evaluate_class(READ, [10.0] * 199, 0)

    assert verdict.verdict is LoadVerdict.INCONCLUSIVE
    assert "199 samples, fewer than the 200 required" in verdict.reasons[0]


def test_exactly_200_samples_are_judged() -> None:
    assert evaluate_class(READ, [10.0] * 200, 0).verdict is LoadVerdict.PASS


def test_few_samples_with_some_slow_ones_are_inconclusive() -> None:
    # given 100 reads, 10 of them slow: 100 more instant reads would bring p95 under budget
    verdict = evaluate_class(READ, [10.0] * 90 + [9_000.0] * 10, 0)

    # then too little data: neither a pass nor a breach (exit 3 still fails CI)
    assert verdict.verdict is LoadVerdict.INCONCLUSIVE


def test_few_samples_that_must_breach_whatever_follows_are_a_breach() -> None:
    # given 20 reads of 9 s: padded with 180 instant reads, rank 190 of 200 is still 9 s
    verdict = evaluate_class(READ, [9_000.0] * 20, 0)

    assert verdict.verdict is LoadVerdict.BREACH
    assert "20 samples, fewer than the 200 required" in verdict.reasons[0]
    assert any("even if the 180 missing samples were instant" in r for r in verdict.reasons)


def test_certainty_boundary_for_slow_samples() -> None:
    # 10 slow reads: padded to 200 they are the top 5 %, and rank 190 is an instant one
    assert evaluate_class(READ, [9_000.0] * 10, 0).verdict is LoadVerdict.INCONCLUSIVE
    assert evaluate_class(READ, [1.0] * 90 + [9_000.0] * 10, 0).verdict is (
        LoadVerdict.INCONCLUSIVE
    )
    # 11 slow reads cannot be saved: rank 190 of 200 falls among them
    assert evaluate_class(READ, [9_000.0] * 11, 0).verdict is LoadVerdict.BREACH
    assert evaluate_class(READ, [1.0] * 89 + [9_000.0] * 11, 0).verdict is LoadVerdict.BREACH


@pytest.mark.parametrize(
    ("failures", "count", "expected"),
    [
        (1, 199, LoadVerdict.INCONCLUSIVE),  # 1/200 at best: could still pass
        (2, 199, LoadVerdict.BREACH),  # 2/200 = 1 % at best: certain
        (15, 176, LoadVerdict.BREACH),
        (1, 10, LoadVerdict.INCONCLUSIVE),  # 10 % observed, but only 0.5 % certain
    ],
)
def test_few_samples_with_failures(failures: int, count: int, expected: LoadVerdict) -> None:
    assert evaluate_class(WRITE, [10.0] * count, failures).verdict is expected


def test_judged_class_without_samples_is_inconclusive() -> None:
    result = evaluate_run([], judged_classes=(READ,))

    assert result.verdict is LoadVerdict.INCONCLUSIVE
    assert result.exit_code is ExitCode.INCONCLUSIVE
    assert "read: 0 samples" in result.reasons[0]


def test_min_samples_comes_from_the_budget() -> None:
    budget = LoadBudget(min_samples=10)

    assert evaluate_class(READ, [1.0] * 10, 0, budget=budget).verdict is LoadVerdict.PASS
    assert evaluate_class(READ, [1.0] * 9, 0, budget=budget).verdict is LoadVerdict.INCONCLUSIVE


# --- error ratio -----------------------------------------------------------------------


def test_error_ratio_just_under_one_percent_passes() -> None:
    # 1 / 200 = 0.5 %
    assert evaluate_class(READ, [10.0] * 200, 1).verdict is LoadVerdict.PASS
    # 9 / 1000 = 0.9 %
    assert evaluate_class(READ, [10.0] * 1000, 9).verdict is LoadVerdict.PASS


def test_error_ratio_of_exactly_one_percent_breaches() -> None:
    # 2 / 200 = 1 % exactly: "under 1 %" is strict
    verdict = evaluate_class(READ, [10.0] * 200, 2)

    assert verdict.verdict is LoadVerdict.BREACH
    assert any("error ratio 2/200 = 1 % is not below 1 %" in r for r in verdict.reasons)


def test_error_ratio_is_exact_not_float() -> None:
    # 3 / 300 is exactly 1 %, although 3 / 300 in floats is 0.01 only by luck of rounding
    assert evaluate_class(READ, [10.0] * 300, 3).verdict is LoadVerdict.BREACH
    assert evaluate_class(READ, [10.0] * 301, 3).verdict is LoadVerdict.PASS


def test_errors_and_latency_both_reported_when_both_breach() -> None:
    verdict = evaluate_class(WRITE, samples_with_p95(2500.0), 50)

    assert verdict.verdict is LoadVerdict.BREACH
    assert sum("not below" in r for r in verdict.reasons) == 2


def test_failures_cannot_exceed_samples() -> None:
    with pytest.raises(ValueError, match="failures"):
        summarize([1.0], 2, None)


# --- errors-only scope (set-up traffic) ------------------------------------------------


def test_setup_class_is_judged_on_errors_only() -> None:
    # given the read mix: reads judged, 50 slow logins as set-up traffic
    rows = [
        EndpointSamples("/api/v1/cadets/[own id]/", "GET", READ, [50.0] * 400, 0),
        EndpointSamples("/api/v1/auth/login", "POST", WRITE, [4000.0] * 50, 0),
    ]

    result = evaluate_run(rows, judged_classes=(READ,))

    # then the slow, few logins neither breach nor make the run inconclusive
    assert result.verdict is LoadVerdict.PASS
    write = result.class_verdict(WRITE)
    assert write is not None
    assert write.scope is Scope.ERRORS_ONLY
    assert write.verdict is LoadVerdict.PASS


def test_failed_setup_requests_breach_the_run() -> None:
    rows = [
        EndpointSamples("/api/v1/auth/me", "GET", READ, [50.0] * 400, 0),
        EndpointSamples("/api/v1/auth/login", "POST", WRITE, [40.0] * 50, 5),
    ]

    result = evaluate_run(rows, judged_classes=(READ,))

    assert result.verdict is LoadVerdict.BREACH
    assert result.exit_code is ExitCode.BREACH


def test_unjudged_class_without_samples_is_left_out() -> None:
    result = evaluate_run(
        [EndpointSamples("/x", "GET", READ, [1.0] * 200, 0)], judged_classes=(READ,)
    )

    assert [c.load_class for c in result.classes] == [READ]


# --- run verdict and exit codes --------------------------------------------------------


def test_exit_codes_are_distinct_and_documented() -> None:
    assert exit_code_for(LoadVerdict.PASS) == 0
    assert exit_code_for(LoadVerdict.BREACH) == 1
    assert exit_code_for(LoadVerdict.TOOL_ERROR) == 2
    assert exit_code_for(LoadVerdict.INCONCLUSIVE) == 3
    assert len({int(c) for c in ExitCode}) == len(LoadVerdict)


def _run(read: list[float], write: list[float], **kwargs: object) -> LoadVerdict:
    rows = [
        EndpointSamples("/r", "GET", READ, read, 0),
        EndpointSamples("/w", "POST", WRITE, write, 0),
    ]
    return evaluate_run(rows, **kwargs).verdict  # type: ignore[arg-type]


def test_run_passes_only_when_every_judged_class_passes() -> None:
    assert _run([10.0] * 200, [10.0] * 200) is LoadVerdict.PASS


def test_breach_in_one_class_breaches_the_run() -> None:
    assert _run([10.0] * 200, samples_with_p95(2050.0)) is LoadVerdict.BREACH


def test_inconclusive_class_makes_the_run_inconclusive() -> None:
    assert _run([10.0] * 200, [10.0] * 10) is LoadVerdict.INCONCLUSIVE


def test_breach_wins_over_inconclusive() -> None:
    assert _run(samples_with_p95(600.0), [10.0] * 10) is LoadVerdict.BREACH


def test_tool_error_wins_over_pass_and_inconclusive() -> None:
    assert _run([10.0] * 200, [10.0] * 200, tool_errors=["boom"]) is LoadVerdict.TOOL_ERROR
    assert _run([10.0] * 200, [10.0] * 10, tool_errors=["boom"]) is LoadVerdict.TOOL_ERROR


def test_measured_breach_wins_over_tool_error() -> None:
    assert _run(samples_with_p95(600.0), [10.0] * 200, tool_errors=["boom"]) is LoadVerdict.BREACH


def test_run_judging_no_class_is_a_tool_error() -> None:
    result = evaluate_run([], judged_classes=())

    assert result.verdict is LoadVerdict.TOOL_ERROR
    assert result.exit_code == 2


# --- result document ---------------------------------------------------------------------


def test_result_document_shape() -> None:
    # given a run with two read endpoints and one write endpoint over 10 s
    rows = [
        EndpointSamples("/api/v1/auth/me", "GET", READ, [float(x) for x in range(1, 301)], 1),
        EndpointSamples("/api/v1/notifications/", "GET", READ, [20.0] * 100, 0),
        EndpointSamples("/api/v1/attendance/", "POST", WRITE, [200.0] * 250, 0),
    ]
    result = evaluate_run(
        rows,
        duration_s=10.0,
        cache=CacheStats(hits=90, misses=10, source="http://x/stats"),
        run={"host": "http://127.0.0.1:8000"},
    )

    # when serialized
    doc = json.loads(json.dumps(result.to_dict()))

    # then it carries everything the gate and people need
    assert doc["schema"] == SCHEMA
    assert doc["verdict"] == "PASS"
    assert doc["exit_code"] == 0
    assert doc["thresholds"]["classes"] == {
        "read": {"p95_ms_below": 500.0},
        "write": {"p95_ms_below": 2000.0},
    }
    assert doc["thresholds"]["error_ratio_below"] == 0.01
    assert doc["thresholds"]["min_samples_per_class"] == 200
    assert doc["thresholds"]["percentile_method"] == "nearest-rank"
    assert set(doc["classes"]) == {"read", "write"}
    read = doc["classes"]["read"]
    assert read["verdict"] == "PASS"
    assert read["count"] == 400
    assert read["failures"] == 1
    assert read["rps"] == 40.0
    assert {"p50_ms", "p95_ms", "p99_ms", "error_ratio", "reasons", "scope"} <= set(read)
    me = next(e for e in doc["endpoints"] if e["name"] == "/api/v1/auth/me")
    assert me == {
        "name": "/api/v1/auth/me",
        "method": "GET",
        "class": "read",
        "count": 300,
        "failures": 1,
        "error_ratio": 1 / 300,
        "p50_ms": 150.0,
        "p95_ms": 285.0,
        "p99_ms": 297.0,
        "min_ms": 1.0,
        "max_ms": 300.0,
        "mean_ms": 150.5,
        "rps": 30.0,
    }
    assert doc["cache"] == {"hits": 90, "misses": 10, "hit_rate": 0.9, "source": "http://x/stats"}
    assert doc["run"] == {"host": "http://127.0.0.1:8000"}
    assert doc["tool_errors"] == []
    assert doc["duration_s"] == 10.0


def test_result_document_without_duration_has_no_rate() -> None:
    doc = evaluate_run([EndpointSamples("/r", "GET", READ, [1.0] * 200, 0)]).to_dict()

    assert doc["endpoints"][0]["rps"] is None
    assert doc["cache"] is None


# --- cache counters --------------------------------------------------------------------


def test_cache_counters_accept_flat_and_nested_documents() -> None:
    assert parse_cache_counters({"hits": 3, "misses": 1}) == CacheStats(3, 1)
    assert parse_cache_counters({"cache": {"hits": 3, "misses": 1}}, source="u") == CacheStats(
        3, 1, "u"
    )


@pytest.mark.parametrize(
    "doc", [None, [], {"hits": 1}, {"hits": "1", "misses": 0}, {"hits": -1, "misses": 0}]
)
def test_cache_counters_reject_anything_else(doc: object) -> None:
    assert parse_cache_counters(doc) is None


def test_cache_delta_and_hit_rate() -> None:
    delta = cache_delta(CacheStats(100, 50), CacheStats(190, 60))

    assert delta == CacheStats(90, 10)
    assert delta.hit_rate == 0.9


def test_cache_delta_refuses_counters_that_went_backwards() -> None:
    # the server restarted during the run: the delta would be meaningless
    assert cache_delta(CacheStats(100, 50), CacheStats(10, 5)) is None


def test_hit_rate_of_an_unused_cache_is_unknown() -> None:
    assert CacheStats(0, 0).hit_rate is None


@given(
    samples=st.lists(st.floats(min_value=0, max_value=5_000), min_size=1, max_size=19),
    failure_share=st.floats(min_value=0, max_value=1),
    extra=st.lists(st.floats(min_value=0, max_value=5_000), min_size=20, max_size=20),
)
def test_short_class_breaches_exactly_when_no_completion_could_pass(
    samples: list[float], failure_share: float, extra: list[float]
) -> None:
    # given a small budget so that generated classes are short (min 20)
    budget = LoadBudget(min_samples=20)
    failures = int(failure_share * len(samples))
    verdict = evaluate_class(READ, samples, failures, budget=budget).verdict
    missing = budget.min_samples - len(samples)

    # the best completion: instant successes
    best = evaluate_class(READ, samples + [0.0] * missing, failures, budget=budget).verdict
    # any other completion
    other = evaluate_class(READ, samples + extra[:missing], failures, budget=budget).verdict

    assert verdict in {LoadVerdict.BREACH, LoadVerdict.INCONCLUSIVE}
    assert (verdict is LoadVerdict.BREACH) == (best is LoadVerdict.BREACH)
    if verdict is LoadVerdict.BREACH:
        assert other is LoadVerdict.BREACH
