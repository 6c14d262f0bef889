"""The legacy grade rule: the worked example, the tables, and a property test against an
independent reference written here from the rule's description (integer arithmetic)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rgms.grading.computation import compute_grade, transmute

# The description in legacy-schema.md, restated independently.
BANDS = [(95, 1.00), (90, 1.50), (85, 2.00), (80, 2.50), (75, 3.00)]
SPECIAL = {"INC": "Incomplete", "DO": "Dropped", "T": "Deferred"}


def reference(attended, days, merits, demerits, prelim, midterm, final, status):
    """Every score times 300 x days is an integer, so compare in integers."""
    attended, merits, demerits = attended or 0, merits or 0, demerits or 0
    total = (prelim or 0) + (midterm or 0) + (final or 0)
    scale = 300 * (days if days else 1)
    attendance = 9000 * attended if days else 0  # attended/days*30 * 300*days
    aptitude = 90 * max(0, min(100, 100 + merits - demerits)) * (scale // 300)
    subject = 40 * total * (scale // 300)
    scaled_final = attendance + aptitude + subject
    if status is not None and status.upper() in SPECIAL:
        return scaled_final / scale, None, SPECIAL[status.upper()]
    grade = next((g for bound, g in BANDS if scaled_final >= bound * scale), 5.00)
    return scaled_final / scale, grade, "Failed" if grade == 5.00 else "Passed"


maybe_int = lambda low, high: st.none() | st.integers(low, high)  # noqa: E731


@st.composite
def grade_inputs(draw):
    days = draw(st.integers(0, 60))
    return {
        "attended": draw(st.none() | st.integers(0, days)),
        "total_days": days,
        "merit_points": draw(maybe_int(0, 300)),
        "demerit_points": draw(maybe_int(0, 300)),
        "prelim_score": draw(maybe_int(0, 100)),
        "midterm_score": draw(maybe_int(0, 100)),
        "final_score": draw(maybe_int(0, 100)),
        "status": draw(
            st.none() | st.sampled_from(["active", "INC", "inc", "Do", "dO", "t", "T", "", "X"])
        ),
    }


@given(grade_inputs())
def test_matches_the_reference(inputs) -> None:
    # given any legal inputs, when computed
    result = compute_grade(**inputs)
    final, grade, remarks = reference(
        inputs["attended"],
        inputs["total_days"],
        inputs["merit_points"],
        inputs["demerit_points"],
        inputs["prelim_score"],
        inputs["midterm_score"],
        inputs["final_score"],
        inputs["status"],
    )
    # then the reference agrees on the grade, its band and the remarks
    assert result.final_grade == pytest.approx(final, abs=1e-9)
    assert result.transmuted_grade == grade
    assert result.remarks == remarks
    assert result.final_grade == pytest.approx(
        result.attendance_score + result.aptitude_score + result.subject_score, abs=1e-9
    )
    assert 0 <= result.aptitude_score <= 30


def test_worked_example() -> None:
    # given 14 of 15 days, merits 19, demerits 5, scores 86 + 80 + 64
    # when
    result = compute_grade(
        attended=14,
        total_days=15,
        merit_points=19,
        demerit_points=5,
        prelim_score=86,
        midterm_score=80,
        final_score=64,
    )
    # then
    assert result.attendance_score == pytest.approx(28.0)
    assert result.aptitude_score == pytest.approx(30.0)
    assert result.subject_score == pytest.approx(30.667, abs=1e-3)
    assert result.final_grade == pytest.approx(88.667, abs=1e-3)
    assert result.transmuted_grade == 2.00
    assert result.remarks == "Passed"


@pytest.mark.parametrize(
    ("final", "grade"),
    [
        (100, 1.00),
        (95, 1.00),
        (94.99, 1.50),
        (90, 1.50),
        (85, 2.00),
        (80, 2.50),
        (75, 3.00),
        (74.999, 5.00),
        (0, 5.00),
    ],
)
def test_transmutation_table(final: float, grade: float) -> None:
    assert transmute(final) == grade


def test_exact_boundary_lands_in_the_upper_band() -> None:
    # given numbers whose grade is exactly 75 (30 + 27 + 18)
    result = compute_grade(
        attended=1,
        total_days=1,
        merit_points=0,
        demerit_points=10,
        prelim_score=45,
        midterm_score=45,
        final_score=45,
    )
    # then
    assert result.final_grade == 75.0
    assert (result.transmuted_grade, result.remarks) == (3.00, "Passed")


def test_no_training_days_and_nulls_count_as_zero() -> None:
    result = compute_grade(
        attended=None,
        total_days=0,
        merit_points=None,
        demerit_points=None,
        prelim_score=None,
        midterm_score=None,
        final_score=None,
    )
    assert result.attendance_score == 0
    assert result.aptitude_score == 30
    assert result.final_grade == 30
    assert (result.transmuted_grade, result.remarks) == (5.00, "Failed")


@pytest.mark.parametrize(
    ("status", "remarks"),
    [("INC", "Incomplete"), ("do", "Dropped"), ("t", "Deferred"), ("Inc", "Incomplete")],
)
def test_special_status_suspends_the_grade(status: str, remarks: str) -> None:
    result = compute_grade(
        attended=15,
        total_days=15,
        merit_points=0,
        demerit_points=0,
        prelim_score=100,
        midterm_score=100,
        final_score=100,
        status=status,
    )
    assert result.final_grade == 100
    assert result.transmuted_grade is None
    assert result.remarks == remarks


def test_merits_only_restore_up_to_the_ceiling() -> None:
    base = {"attended": 0, "total_days": 0, "prelim_score": 0, "midterm_score": 0}
    assert (
        compute_grade(**base, final_score=0, merit_points=50, demerit_points=0).aptitude_score == 30
    )
    assert (
        compute_grade(**base, final_score=0, merit_points=0, demerit_points=500).aptitude_score == 0
    )


@given(grade_inputs())
def test_each_float_is_the_exact_value_rounded_once(inputs) -> None:
    # given the exact values of the rule in rational arithmetic
    days = inputs["total_days"]
    attended = Fraction(inputs["attended"] or 0)
    base = max(0, min(100, 100 + (inputs["merit_points"] or 0) - (inputs["demerit_points"] or 0)))
    total = sum(inputs[k] or 0 for k in ("prelim_score", "midterm_score", "final_score"))
    attendance = attended / days * 30 if days else Fraction(0)
    aptitude = Fraction(base) * Fraction(3, 10)
    subject = Fraction(total, 300) * 40
    # when computed
    result = compute_grade(**inputs)
    # then every float equals the exact value rounded once (bit for bit)
    assert result.attendance_score == float(attendance)
    assert result.aptitude_score == float(aptitude)
    assert result.subject_score == float(subject)
    assert result.final_grade == float(attendance + aptitude + subject)
