"""Requesting and generating reports.

A request saves a Report row and queues ``report_generate`` on commit; generation is
idempotent by the row (a task delivered twice, acks late after a killed worker, finds the
report done and returns it), and the file goes to the default storage (local media, or
Cloudinary when configured) under a name nobody can guess.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from rgms.attendance.models import TrainingDay
from rgms.cadets.models import Cadet
from rgms.jobs.services import task_enqueue
from rgms.jobs.tasking import ProgressCallback, no_progress
from rgms.reports import renderers, selectors
from rgms.reports.models import Report
from rgms.users.models import User

logger = logging.getLogger(__name__)

Kind = Report.Kind
PDF, CSV = "application/pdf", "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_MEDIA_TYPES = (PDF, "text/csv", XLSX)

_FORMATS: dict[str, tuple[str, str]] = {
    Kind.CADET_GRADES_PDF: ("pdf", PDF),
    Kind.ATTENDANCE_DAY_PDF: ("pdf", PDF),
    Kind.ROSTER_PDF: ("pdf", PDF),
    Kind.ROSTER_CSV: ("csv", CSV),
    Kind.ROSTER_XLSX: ("xlsx", XLSX),
    Kind.ATTENDANCE_CSV: ("csv", CSV),
    Kind.ATTENDANCE_XLSX: ("xlsx", XLSX),
}
# The parameters each kind accepts: name -> (type, required).
_PARAMS: dict[str, dict[str, tuple[type, bool]]] = {
    Kind.CADET_GRADES_PDF: {"cadet_id": (int, True)},
    Kind.ATTENDANCE_DAY_PDF: {"training_day_id": (int, True)},
    Kind.ROSTER_PDF: {"include_archived": (bool, False)},
    Kind.ROSTER_CSV: {"include_archived": (bool, False)},
    Kind.ROSTER_XLSX: {"include_archived": (bool, False)},
    Kind.ATTENDANCE_CSV: {"training_day_id": (int, False)},
    Kind.ATTENDANCE_XLSX: {"training_day_id": (int, False)},
}


def report_params_clean(*, kind: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """The parameters of a kind, checked: known names, right types, rows that exist."""
    if kind not in _PARAMS:
        choices = ", ".join(Kind.values)
        raise ValidationError({"kind": [f'"{kind}" is not a report kind (one of {choices}).']})
    params = params or {}
    if not isinstance(params, dict):
        raise ValidationError({"params": ["Must be an object."]})
    spec = _PARAMS[kind]
    errors: dict[str, list[str]] = {}
    for name in params:
        if name not in spec:
            errors[name] = [f'"{name}" is not a parameter of {kind}.']
    cleaned: dict[str, Any] = {}
    for name, (expected, required) in spec.items():
        if name not in params or params[name] is None:
            if required:
                errors[name] = ["This parameter is required."]
            continue
        value = params[name]
        # bool is an int in Python; refuse True where an id is expected, and vice versa.
        if type(value) is not expected:
            errors[name] = [f"Must be {'an integer' if expected is int else 'true or false'}."]
            continue
        cleaned[name] = value
    if "cadet_id" in cleaned and not Cadet.objects.filter(pk=cleaned["cadet_id"]).exists():
        errors["cadet_id"] = [f"No cadet with id {cleaned['cadet_id']}."]
    if (
        "training_day_id" in cleaned
        and not TrainingDay.objects.filter(pk=cleaned["training_day_id"]).exists()
    ):
        errors["training_day_id"] = [f"No training day with id {cleaned['training_day_id']}."]
    if errors:
        raise ValidationError({f"params.{name}": reasons for name, reasons in errors.items()})
    return cleaned


def report_request(*, owner: User, kind: str, params: dict[str, Any] | None) -> Report:
    """Save the request and queue its generation once committed; answers at once."""
    from rgms.reports.tasks import report_generate as report_generate_task

    cleaned = report_params_clean(kind=kind, params=params)
    with transaction.atomic():
        report = Report.objects.create(owner=owner, kind=kind, params=cleaned)
        tracked = task_enqueue(
            task=report_generate_task, owner=owner, kwargs={"report_id": report.pk}
        )
        report.task_id = tracked.task_id
        report.save(update_fields=["task_id"])
    return report


@dataclass(frozen=True)
class Rendered:
    content: bytes
    stem: str
    row_count: int


def _render(report: Report, progress: ProgressCallback, now: datetime) -> Rendered:
    kind, params = report.kind, report.params
    stamp = f"{now:%Y%m%d-%H%M}"
    include_archived = bool(params.get("include_archived", False))
    day_id = params.get("training_day_id")
    if kind in (Kind.ROSTER_PDF, Kind.ROSTER_CSV, Kind.ROSTER_XLSX):
        total = selectors.roster_count(include_archived=include_archived)
        rows = selectors.roster_rows(include_archived=include_archived)
        if kind == Kind.ROSTER_PDF:
            content = renderers.roster_pdf(rows, total=total, generated_at=now, progress=progress)
        elif kind == Kind.ROSTER_CSV:
            records = (renderers.roster_record(row) for row in rows)
            content = renderers.to_csv(
                renderers.ROSTER_COLUMNS, records, total=total, progress=progress
            )
        else:
            records = (renderers.roster_record(row) for row in rows)
            content = renderers.to_xlsx(
                "Roster", renderers.ROSTER_COLUMNS, records, total=total, progress=progress
            )
        return Rendered(content, f"roster-{stamp}", total)
    if kind in (Kind.ATTENDANCE_CSV, Kind.ATTENDANCE_XLSX):
        total = selectors.attendance_count(training_day_id=day_id)
        records = (
            renderers.attendance_record(row)
            for row in selectors.attendance_rows(training_day_id=day_id)
        )
        if kind == Kind.ATTENDANCE_CSV:
            content = renderers.to_csv(
                renderers.ATTENDANCE_COLUMNS, records, total=total, progress=progress
            )
        else:
            content = renderers.to_xlsx(
                "Attendance", renderers.ATTENDANCE_COLUMNS, records, total=total, progress=progress
            )
        suffix = f"-day{day_id}" if day_id else ""
        return Rendered(content, f"attendance{suffix}-{stamp}", total)
    if kind == Kind.ATTENDANCE_DAY_PDF:
        training_day = TrainingDay.objects.get(pk=day_id)
        day = selectors.day_attendance_get(training_day=training_day)
        content = renderers.attendance_day_pdf(day, generated_at=now)
        progress(len(day.rows), len(day.rows))
        return Rendered(content, f"attendance-{training_day.date:%Y-%m-%d}", len(day.rows))
    if kind == Kind.CADET_GRADES_PDF:
        cadet = Cadet.objects.get(pk=params["cadet_id"])
        content = renderers.cadet_grades_pdf(
            selectors.cadet_grade_report_get(cadet=cadet), generated_at=now
        )
        progress(1, 1)
        return Rendered(content, f"grades-{cadet.student_id}", 1)
    raise ValueError(f"unknown report kind {kind!r}")


def report_file_name(report: Report, stem: str) -> str:
    """reports/<secret token>/<stem>.<ext>: the token (an HMAC of the id under SECRET_KEY)
    keeps the name unguessable where the storage serves files publicly (a CDN), and stable,
    so a second run of the same report overwrites instead of adding a file."""
    extension, _ = _FORMATS[report.kind]
    token = salted_hmac("rgms.reports.file", str(report.pk)).hexdigest()[:32]
    safe_stem = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in stem)
    return f"reports/{token}/{safe_stem}.{extension}"


def report_generate(*, report: Report, progress: ProgressCallback = no_progress) -> Report:
    """Generate the report's file once: a report already done is returned as it is."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status == Report.Status.DONE:
            return report
        report.status = Report.Status.RUNNING
        report.save(update_fields=["status"])

    now = timezone.now()
    try:
        rendered = _render(report, progress, now)
    except Exception as exc:
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}",
            finished_at=timezone.now(),
        )
        raise

    name = report_file_name(report, rendered.stem)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status == Report.Status.DONE:  # a duplicate run finished first
            return report
        if default_storage.exists(name):
            default_storage.delete(name)
        saved = default_storage.save(name, ContentFile(rendered.content))
        report.file.name = saved
        report.size = len(rendered.content)
        report.content_type = _FORMATS[report.kind][1]
        report.row_count = rendered.row_count
        report.status = Report.Status.DONE
        report.error = ""
        report.finished_at = timezone.now()
        report.save()
    logger.info("report %s (%s) generated: %d bytes", report.pk, report.kind, report.size)
    return report


