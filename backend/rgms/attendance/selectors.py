"""Reads of training days, attendance (cadets and staff) and excuse letters, scoped by role:
admin and staff see everything, a cadet only their own records."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from rgms.attendance.models import (
    AttendanceRecord,
    ExcuseLetter,
    StaffAttendanceRecord,
    TrainingDay,
)
from rgms.users.models import Role, User


def _sees_all(viewer: User) -> bool:
    return viewer.role in {Role.ADMIN, Role.TRAINING_STAFF}


@dataclass(frozen=True, slots=True)
class TrainingDayFilters:
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


@dataclass(frozen=True, slots=True)
class AttendanceFilters:
    training_day: int | None = None
    cadet: int | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class StaffAttendanceFilters:
    training_day: int | None = None
    staff: int | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class ExcuseLetterFilters:
    status: str | None = None
    cadet: int | None = None
    training_day: int | None = None


def training_day_list(*, filters: TrainingDayFilters) -> QuerySet[TrainingDay]:
    queryset = TrainingDay.objects.all()
    if filters.date_from is not None:
        queryset = queryset.filter(date__gte=filters.date_from)
    if filters.date_to is not None:
        queryset = queryset.filter(date__lte=filters.date_to)
    return queryset.order_by("-date", "-id")


def training_day_get(*, training_day_id: int) -> TrainingDay | None:
    return TrainingDay.objects.filter(pk=training_day_id).first()


def attendance_list(*, viewer: User, filters: AttendanceFilters) -> QuerySet[AttendanceRecord]:
    queryset = AttendanceRecord.objects.all()
    if not _sees_all(viewer):
        queryset = queryset.filter(cadet_id=viewer.cadet_id) if viewer.cadet_id else queryset.none()
    if filters.training_day is not None:
        queryset = queryset.filter(training_day_id=filters.training_day)
    if filters.cadet is not None:
        queryset = queryset.filter(cadet_id=filters.cadet)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    return queryset


def attendance_get(*, viewer: User, record_id: int) -> AttendanceRecord | None:
    return attendance_list(viewer=viewer, filters=AttendanceFilters()).filter(pk=record_id).first()


def staff_attendance_list(*, filters: StaffAttendanceFilters) -> QuerySet[StaffAttendanceRecord]:
    queryset = StaffAttendanceRecord.objects.all()
    if filters.training_day is not None:
        queryset = queryset.filter(training_day_id=filters.training_day)
    if filters.staff is not None:
        queryset = queryset.filter(staff_id=filters.staff)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    return queryset


def staff_attendance_get(*, record_id: int) -> StaffAttendanceRecord | None:
    return StaffAttendanceRecord.objects.filter(pk=record_id).first()


def excuse_letter_list(*, viewer: User, filters: ExcuseLetterFilters) -> QuerySet[ExcuseLetter]:
    queryset = ExcuseLetter.objects.all()
    if not _sees_all(viewer):
        queryset = queryset.filter(cadet_id=viewer.cadet_id) if viewer.cadet_id else queryset.none()
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.cadet is not None:
        queryset = queryset.filter(cadet_id=filters.cadet)
    if filters.training_day is not None:
        queryset = queryset.filter(training_day_id=filters.training_day)
    return queryset.order_by("-created_at", "-id")


def excuse_letter_get(*, viewer: User, letter_id: int) -> ExcuseLetter | None:
    return (
        excuse_letter_list(viewer=viewer, filters=ExcuseLetterFilters())
        .filter(pk=letter_id)
        .first()
    )
