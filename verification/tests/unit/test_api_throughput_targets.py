"""The throughput targets scaled by the reference read (api_throughput.scale_targets)."""

from __future__ import annotations

import pytest

from verification.benchmarks.api_throughput import Result, scale_targets, targets_report


def result(scenario: str, rps: float, p95_ms: float = 10.0) -> Result:
    return Result(scenario, 1000, rps, 5.0, p95_ms, p95_ms, p95_ms, 0)


def test_no_reference_no_scaled_targets() -> None:
    assert scale_targets([result("profile", 2000)]) == []


def test_targets_scale_with_the_reference_read() -> None:
    # The reference does 260-470 where 1,800 reads/s and 490 writes/s were set: at 235 req/s
    # here (half of 470), the targets here are 900-1,627 reads/s and 245-443 writes/s.
    rows = scale_targets(
        [result("reference", 235), result("profile", 1000), result("attendance", 100)]
    )
    assert [(r.target, r.scenario, r.low, r.high) for r in rows] == [
        ("small reads", "profile", 900, 1627),
        ("writes", "attendance", 245, 443),
    ]


@pytest.mark.parametrize(
    ("rps", "verdict"),
    [(899, "misses"), (900, "cannot tell"), (1626, "cannot tell"), (1628, "meets")],
)
def test_verdict_by_the_range_of_the_reference(rps: float, verdict: str) -> None:
    [row] = scale_targets([result("reference", 235), result("notifications", rps)])
    assert row.verdict == verdict


def test_report_names_each_verdict_and_the_unscaled_roster_latency() -> None:
    report = targets_report(
        [result("reference", 235), result("grade", 500), result("roster", 300, p95_ms=50.0)]
    )
    assert "the reference read does 235 req/s here, 260-470 where they were set" in report
    assert "writes at or above 490 req/s there, 245-443 here: grade 500 req/s, meets" in report
    assert "roster page p95 under 50 ms (not scaled): 50.0 ms, misses" in report
