"""The rows every report is made of. Reads only, as values (no model instances), in a
bounded number of queries whatever the roster size; grades come from the one legacy rule in
rgms.grading.computation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404

from rgms.attendance.models import ATTENDED_STATUSES, AttendanceRecord, TrainingDay
from rgms.cadets.models import Cadet
from rgms.cadets.selectors import training_day_count
from rgms.core.exceptions import NotAllowed
from rgms.grading.computation import GradeResult, compute_grade
from rgms.grading.models import MeritDemeritLog
from rgms.reports.models import Report
from rgms.users.models import User

_GRADE_FIELDS = (
    "grade__attendance_present",
    "grade__merit_points",
    "grade__demerit_points",
    "grade__prelim_score",
    "grade__midterm_score",
    "grade__final_score",
    "grade__status",
)


@dataclass(frozen=True, slots=True)
class RosterRow:
    cadet_id: int
    student_id: str
    last_name: str
    first_name: str
    middle_name: str
    company: str
    platoon: str
    course: str
    year_level: str
    cadet_status: str
    attendance_present: int
    total_days: int
    merit_points: int
    demerit_points: int
    prelim_score: int
    midterm_score: int
    final_score: int
    grade_status: str
    grade: GradeResult


def _grade_from(values: dict, total_days: int) -> GradeResult:
    return compute_grade(
        attended=values["grade__attendance_present"],
        total_days=total_days,
        merit_points=values["grade__merit_points"],
        demerit_points=values["grade__demerit_points"],
        prelim_score=values["grade__prelim_score"],
        midterm_score=values["grade__midterm_score"],
        final_score=values["grade__final_score"],
        status=values["grade__status"],
    )


def roster_count(*, include_archived: bool = False) -> int:
    cadets = Cadet.objects.all() if include_archived else Cadet.objects.filter(is_archived=False)
    return cadets.count()


def roster_rows(*, include_archived: bool = False) -> Iterator[RosterRow]:
    """Every cadet (archived ones only when asked), by last then first name, with the stored
    attendance count and the computed grade, as the legacy cadet list showed them."""
    total_days = training_day_count()
    cadets = Cadet.objects.all() if include_archived else Cadet.objects.filter(is_archived=False)
    values = cadets.order_by("last_name", "first_name", "id").values(
        "id",
        "student_id",
        "last_name",
        "first_name",
        "middle_name",
        "company",
        "platoon",
        "course",
        "year_level",
        "status",
        *_GRADE_FIELDS,
    )
    for row in values.iterator(chunk_size=1000):
        yield RosterRow(
            cadet_id=row["id"],
            student_id=row["student_id"],
            last_name=row["last_name"],
            first_name=row["first_name"],
            middle_name=row["middle_name"] or "",
            company=row["company"] or "",
            platoon=row["platoon"] or "",
            course=row["course"] or "",
            year_level=row["year_level"] or "",
            cadet_status=row["status"] or "",
            attendance_present=row["grade__attendance_present"] or 0,
            total_days=total_days,
            merit_points=row["grade__merit_points"] or 0,
            demerit_points=row["grade__demerit_points"] or 0,
            prelim_score=row["grade__prelim_score"] or 0,
            midterm_score=row["grade__midterm_score"] or 0,
            final_score=row["grade__final_score"] or 0,
            grade_status=row["grade__status"] or "active",
            grade=_grade_from(row, total_days),
        )


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    date: date
    training_day: str
    student_id: str
    last_name: str
    first_name: str
    company: str
    platoon: str
    status: str
    time_in: str
    time_out: str
    remarks: str


def attendance_rows(*, training_day_id: int | None = None) -> Iterator[AttendanceRow]:
    """Attendance records (of one day, or all), by date then cadet name."""
    records = AttendanceRecord.objects.all()
    if training_day_id is not None:
        records = records.filter(training_day_id=training_day_id)
    values = records.order_by(
        "training_day__date", "training_day_id", "cadet__last_name", "cadet__first_name", "id"
    ).values(
        "training_day__date",
        "training_day__title",
        "cadet__student_id",
        "cadet__last_name",
        "cadet__first_name",
        "cadet__company",
        "cadet__platoon",
        "status",
        "time_in",
        "time_out",
        "remarks",
    )
    for row in values.iterator(chunk_size=2000):
        yield AttendanceRow(
            date=row["training_day__date"],
            training_day=row["training_day__title"],
            student_id=row["cadet__student_id"],
            last_name=row["cadet__last_name"],
            first_name=row["cadet__first_name"],
            company=row["cadet__company"] or "",
            platoon=row["cadet__platoon"] or "",
            status=row["status"],
            time_in=row["time_in"] or "",
            time_out=row["time_out"] or "",
            remarks=row["remarks"] or "",
        )


def attendance_count(*, training_day_id: int | None = None) -> int:
    records = AttendanceRecord.objects.all()
    if training_day_id is not None:
        records = records.filter(training_day_id=training_day_id)
    return records.count()


@dataclass(frozen=True, slots=True)
class DayAttendanceRow:
    student_id: str
    last_name: str
    first_name: str
    company: str
    platoon: str
    status: str  # "unmarked" when the cadet has no record for the day
    time_in: str
    time_out: str


@dataclass(frozen=True)
class DayAttendance:
    training_day: TrainingDay
    rows: list[DayAttendanceRow]
    counts: dict[str, int]


def day_attendance_get(*, training_day: TrainingDay) -> DayAttendance:
    """Every active cadet with their status on one training day (unmarked ones included),
    and the count per status."""
    marks = {
        row["cadet_id"]: row
        for row in AttendanceRecord.objects.filter(training_day=training_day).values(
            "cadet_id", "status", "time_in", "time_out"
        )
    }
    rows: list[DayAttendanceRow] = []
    counts: dict[str, int] = {}
    cadets = (
        Cadet.objects.filter(is_archived=False)
        .order_by("last_name", "first_name", "id")
        .values("id", "student_id", "last_name", "first_name", "company", "platoon")
    )
    for cadet in cadets.iterator(chunk_size=2000):
        mark = marks.get(cadet["id"])
        status = mark["status"] if mark else "unmarked"
        counts[status] = counts.get(status, 0) + 1
        rows.append(
            DayAttendanceRow(
                student_id=cadet["student_id"],
                last_name=cadet["last_name"],
                first_name=cadet["first_name"],
                company=cadet["company"] or "",
                platoon=cadet["platoon"] or "",
                status=status,
                time_in=(mark["time_in"] or "") if mark else "",
                time_out=(mark["time_out"] or "") if mark else "",
            )
        )
    counts["attended"] = sum(counts.get(status, 0) for status in ATTENDED_STATUSES)
    return DayAttendance(training_day=training_day, rows=rows, counts=counts)


@dataclass(frozen=True)
class CadetGradeReport:
    cadet: Cadet
    total_days: int
    attended: int
    merit_points: int
    demerit_points: int
    prelim_score: int
    midterm_score: int
    final_score: int
    grade_status: str
    grade: GradeResult
    attendance: list[AttendanceRow]
    ledger: list[dict]


def cadet_grade_report_get(*, cadet: Cadet) -> CadetGradeReport:
    values = Cadet.objects.filter(pk=cadet.pk).values(*_GRADE_FIELDS).get()
    total_days = training_day_count()
    attendance = [
        AttendanceRow(
            date=row["training_day__date"],
            training_day=row["training_day__title"],
            student_id=cadet.student_id,
            last_name=cadet.last_name,
            first_name=cadet.first_name,
            company=cadet.company or "",
            platoon=cadet.platoon or "",
            status=row["status"],
            time_in=row["time_in"] or "",
            time_out=row["time_out"] or "",
            remarks=row["remarks"] or "",
        )
        for row in AttendanceRecord.objects.filter(cadet=cadet)
        .order_by("training_day__date", "id")
        .values(
            "training_day__date", "training_day__title", "status", "time_in", "time_out", "remarks"
        )
    ]
    ledger = list(
        MeritDemeritLog.objects.filter(cadet=cadet)
        .order_by("date_recorded", "id")
        .values("date_recorded", "type", "points", "reason", "issued_by_name")
    )
    return CadetGradeReport(
        cadet=cadet,
        total_days=total_days,
        attended=values["grade__attendance_present"] or 0,
        merit_points=values["grade__merit_points"] or 0,
        demerit_points=values["grade__demerit_points"] or 0,
        prelim_score=values["grade__prelim_score"] or 0,
        midterm_score=values["grade__midterm_score"] or 0,
        final_score=values["grade__final_score"] or 0,
        grade_status=values["grade__status"] or "active",
        grade=_grade_from(values, total_days),
        attendance=attendance,
        ledger=ledger,
    )


# REPORT ROWS THEMSELVES
# ------------------------------------------------------------------------------


def report_list(*, viewer: User) -> QuerySet[Report]:
    """Admins see every report; training staff their own and the system's (daily) ones."""
    reports = Report.objects.all()
    if not viewer.is_admin:
        reports = reports.filter(Q(owner=viewer) | Q(owner__isnull=True))
    return reports.order_by("-created_at", "-id")


def report_get(*, pk: int, viewer: User) -> Report:
    report = Report.objects.filter(pk=pk).first()
    if report is None:
        raise Http404
    if not viewer.is_admin and report.owner_id not in (None, viewer.pk):
        raise NotAllowed("Only the user who requested this report, or an admin, may read it.")
    return report
