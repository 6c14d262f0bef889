"""Reads of cadets: the graded roster and a cadet's profile, as plain rows.

The hot reads use ``.values()`` with the grade columns joined in and the username as a
subquery, so a page is one query (plus the count and the number of training days) whatever
its size; the computed grade fields come from :func:`rgms.grading.computation.compute_grade`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from rgms.attendance.models import TrainingDay
from rgms.cadets.caching import TRAINING_DAYS_NAMESPACE
from rgms.cadets.models import Cadet
from rgms.core import cache
from rgms.grading.computation import compute_grade
from rgms.users.models import Role, User

CADET_COLUMNS = (
    "id",
    "student_id",
    "rank",
    "first_name",
    "middle_name",
    "last_name",
    "suffix_name",
    "email",
    "contact_number",
    "address",
    "course",
    "year_level",
    "school_year",
    "battalion",
    "company",
    "platoon",
    "cadet_course",
    "semester",
    "corp_position",
    "gender",
    "religion",
    "birthdate",
    "status",
    "profile_pic",
    "is_profile_completed",
    "is_archived",
    "has_seen_guide",
    "created_at",
)
GRADE_COLUMNS = {
    "grade_id": F("grade__id"),
    "attendance_present": F("grade__attendance_present"),
    "merit_points": F("grade__merit_points"),
    "demerit_points": F("grade__demerit_points"),
    "prelim_score": F("grade__prelim_score"),
    "midterm_score": F("grade__midterm_score"),
    "final_score": F("grade__final_score"),
    "grade_status": F("grade__status"),
    "lifetime_merit_points": F("grade__lifetime_merit_points"),
}
ORDERINGS = {
    "last_name": ("last_name", "first_name", "id"),
    "-last_name": ("-last_name", "-first_name", "-id"),
    "first_name": ("first_name", "last_name", "id"),
    "-first_name": ("-first_name", "-last_name", "-id"),
}
DEFAULT_ORDERING = "last_name"


@dataclass(frozen=True, slots=True)
class CadetFilters:
    company: str | None = None
    platoon: str | None = None
    course: str | None = None
    status: str | None = None
    is_archived: bool = False
    search: str | None = None
    ordering: str = DEFAULT_ORDERING


def _username_subquery() -> Subquery:
    first_user = User.objects.filter(cadet=OuterRef("pk")).order_by("id").values("username")
    return Subquery(first_user[:1])


def cadet_visible_queryset(*, viewer: User) -> QuerySet[Cadet]:
    """Cadets the viewer may see: all for admin and staff, only their own for a cadet."""
    if viewer.role in {Role.ADMIN, Role.TRAINING_STAFF}:
        return Cadet.objects.all()
    if viewer.role == Role.CADET and viewer.cadet_id is not None:
        return Cadet.objects.filter(pk=viewer.cadet_id)
    return Cadet.objects.none()


def cadet_roster_queryset(*, viewer: User, filters: CadetFilters) -> QuerySet[Any]:
    """The graded roster as value rows, filtered and ordered (not yet paginated)."""
    queryset = cadet_visible_queryset(viewer=viewer).filter(is_archived=filters.is_archived)
    for field in ("company", "platoon", "course", "status"):
        value = getattr(filters, field)
        if value:
            queryset = queryset.filter(**{field: value})
    if filters.search:
        term = filters.search
        queryset = queryset.filter(
            Q(last_name__icontains=term)
            | Q(first_name__icontains=term)
            | Q(student_id__icontains=term)
            | Q(email__icontains=term)
        )
    return queryset.order_by(*ORDERINGS[filters.ordering]).values(
        *CADET_COLUMNS, username=_username_subquery(), **GRADE_COLUMNS
    )


def training_day_count() -> int:
    """The number of training days (every attendance score divides by it), from the read
    cache: every training-day write drops the ``training-days`` namespace."""
    return cache.get_or_build(
        [TRAINING_DAYS_NAMESPACE], ["count"], TrainingDay.objects.count, counted=False
    )


def roster_row(row: dict[str, Any], *, total_days: int) -> dict[str, Any]:
    """A roster value row with the computed grade fields added."""
    result = compute_grade(
        attended=row["attendance_present"],
        total_days=total_days,
        merit_points=row["merit_points"],
        demerit_points=row["demerit_points"],
        prelim_score=row["prelim_score"],
        midterm_score=row["midterm_score"],
        final_score=row["final_score"],
        status=row["grade_status"],
    )
    return {**row, "total_training_days": total_days, **result.as_dict()}


def cadet_profile_get(*, viewer: User, cadet_id: int) -> dict[str, Any] | None:
    """One cadet's graded profile, or None when it does not exist or the viewer may not see
    it (a cadet asking for another cadet's profile gets None, answered as 404)."""
    row = (
        cadet_visible_queryset(viewer=viewer)
        .filter(pk=cadet_id)
        .values(*CADET_COLUMNS, username=_username_subquery(), **GRADE_COLUMNS)
        .first()
    )
    if row is None:
        return None
    return roster_row(row, total_days=training_day_count())


def cadet_get(*, viewer: User, cadet_id: int) -> Cadet | None:
    return cadet_visible_queryset(viewer=viewer).filter(pk=cadet_id).first()
