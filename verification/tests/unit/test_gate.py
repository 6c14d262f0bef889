"""Unit tests of the gate: pass-rate arithmetic, critical checks, missing data, harness errors."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verification.gate import (
    CheckResult,
    CheckStatus,
    GateExitCode,
    Verdict,
    evaluate,
)
from verification.thresholds import (
    CELERY_ROUND_TRIP,
    GATE_RULES,
    MIN_EXECUTED_CHECKS,
    SERVICE_CRITICAL_CHECKS,
    WEBSOCKET_ROUND_TRIP,
    GateRules,
)

PASS, FAIL, SKIP, ERROR = CheckStatus.PASS, CheckStatus.FAIL, CheckStatus.SKIP, CheckStatus.ERROR
CRITICAL = sorted(SERVICE_CRITICAL_CHECKS)


def critical_checks(**overrides: CheckStatus) -> list[CheckResult]:
    """Every required critical check, passing unless overridden by name (dots as underscores)."""
    return [
        CheckResult(name, overrides.get(name.replace(".", "_"), PASS), critical=True)
        for name in CRITICAL
    ]


def suite(passed: int, failed: int = 0) -> list[CheckResult]:
    """Non-critical integration checks."""
    return [CheckResult(f"integration::test_{i}", PASS) for i in range(passed)] + [
        CheckResult(f"integration::test_failing_{i}", FAIL) for i in range(failed)
    ]


# --- GO and the pass-rate boundary ------------------------------------------------------


def test_healthy_target_is_go() -> None:
    verdict = evaluate(critical_checks() + suite(15))

    assert verdict.verdict is Verdict.GO
    assert verdict.exit_code is GateExitCode.GO
    assert verdict.pass_rate == 1
    assert verdict.executed == 24
    assert "exceeds 95 %" in verdict.reasons[0]


def test_exactly_95_percent_is_no_go() -> None:
    # given 19 of 20 executed checks passing (9 critical + 10 suite pass, 1 suite fails)
    verdict = evaluate(critical_checks() + suite(10, failed=1))

    # then 95 % does not EXCEED 95 %
    assert verdict.pass_rate == Fraction(19, 20)
    assert verdict.verdict is Verdict.NO_GO
    assert verdict.reasons[0] == "pass rate 19/20 = 95 % does not exceed 95 %"
    assert verdict.exit_code == 1


def test_just_above_95_percent_is_go() -> None:
    # 20 / 21 = 95.24 %
    verdict = evaluate(critical_checks() + suite(11, failed=1))

    assert verdict.verdict is Verdict.GO
    assert "non-critical checks failed: integration::test_failing_0" in verdict.reasons


@pytest.mark.parametrize(
    ("passed", "failed", "expected"),
    [
        (38, 2, Verdict.NO_GO),  # 95 % exactly
        (39, 2, Verdict.GO),  # 95.12 %
        (57, 3, Verdict.NO_GO),  # 95 % exactly, exact arithmetic
        (95, 5, Verdict.NO_GO),
        (96, 5, Verdict.GO),
        (90, 10, Verdict.NO_GO),
    ],
)
def test_pass_rate_arithmetic(passed: int, failed: int, expected: Verdict) -> None:
    # the critical checks are part of the passed count
    verdict = evaluate(critical_checks() + suite(passed - len(CRITICAL), failed))

    assert verdict.passed == passed
    assert verdict.failed == failed
    assert verdict.verdict is expected


def test_skipped_non_critical_checks_are_not_executed() -> None:
    # given 20 passing and 5 skipped non-critical checks
    skipped = [
        CheckResult(f"optional.{i}", SKIP, evidence={"reason": "no Redis"}) for i in range(5)
    ]
    verdict = evaluate(critical_checks() + suite(11) + skipped)

    # then the rate is over executed checks only, and the skips are reported
    assert verdict.executed == 20
    assert verdict.skipped == 5
    assert verdict.verdict is Verdict.GO
    assert any(
        r.startswith("non-critical checks skipped (not counted): optional.0 (no Redis)")
        for r in verdict.reasons
    )


# --- critical checks ---------------------------------------------------------------------


def test_failed_critical_check_is_no_go_and_named() -> None:
    verdict = evaluate(critical_checks(websocket_round_trip=FAIL) + suite(200))

    assert verdict.pass_rate is not None
    assert verdict.pass_rate > Fraction(99, 100)
    assert verdict.verdict is Verdict.NO_GO
    assert verdict.reasons[0] == f"critical check failed: {WEBSOCKET_ROUND_TRIP}"
    assert verdict.failed_critical == (WEBSOCKET_ROUND_TRIP,)


def test_every_failed_critical_check_is_named() -> None:
    verdict = evaluate(
        critical_checks(websocket_round_trip=FAIL, celery_round_trip=FAIL) + suite(20)
    )

    assert set(verdict.failed_critical) == {WEBSOCKET_ROUND_TRIP, CELERY_ROUND_TRIP}
    assert verdict.reasons[:2] == (
        f"critical check failed: {CELERY_ROUND_TRIP}",
        f"critical check failed: {WEBSOCKET_ROUND_TRIP}",
    )


def test_a_check_can_declare_itself_critical() -> None:
    extra = CheckResult("load.write", FAIL, critical=True)

    verdict = evaluate(critical_checks() + suite(100) + [extra])

    assert verdict.verdict is Verdict.NO_GO
    assert verdict.failed_critical == ("load.write",)


def test_critical_by_rules_even_if_the_check_says_otherwise() -> None:
    results = [
        CheckResult(c.name, FAIL if c.name == CELERY_ROUND_TRIP else PASS, critical=False)
        for c in critical_checks()
    ]

    assert evaluate(results + suite(100)).verdict is Verdict.NO_GO


# --- missing data is never a pass -----------------------------------------------------------


def test_skipped_critical_check_is_inconclusive() -> None:
    results = critical_checks(celery_round_trip=SKIP) + suite(30)
    results[CRITICAL.index(CELERY_ROUND_TRIP)] = CheckResult(
        CELERY_ROUND_TRIP, SKIP, critical=True, evidence={"reason": "no Redis: embedded broker"}
    )

    verdict = evaluate(results)

    assert verdict.verdict is Verdict.INCONCLUSIVE
    assert verdict.exit_code == 3
    assert verdict.skipped_critical == (CELERY_ROUND_TRIP,)
    assert (
        f"critical check skipped: {CELERY_ROUND_TRIP} (no Redis: embedded broker)"
        in verdict.reasons
    )


def test_missing_critical_check_is_inconclusive() -> None:
    results = [c for c in critical_checks() if c.name != WEBSOCKET_ROUND_TRIP] + suite(30)

    verdict = evaluate(results)

    assert verdict.verdict is Verdict.INCONCLUSIVE
    assert verdict.missing_critical == (WEBSOCKET_ROUND_TRIP,)
    assert f"critical check missing: {WEBSOCKET_ROUND_TRIP}" in verdict.reasons


def test_skipped_critical_with_a_failed_critical_is_no_go() -> None:
    verdict = evaluate(
        critical_checks(celery_round_trip=SKIP, websocket_round_trip=FAIL) + suite(30)
    )

    assert verdict.verdict is Verdict.NO_GO
    assert verdict.reasons[0] == f"critical check failed: {WEBSOCKET_ROUND_TRIP}"
    assert f"critical check skipped: {CELERY_ROUND_TRIP}" in verdict.reasons


def test_skipped_critical_with_certainly_too_many_failures_is_no_go() -> None:
    # given 10 failures among 39 suite checks: even if the skipped check passed, 38/49 < 95 %
    verdict = evaluate(critical_checks(celery_round_trip=SKIP) + suite(30, failed=10))

    assert verdict.verdict is Verdict.NO_GO
    assert "cannot exceed 95 % even if every unknown check" in verdict.reasons[0]


def test_skipped_critical_with_a_tolerable_failure_stays_inconclusive() -> None:
    # one non-critical failure in 40: GO would be possible had the critical check run and passed,
    # so the failure does not decide; the missing critical check does
    verdict = evaluate(critical_checks(celery_round_trip=SKIP) + suite(39, failed=1))

    assert verdict.verdict is Verdict.INCONCLUSIVE


def test_too_few_executed_checks_is_inconclusive_even_if_all_pass() -> None:
    verdict = evaluate(critical_checks() + suite(MIN_EXECUTED_CHECKS - len(CRITICAL) - 1))

    assert verdict.executed == MIN_EXECUTED_CHECKS - 1
    assert verdict.verdict is Verdict.INCONCLUSIVE
    assert "only 19 checks executed, at least 20 required" in verdict.reasons


def test_exactly_the_minimum_executed_checks_can_go() -> None:
    verdict = evaluate(critical_checks() + suite(MIN_EXECUTED_CHECKS - len(CRITICAL)))

    assert verdict.verdict is Verdict.GO


def test_a_failure_among_too_few_checks_is_already_no_go() -> None:
    # 9 of 10 passed: even 10 more passing checks would give 19/20 = 95 %, not above it
    verdict = evaluate(critical_checks() + suite(0, failed=1))

    assert verdict.verdict is Verdict.NO_GO
    assert "best case 95 %" in verdict.reasons[0]


# --- harness errors --------------------------------------------------------------------------


def test_harness_error_is_error() -> None:
    broken = CheckResult("integration::suite", ERROR, evidence={"reason": "pytest crashed"})

    verdict = evaluate(critical_checks() + suite(30) + [broken])

    assert verdict.verdict is Verdict.ERROR
    assert verdict.exit_code == 2
    assert verdict.reasons[0] == "harness error in check integration::suite (pytest crashed)"


def test_harness_error_in_a_critical_check_is_error() -> None:
    verdict = evaluate(critical_checks(celery_round_trip=ERROR) + suite(30))

    assert verdict.verdict is Verdict.ERROR
    assert verdict.errored_checks == (CELERY_ROUND_TRIP,)


def test_failed_critical_check_wins_over_harness_error() -> None:
    verdict = evaluate(
        critical_checks(celery_round_trip=ERROR, websocket_round_trip=FAIL) + suite(30)
    )

    assert verdict.verdict is Verdict.NO_GO
    assert f"harness error in check {CELERY_ROUND_TRIP}" in verdict.reasons


def test_certain_pass_rate_failure_wins_over_harness_error() -> None:
    verdict = evaluate(critical_checks(celery_round_trip=ERROR) + suite(20, failed=10))

    assert verdict.verdict is Verdict.NO_GO


def test_no_results_at_all_is_error() -> None:
    verdict = evaluate([])

    assert verdict.verdict is Verdict.ERROR
    assert verdict.reasons[0] == "the harness produced no check results"


def test_duplicate_check_names_are_a_harness_error() -> None:
    verdict = evaluate(critical_checks() + suite(20) + [CheckResult("integration::test_0", PASS)])

    assert verdict.verdict is Verdict.ERROR
    assert "duplicate check names (a harness bug): integration::test_0" in verdict.reasons[0]


# --- rules and data types ------------------------------------------------------------------


def test_rules_come_from_the_thresholds_module() -> None:
    assert GATE_RULES.pass_rate_must_exceed == Fraction(95, 100)
    assert GATE_RULES.min_executed_checks == MIN_EXECUTED_CHECKS
    strict = GateRules(pass_rate_must_exceed=Fraction(99, 100), min_executed_checks=5)

    # 24/25 = 96 %: GO under the default rules, NO-GO under stricter ones
    results = critical_checks() + suite(15, failed=1)
    assert evaluate(results).verdict is Verdict.GO
    assert evaluate(results, rules=strict).verdict is Verdict.NO_GO


def test_status_accepts_its_string_form() -> None:
    assert CheckResult("x", "SKIP").status is SKIP  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "x", "status": "MAYBE"},
        {"name": "", "status": "PASS"},
        {"name": "x", "status": "PASS", "duration": -1.0},
        {"name": "x", "status": "PASS", "duration": float("nan")},
        {"name": "x", "status": "PASS", "n": -1},
    ],
)
def test_invalid_check_results_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - one contract, several messages
        CheckResult(**kwargs)  # type: ignore[arg-type]


def test_verdict_document_shape() -> None:
    doc = evaluate(critical_checks(celery_round_trip=SKIP) + suite(20, failed=1)).to_dict()

    assert doc["verdict"] == "INCONCLUSIVE"
    assert doc["exit_code"] == 3
    assert doc["counts"] == {
        "total": 30,
        "executed": 29,
        "passed": 28,
        "failed": 1,
        "skipped": 1,
        "errored": 0,
    }
    assert doc["pass_rate"] == 28 / 29
    assert doc["skipped_critical"] == [CELERY_ROUND_TRIP]
    assert doc["failed_checks"] == ["integration::test_failing_0"]
    assert doc["rules"]["pass_rate_must_exceed"] == 0.95
    assert doc["rules"]["min_executed_checks"] == 20
    assert set(doc["rules"]["required_critical_checks"]) == SERVICE_CRITICAL_CHECKS


# --- properties ---------------------------------------------------------------------------------

statuses = st.sampled_from(list(CheckStatus))
generated_results = st.tuples(
    st.lists(statuses, min_size=len(CRITICAL), max_size=len(CRITICAL)),
    st.lists(st.tuples(statuses, st.booleans()), max_size=40),
    st.integers(min_value=0, max_value=len(CRITICAL)),
).map(
    lambda t: (
        [
            CheckResult(name, status, critical=True)
            for name, status in list(zip(CRITICAL, t[0], strict=True))[t[2] :]
        ]
        + [CheckResult(f"suite.{i}", s, critical=c) for i, (s, c) in enumerate(t[1])]
    )
)


@given(generated_results)
def test_go_only_on_complete_passing_evidence(results: list[CheckResult]) -> None:
    verdict = evaluate(results)

    if verdict.verdict is Verdict.GO:
        assert verdict.pass_rate is not None
        assert verdict.pass_rate > Fraction(95, 100)
        assert verdict.executed >= MIN_EXECUTED_CHECKS
        assert verdict.errored == 0
        names = {r.name for r in results}
        assert names >= SERVICE_CRITICAL_CHECKS
        assert all(r.status is PASS for r in results if verdict.is_critical(r))


@given(generated_results)
def test_no_go_is_certain_whatever_the_missing_data(results: list[CheckResult]) -> None:
    # given a NO-GO
    verdict = evaluate(results)
    if verdict.verdict is not Verdict.NO_GO:
        return

    # when every unknown is replaced by the best case (passes), and more passes pad to the minimum
    best = [
        CheckResult(r.name, PASS, critical=r.critical)
        if r.status is ERROR or (r.status is SKIP and verdict.is_critical(r))
        else r
        for r in results
    ]
    best += [CheckResult(name, PASS, critical=True) for name in verdict.missing_critical]
    executed = sum(r.status in (PASS, FAIL) for r in best)
    best += [CheckResult(f"pad.{i}", PASS) for i in range(MIN_EXECUTED_CHECKS - executed)]

    # then it is still NO-GO
    assert evaluate(best).verdict is Verdict.NO_GO


@given(generated_results, st.randoms())
def test_verdict_does_not_depend_on_order(results: list[CheckResult], rnd: object) -> None:
    shuffled = list(results)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]

    assert evaluate(shuffled).verdict is evaluate(results).verdict


@given(generated_results)
def test_missing_data_never_turns_into_go(results: list[CheckResult]) -> None:
    # removing any check's evidence (PASS -> SKIP) never yields GO where there was none
    before = evaluate(results).verdict
    for i, r in enumerate(results):
        if r.status is PASS:
            degraded = [
                *results[:i],
                CheckResult(r.name, SKIP, critical=r.critical),
                *results[i + 1 :],
            ]
            after = evaluate(degraded).verdict
            assert after is not Verdict.GO or before is Verdict.GO
