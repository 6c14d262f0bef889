"""Unit tests of the post-cutover watch: error rate and p95 over a window."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import pytest

from verification.thresholds import WATCH_RULES, WatchRules
from verification.watch import Sample, WatchExitCode, WatchStatus, evaluate_window

NOW = 10_000.0


def window(
    latencies: Sequence[float | None], errors: int = 0, *, at: float = NOW - 1
) -> list[Sample]:
    """Samples inside the window; the first ``errors`` of them failed."""
    return [
        Sample(at=at, latency_ms=lat, ok=i >= errors and lat is not None)
        for i, lat in enumerate(latencies)
    ]


def test_healthy_window_is_ok() -> None:
    verdict = evaluate_window(window([50.0] * 200), now=NOW)

    assert verdict.status is WatchStatus.OK
    assert verdict.exit_code is WatchExitCode.OK
    assert verdict.p95_ms == 50.0
    assert verdict.error_rate == 0


def test_error_rate_of_exactly_5_percent_is_still_ok() -> None:
    # "above 5 %" is strict
    assert evaluate_window(window([50.0] * 200, errors=10), now=NOW).status is WatchStatus.OK


def test_error_rate_above_5_percent_recommends_rollback() -> None:
    verdict = evaluate_window(window([50.0] * 200, errors=11), now=NOW)

    assert verdict.status is WatchStatus.RECOMMEND_ROLLBACK
    assert verdict.rollback
    assert verdict.exit_code == 1
    assert verdict.reasons[0] == "error rate 11/200 = 5.5 % is above 5 %"


def test_p95_of_exactly_1_s_is_still_ok() -> None:
    samples = window([10.0] * 189 + [1000.0] * 11)

    verdict = evaluate_window(samples, now=NOW)

    assert verdict.p95_ms == 1000.0
    assert verdict.status is WatchStatus.OK


def test_p95_above_1_s_recommends_rollback() -> None:
    verdict = evaluate_window(window([10.0] * 189 + [1000.5] * 11), now=NOW)

    assert verdict.status is WatchStatus.RECOMMEND_ROLLBACK
    assert "p95 1000.5 ms is above 1000 ms" in verdict.reasons[0]


def test_p95_is_nearest_rank_like_the_load_verdict() -> None:
    # 1..100 ms: nearest-rank p95 of 100 samples is the 95th value (interpolation would give 95.05)
    samples = [Sample(NOW - 1, float(x), True) for x in range(1, 101)]

    assert evaluate_window(samples, now=NOW).p95_ms == 95.0


def test_only_samples_inside_the_window_count() -> None:
    old = window([50.0] * 500, errors=500, at=NOW - WATCH_RULES.window_s)  # just outside
    future = window([50.0] * 500, errors=500, at=NOW + 1)
    recent = window([50.0] * 200, at=NOW - WATCH_RULES.window_s + 1)

    verdict = evaluate_window(old + future + recent, now=NOW)

    assert verdict.n == 200
    assert verdict.status is WatchStatus.OK
    assert (verdict.window_start, verdict.window_end) == (NOW - 300, NOW)


def test_empty_window_is_insufficient_data_not_ok() -> None:
    verdict = evaluate_window([], now=NOW)

    assert verdict.status is WatchStatus.INSUFFICIENT_DATA
    assert verdict.exit_code == 3
    assert verdict.p95_ms is None


def test_few_samples_are_insufficient_data() -> None:
    verdict = evaluate_window(window([50.0] * 50, errors=3), now=NOW)

    # 3/50 = 6 % observed, but 3/100 = 3 % if the missing 50 were fine
    assert verdict.status is WatchStatus.INSUFFICIENT_DATA
    assert verdict.reasons[0] == "only 50 samples in the window, at least 100 needed"


def test_few_samples_that_must_breach_recommend_rollback() -> None:
    # 6 errors are above 5 % even of the 100 samples the window needs
    verdict = evaluate_window(window([50.0] * 20, errors=6), now=NOW)

    assert verdict.status is WatchStatus.RECOMMEND_ROLLBACK
    assert "even if the 80 samples short of 100 were instant successes" in verdict.reasons[0]


def test_unanswered_requests_are_errors_and_slowest() -> None:
    # given 6 of 200 requests without any response: errors, but the p95 request was answered
    few = evaluate_window(window([20.0] * 194 + [None] * 6), now=NOW)
    assert few.errors == 6
    assert few.p95_ms == 20.0

    # when 11 of 200 get no response, the p95 request is one of them
    verdict = evaluate_window(window([20.0] * 189 + [None] * 11), now=NOW)

    assert verdict.errors == 11
    assert verdict.p95_ms == math.inf
    assert verdict.status is WatchStatus.RECOMMEND_ROLLBACK
    assert any("p95 no response is above 1000 ms" in r for r in verdict.reasons)
    doc = json.loads(json.dumps(verdict.to_dict(), allow_nan=False))
    assert doc["p95_ms"] is None
    assert doc["p95_no_response"] is True


def test_rules_are_injectable() -> None:
    rules = WatchRules(window_s=60, min_samples=10)

    assert evaluate_window(window([1.0] * 10), now=NOW, rules=rules).status is WatchStatus.OK


def test_negative_latency_is_refused() -> None:
    with pytest.raises(ValueError, match="latencies"):
        evaluate_window(window([-1.0]), now=NOW)


def test_watch_document_shape() -> None:
    doc = evaluate_window(window([50.0] * 200, errors=20), now=NOW).to_dict()

    assert doc["status"] == "recommend-rollback"
    assert doc["n"] == 200
    assert doc["errors"] == 20
    assert doc["error_rate"] == 0.1
    assert doc["rules"]["rollback_when_error_rate_above"] == 0.05
    assert doc["rules"]["rollback_when_p95_ms_above"] == 1000.0
