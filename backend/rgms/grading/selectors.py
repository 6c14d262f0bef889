"""Reads of grades (with the computed legacy grade) and the merit/demerit ledger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet

from rgms.cadets.selectors import roster_row, training_day_count
from rgms.grading.models import Grade, MeritDemeritLog
from rgms.users.models import Role, User

GRADE_FIELDS = (
    "id",
    "cadet_id",
    "attendance_present",
    "merit_points",
    "demerit_points",
    "prelim_score",
    "midterm_score",
    "final_score",
    "lifetime_merit_points",
)
GRADE_EXTRA = {
    "student_id": F("cadet__student_id"),
    "first_name": F("cadet__first_name"),
    "last_name": F("cadet__last_name"),
    "company": F("cadet__company"),
    "platoon": F("cadet__platoon"),
    "grade_status": F("status"),
}


@dataclass(frozen=True, slots=True)
class GradeFilters:
    cadet: int | None = None
    status: str | None = None
    is_archived: bool = False


@dataclass(frozen=True, slots=True)
class MeritDemeritLogFilters:
    cadet: int | None = None
    type: str | None = None


def _visible_grades(*, viewer: User) -> QuerySet[Grade]:
    """All grades for admin and staff; a cadet's own grade only."""
    if viewer.role in {Role.ADMIN, Role.TRAINING_STAFF}:
        return Grade.objects.all()
    if viewer.role == Role.CADET and viewer.cadet_id is not None:
        return Grade.objects.filter(cadet_id=viewer.cadet_id)
    return Grade.objects.none()


def grade_list(*, viewer: User, filters: GradeFilters) -> QuerySet[Any]:
    """Grade rows as values, ordered like the roster (not yet paginated)."""
    queryset = _visible_grades(viewer=viewer).filter(cadet__is_archived=filters.is_archived)
    if filters.cadet is not None:
        queryset = queryset.filter(cadet_id=filters.cadet)
    if filters.status:
        queryset = queryset.filter(status__iexact=filters.status)
    return queryset.order_by("cadet__last_name", "cadet__first_name", "id").values(
        *GRADE_FIELDS, **GRADE_EXTRA
    )


def grade_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Value rows with the computed legacy grade added (one count of training days)."""
    total_days = training_day_count()
    return [_without_status(roster_row(row, total_days=total_days)) for row in rows]


def _without_status(row: dict[str, Any]) -> dict[str, Any]:
    row["status"] = row.pop("grade_status")
    return row


def grade_detail_get(*, viewer: User, grade_id: int) -> dict[str, Any] | None:
    row = (
        _visible_grades(viewer=viewer)
        .filter(pk=grade_id)
        .values(*GRADE_FIELDS, **GRADE_EXTRA)
        .first()
    )
    return grade_rows([row])[0] if row else None


def grade_row(grade: Grade) -> dict[str, Any]:
    """The API row of a grade loaded with its cadet's fields as attributes (`student_id`,
    ...), as grading.services' grade_update returns it: what grade_detail_get reads."""
    row = {field: getattr(grade, field) for field in GRADE_FIELDS}
    for name, expression in GRADE_EXTRA.items():
        row[name] = getattr(grade, expression.name.removeprefix("cadet__"))
    return grade_rows([row])[0]


def grade_get(*, viewer: User, grade_id: int) -> Grade | None:
    return _visible_grades(viewer=viewer).filter(pk=grade_id).first()


def merit_demerit_log_list(
    *, viewer: User, filters: MeritDemeritLogFilters
) -> QuerySet[MeritDemeritLog]:
    queryset = MeritDemeritLog.objects.all()
    if viewer.role not in {Role.ADMIN, Role.TRAINING_STAFF}:
        queryset = queryset.filter(cadet_id=viewer.cadet_id) if viewer.cadet_id else queryset.none()
    if filters.cadet is not None:
        queryset = queryset.filter(cadet_id=filters.cadet)
    if filters.type:
        queryset = queryset.filter(type=filters.type)
    return queryset.order_by("-date_recorded", "-id")


def merit_demerit_log_get(*, viewer: User, log_id: int) -> MeritDemeritLog | None:
    return (
        merit_demerit_log_list(viewer=viewer, filters=MeritDemeritLogFilters())
        .filter(pk=log_id)
        .first()
    )
