"""Attendance services under concurrency: marks of one cadet run one after the other, so the
attended count is right however they interleave."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from rgms.attendance import services
from rgms.attendance.models import AttendanceRecord
from rgms.attendance.tests.factories import TrainingDayFactory
from rgms.cadets.tests.factories import CadetFactory
from rgms.grading.models import Grade


@pytest.mark.django_db(transaction=True)
def test_concurrent_marks_of_one_cadet_are_all_counted() -> None:
    # given a cadet without a grade row and several training days
    cadet = CadetFactory()
    days = TrainingDayFactory.create_batch(6)
    start = threading.Barrier(len(days))
    failures: list[BaseException] = []

    def mark(day_id: int) -> None:
        try:
            start.wait(timeout=10)
            day = type(days[0]).objects.get(pk=day_id)
            services.attendance_mark(training_day=day, cadet_id=cadet.pk, status="present")
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    # when every day is marked at once, each from its own connection
    threads = [threading.Thread(target=mark, args=(day.pk,)) for day in days]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then nothing failed, and the count includes every mark
    assert not failures, failures
    assert AttendanceRecord.objects.filter(cadet=cadet).count() == len(days)
    assert Grade.objects.get(cadet=cadet).attendance_present == len(days)


@pytest.mark.django_db
def test_recount_reports_the_rows_it_fixed() -> None:
    from rgms.grading.services import grade_attendance_recount

    right, wrong = CadetFactory.create_batch(2)
    day = TrainingDayFactory()
    for cadet in (right, wrong):
        AttendanceRecord.objects.create(training_day=day, cadet=cadet, status="late")
    Grade.objects.create(cadet=right, attendance_present=1)
    Grade.objects.create(cadet=wrong, attendance_present=7)
    assert grade_attendance_recount(cadet_ids=[right.pk, wrong.pk]) == 1
    assert grade_attendance_recount(cadet_ids=[right.pk, wrong.pk]) == 0
    assert set(Grade.objects.values_list("attendance_present", flat=True)) == {1}
