"""Unit tests of the gate and watch numbers: one home, the documented values, no load budgets."""

from __future__ import annotations

import inspect
from fractions import Fraction

import pytest

from verification import thresholds
from verification.thresholds import (
    CRITICAL_CHECKS,
    GATE_RULES,
    MIGRATION_VERIFY,
    SAME_COMMIT,
    SERVICE_CRITICAL_CHECKS,
    WATCH_RULES,
    gate_rules,
)


def test_gate_numbers() -> None:
    assert GATE_RULES.pass_rate_must_exceed == Fraction(95, 100)
    assert GATE_RULES.min_executed_checks == 20
    assert GATE_RULES.required_critical == SERVICE_CRITICAL_CHECKS


def test_watch_numbers() -> None:
    assert WATCH_RULES.max_error_rate == Fraction(5, 100)
    assert WATCH_RULES.max_p95_ms == 1000.0
    assert WATCH_RULES.window_s > 0
    assert WATCH_RULES.min_samples > 0


def test_minimum_count_makes_one_failure_measurable() -> None:
    # at the minimum, a single failure is exactly the threshold (NO-GO); one more check tolerates it
    n = GATE_RULES.min_executed_checks
    assert Fraction(n - 1, n) == GATE_RULES.pass_rate_must_exceed
    assert Fraction(n, n + 1) > GATE_RULES.pass_rate_must_exceed


def test_critical_checks_per_target() -> None:
    assert gate_rules("local").required_critical == SERVICE_CRITICAL_CHECKS
    assert SAME_COMMIT in gate_rules("render").required_critical
    assert MIGRATION_VERIFY in gate_rules("rehearsal").required_critical
    for target in CRITICAL_CHECKS:
        assert gate_rules(target).required_critical >= SERVICE_CRITICAL_CHECKS


def test_unknown_target_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown target kind"):
        gate_rules("staging-ish")


def test_load_budgets_are_not_restated() -> None:
    # the gate reads the load run's verdict; the budgets live in loadtests/common/thresholds.py
    source = inspect.getsource(thresholds)
    for budget in ("500", "2000", "200 samples", "Fraction(1, 100)"):
        assert budget not in source
