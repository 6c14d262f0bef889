"""The sync-attendance beat job fixes drift between grades and attendance records."""

import pytest

from rgms.attendance.tasks import sync_attendance
from rgms.attendance.tests.factories import AttendanceRecordFactory, TrainingDayFactory
from rgms.cadets.tests.factories import CadetFactory
from rgms.grading.models import Grade
from rgms.grading.tests.factories import GradeFactory

pytestmark = pytest.mark.django_db


def test_sync_fixes_drift_and_counts_changed_rows() -> None:
    # given three cadets: one drifted, one correct, one without a grade row
    days = TrainingDayFactory.create_batch(3)
    drifted, correct, missing = CadetFactory.create_batch(3)
    GradeFactory(cadet=drifted, attendance_present=0)
    GradeFactory(cadet=correct, attendance_present=2)
    for day, status in zip(days, ["present", "late", "absent"], strict=True):
        AttendanceRecordFactory(cadet=drifted, training_day=day, status=status)
        AttendanceRecordFactory(cadet=correct, training_day=day, status=status)
    AttendanceRecordFactory(cadet=missing, training_day=days[0], status="excused")
    Grade.objects.filter(cadet=correct).update(attendance_present=2)
    # when the task runs (eager, through Celery)
    changed = sync_attendance.delay().get()
    # then
    assert changed == 2
    counts = dict(Grade.objects.values_list("cadet_id", "attendance_present"))
    assert counts == {drifted.pk: 2, correct.pk: 2, missing.pk: 1}
    # and a second run finds nothing to fix
    assert sync_attendance() == 0


def test_task_name_is_the_beat_entry() -> None:
    from django.conf import settings

    assert sync_attendance.name == "rgms.attendance.tasks.sync_attendance"
    assert settings.CELERY_BEAT_SCHEDULE["sync-attendance"]["task"] == sync_attendance.name


def test_sync_fixes_null_counts() -> None:
    cadet = CadetFactory()
    GradeFactory(cadet=cadet, attendance_present=None)
    assert sync_attendance() == 1
    assert Grade.objects.get(cadet=cadet).attendance_present == 0
