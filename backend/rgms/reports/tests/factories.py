"""Model data for the reports tests. The cadet, grade and attendance factories mirror the
domain apps' rows as reports read them (kept here so these tests need nothing else)."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from rgms.attendance.models import AttendanceRecord, TrainingDay
from rgms.cadets.models import Cadet
from rgms.grading.models import Grade
from rgms.reports.models import Report


class CadetFactory(DjangoModelFactory):
    class Meta:
        model = Cadet

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    student_id = factory.Sequence(lambda n: f"2025-{n:05d}")
    company = "Alpha"
    platoon = "1"
    course = "BSIT"


class GradeFactory(DjangoModelFactory):
    class Meta:
        model = Grade

    cadet = factory.SubFactory(CadetFactory)
    attendance_present = 0
    merit_points = 0
    demerit_points = 0
    prelim_score = 0
    midterm_score = 0
    final_score = 0


class TrainingDayFactory(DjangoModelFactory):
    class Meta:
        model = TrainingDay

    date = factory.Sequence(lambda n: dt.date(2025, 1, 4) + dt.timedelta(days=7 * n))
    title = factory.Sequence(lambda n: f"Training day {n + 1}")


class AttendanceRecordFactory(DjangoModelFactory):
    class Meta:
        model = AttendanceRecord

    training_day = factory.SubFactory(TrainingDayFactory)
    cadet = factory.SubFactory(CadetFactory)
    status = "present"
    time_in = "7:05:12 AM"


class ReportFactory(DjangoModelFactory):
    class Meta:
        model = Report

    kind = Report.Kind.ROSTER_CSV
    params = factory.LazyFunction(dict)
