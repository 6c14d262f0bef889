import datetime

import factory

from rgms.attendance.models import (
    AttendanceRecord,
    AttendanceStatus,
    ExcuseLetter,
    StaffAttendanceRecord,
    TrainingDay,
)
from rgms.cadets.tests.factories import CadetFactory
from rgms.staff.tests.factories import StaffFactory


class TrainingDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingDay

    date = factory.Sequence(lambda n: datetime.date(2025, 1, 4) + datetime.timedelta(weeks=n))
    title = factory.Sequence(lambda n: f"Training day {n + 1}")
    description = "Drills"


class AttendanceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttendanceRecord

    training_day = factory.SubFactory(TrainingDayFactory)
    cadet = factory.SubFactory(CadetFactory)
    status = AttendanceStatus.PRESENT
    time_in = "7:05:12 AM"


class StaffAttendanceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffAttendanceRecord

    training_day = factory.SubFactory(TrainingDayFactory)
    staff = factory.SubFactory(StaffFactory)
    status = AttendanceStatus.PRESENT


class ExcuseLetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExcuseLetter

    cadet = factory.SubFactory(CadetFactory)
    training_day = factory.SubFactory(TrainingDayFactory)
    date_absent = factory.LazyAttribute(lambda o: o.training_day.date)
    reason = "Fever"
    status = ExcuseLetter.Status.PENDING
