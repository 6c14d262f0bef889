"""Reads of training days, attendance (cadets and staff) and excuse letters, scoped by role:
admin and staff see everything, a cadet only their own records."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet

from rgms.attendance.models import (
    AttendanceRecord,
    ExcuseLetter,
    StaffAttendanceRecord,
    TrainingDay,
)
from rgms.cadets.models import Cadet
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


# Whether a mark can be written: the day (with what the cadet's notification names) and
# whether the cadet exists and is not archived, in one round trip.
_MARK_TARGET_SQL = """
SELECT day.id, day.date, day.title,
       EXISTS (SELECT 1 FROM cadets_cadet WHERE id = %(cadet)s AND NOT is_archived)
FROM (SELECT 1) AS one
LEFT JOIN attendance_trainingday AS day ON day.id = %(day)s
"""


def attendance_mark_target(
    *, training_day_id: int, cadet_id: int
) -> tuple[TrainingDay | None, bool]:
    """The training day (None if there is none) and whether the cadet may be marked."""
    with connection.cursor() as cursor:
        cursor.execute(_MARK_TARGET_SQL, {"day": training_day_id, "cadet": cadet_id})
        day_id, date, title, markable = cursor.fetchone()
    day = TrainingDay(pk=day_id, date=date, title=title) if day_id is not None else None
    return day, markable


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


@dataclass(frozen=True, slots=True)
class AttendanceSheetFilters:
    company: str | None = None
    platoon: str | None = None
    status: str | None = None  # an attendance status, or "unmarked"


SHEET_CADET_COLUMNS = (
    "student_id",
    "rank",
    "first_name",
    "middle_name",
    "last_name",
    "suffix_name",
    "company",
    "platoon",
    "course",
    "year_level",
)


def attendance_sheet(*, training_day_id: int, filters: AttendanceSheetFilters) -> QuerySet[Any]:
    """The legacy attendance sheet of a day, as value rows ordered by name: every cadet whose
    user account is approved and not archived, who is not archived and has completed their
    profile, with that day's record joined in (status null when unmarked). One query."""
    active_account = User.objects.filter(
        cadet=OuterRef("pk"), role=Role.CADET, is_approved=True, is_archived=False
    )
    queryset = (
        Cadet.objects.filter(is_archived=False, is_profile_completed=True)
        .filter(Exists(active_account))
        .annotate(
            day_record=FilteredRelation(
                "attendance_records",
                condition=Q(attendance_records__training_day_id=training_day_id),
            )
        )
    )
    if filters.company:
        queryset = queryset.filter(company=filters.company)
    if filters.platoon:
        queryset = queryset.filter(platoon=filters.platoon)
    if filters.status == "unmarked":
        queryset = queryset.filter(day_record__id__isnull=True)
    elif filters.status:
        queryset = queryset.filter(day_record__status=filters.status)
    return queryset.order_by("last_name", "first_name", "id").values(
        *SHEET_CADET_COLUMNS,
        cadet=F("id"),
        record=F("day_record__id"),
        # Named apart from the cadet's own columns; sheet_row() gives the API names.
        record_status=F("day_record__status"),
        record_remarks=F("day_record__remarks"),
        time_in=F("day_record__time_in"),
        time_out=F("day_record__time_out"),
    )


def sheet_row(row: dict[str, Any]) -> dict[str, Any]:
    """A sheet value row with the API's field names (AttendanceSheetRowSerializer)."""
    row["status"] = row.pop("record_status")
    row["remarks"] = row.pop("record_remarks")
    return row


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