def report_download_path(report: Report) -> str:
    return reverse("v1:report-download", kwargs={"pk": report.pk})


def report_result(report: Report) -> dict[str, Any]:
    """What the task returns (and the status endpoint shows): where to fetch the file."""
    return {
        "report_id": report.pk,
        "kind": report.kind,
        "status": report.status,
        "size": report.size,
        "content_type": report.content_type,
        "download_path": report_download_path(report),
    }


# DAILY REPORTS (beat)
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DailyReportsOutcome:
    date: str
    generated: list[int] = field(default_factory=list)
    already_done: list[int] = field(default_factory=list)


def generate_daily_reports(*, today: datetime | None = None) -> DailyReportsOutcome:
    """Yesterday's (UTC) attendance report, one per training day held that date, made once
    (a second run the same day finds them done)."""
    yesterday = (today or timezone.now()).astimezone(UTC).date() - timedelta(days=1)
    outcome = DailyReportsOutcome(date=yesterday.isoformat())
    for training_day in TrainingDay.objects.filter(date=yesterday).order_by("id"):
        params = {"training_day_id": training_day.pk}
        report = Report.objects.filter(
            owner=None, kind=Kind.ATTENDANCE_DAY_PDF, params=params
        ).first()
        if report is None:
            report = Report.objects.create(owner=None, kind=Kind.ATTENDANCE_DAY_PDF, params=params)
        if report.status == Report.Status.DONE:
            outcome.already_done.append(report.pk)
            continue
        report_generate(report=report)
        outcome.generated.append(report.pk)
    return outcome
