from __future__ import annotations

import pytest

from rgms.reports import selectors
from rgms.reports.tests.factories import (
    AttendanceRecordFactory,
    CadetFactory,
    GradeFactory,
    TrainingDayFactory,
)

pytestmark = pytest.mark.django_db


def test_roster_applies_the_legacy_grade_rule():
    # given the worked example of legacy-schema.md: 14 of 15 days, merits 19, demerits 5,
    # scores 86 + 80 + 64
    TrainingDayFactory.create_batch(15)
    GradeFactory(
        cadet__last_name="Cruz",
        attendance_present=14,
        merit_points=19,
        demerit_points=5,
        prelim_score=86,
        midterm_score=80,
        final_score=64,
    )

    [row] = list(selectors.roster_rows())

    assert row.total_days == 15
    assert row.grade.attendance_score == pytest.approx(28.0)
    assert row.grade.aptitude_score == pytest.approx(30.0)
    assert row.grade.subject_score == pytest.approx(30.667, abs=1e-3)
    assert row.grade.final_grade == pytest.approx(88.667, abs=1e-3)
    assert (row.grade.transmuted_grade, row.grade.remarks) == (2.00, "Passed")


def test_roster_orders_by_name_hides_archived_and_tolerates_missing_grades():
    GradeFactory(cadet__last_name="Zamora", cadet__first_name="Ana")
    CadetFactory(last_name="Abad", first_name="Ben")  # no grades row at all
    GradeFactory(cadet__last_name="Mora", cadet__first_name="Cid", cadet__is_archived=True)

    names = [row.last_name for row in selectors.roster_rows()]
    with_archived = [row.last_name for row in selectors.roster_rows(include_archived=True)]

    assert names == ["Abad", "Zamora"]
    assert with_archived == ["Abad", "Mora", "Zamora"]
    assert selectors.roster_count() == 2


def test_roster_reads_in_a_bounded_number_of_queries(django_assert_max_num_queries):
    TrainingDayFactory.create_batch(3)
    GradeFactory.create_batch(30)

    with django_assert_max_num_queries(3):
        rows = list(selectors.roster_rows())

    assert len(rows) == 30


def test_day_attendance_lists_unmarked_cadets_and_counts_attended():
    day = TrainingDayFactory()
    present = AttendanceRecordFactory(training_day=day, status="present").cadet
    AttendanceRecordFactory(training_day=day, status="late")
    AttendanceRecordFactory(training_day=day, status="absent")
    CadetFactory()  # unmarked

    result = selectors.day_attendance_get(training_day=day)

    assert len(result.rows) == 4
    assert result.counts["unmarked"] == 1
    assert result.counts["attended"] == 2  # present and late count as attended
    assert any(row.student_id == present.student_id for row in result.rows)


def test_attendance_rows_filter_by_day():
    first, second = TrainingDayFactory(), TrainingDayFactory()
    AttendanceRecordFactory.create_batch(2, training_day=first)
    AttendanceRecordFactory(training_day=second)

    assert len(list(selectors.attendance_rows())) == 3
    assert len(list(selectors.attendance_rows(training_day_id=first.pk))) == 2
    assert selectors.attendance_count(training_day_id=second.pk) == 1
