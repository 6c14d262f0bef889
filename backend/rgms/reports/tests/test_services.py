from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from rgms.reports import services
from rgms.reports.models import Report
from rgms.reports.tests.factories import (
    AttendanceRecordFactory,
    GradeFactory,
    ReportFactory,
    TrainingDayFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "params", "field"),
    [
        ("nonsense", {}, "kind"),
        ("cadet_grades_pdf", {}, "params.cadet_id"),
        ("cadet_grades_pdf", {"cadet_id": "1"}, "params.cadet_id"),
        ("cadet_grades_pdf", {"cadet_id": 999999}, "params.cadet_id"),
        ("attendance_day_pdf", {"training_day_id": True}, "params.training_day_id"),
        ("roster_pdf", {"include_archived": 1}, "params.include_archived"),
        ("roster_csv", {"colour": "red"}, "params.colour"),
    ],
)
def test_params_are_checked(kind, params, field):
    with pytest.raises(ValidationError) as error:
        services.report_params_clean(kind=kind, params=params)

    assert field in error.value.message_dict


def test_generate_stores_the_file_once_and_is_idempotent(staff_user):
    # given a roster with one graded cadet
    GradeFactory(cadet__last_name="Cruz", prelim_score=90)
    report = ReportFactory(owner=staff_user, kind=Report.Kind.ROSTER_CSV)
    progress = []

    # when it is generated, then generated again (a redelivered task)
    done = services.report_generate(report=report, progress=lambda *p: progress.append(p))
    name, finished = done.file.name, done.finished_at
    again = services.report_generate(report=done)

    # then one file, stored once, under an unguessable name, readable as CSV
    assert done.status == Report.Status.DONE
    assert (again.file.name, again.finished_at) == (name, finished)
    assert name.startswith("reports/")
    assert len(name.split("/")[1]) == 32
    assert default_storage.exists(name)
    assert done.row_count == 1
    assert done.size == default_storage.size(name)
    with default_storage.open(name) as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert rows[0]["last_name"] == "Cruz"
    assert progress[-1] == (1, 1)


def test_a_failed_generation_is_recorded(staff_user, monkeypatch):
    report = ReportFactory(owner=staff_user, kind=Report.Kind.ROSTER_PDF)

    def broken(*args, **kwargs):
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(services.renderers, "roster_pdf", broken)

    with pytest.raises(RuntimeError):
        services.report_generate(report=report)

    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.error == "RuntimeError: renderer exploded"
    assert not report.file


@pytest.mark.parametrize(
    ("kind", "magic"),
    [
        (Report.Kind.ROSTER_PDF, b"%PDF-"),
        (Report.Kind.ROSTER_XLSX, b"PK\x03\x04"),
        (Report.Kind.ATTENDANCE_CSV, b"\xef\xbb\xbfdate,"),
        (Report.Kind.ATTENDANCE_XLSX, b"PK\x03\x04"),
    ],
)
def test_every_kind_renders(staff_user, kind, magic):
    record = AttendanceRecordFactory()
    GradeFactory(cadet=record.cadet)

    done = services.report_generate(report=ReportFactory(owner=staff_user, kind=kind))

    with done.file.open("rb") as handle:
        assert handle.read().startswith(magic)


def test_cadet_and_day_pdfs(staff_user):
    record = AttendanceRecordFactory(status="excused")
    GradeFactory(cadet=record.cadet, merit_points=3)

    cadet_report = services.report_generate(
        report=ReportFactory(
            owner=staff_user,
            kind=Report.Kind.CADET_GRADES_PDF,
            params={"cadet_id": record.cadet_id},
        )
    )
    day_report = services.report_generate(
        report=ReportFactory(
            owner=staff_user,
            kind=Report.Kind.ATTENDANCE_DAY_PDF,
            params={"training_day_id": record.training_day_id},
        )
    )

    assert cadet_report.file.name.endswith(f"grades-{record.cadet.student_id}.pdf")
    assert day_report.file.name.endswith(f"attendance-{record.training_day.date}.pdf")
    assert day_report.row_count == 1


def test_daily_reports_cover_yesterday_once():
    # given training days yesterday (two) and today
    yesterday, today = date(2025, 3, 1), date(2025, 3, 2)
    first = TrainingDayFactory(date=yesterday)
    second = TrainingDayFactory(date=yesterday)
    TrainingDayFactory(date=today)
    AttendanceRecordFactory(training_day=first)
    at_six = datetime(2025, 3, 2, 6, 0, tzinfo=UTC)

    # when beat runs it twice
    outcome = services.generate_daily_reports(today=at_six)
    rerun = services.generate_daily_reports(today=at_six)

    # then two system reports, made once
    reports = Report.objects.filter(owner=None, kind=Report.Kind.ATTENDANCE_DAY_PDF)
    assert outcome.date == "2025-03-01"
    assert sorted(r.params["training_day_id"] for r in reports) == [first.pk, second.pk]
    assert all(r.status == Report.Status.DONE for r in reports)
    assert outcome.generated == sorted(outcome.generated)
    assert len(outcome.generated) == 2
    assert rerun.generated == []
    assert sorted(rerun.already_done) == sorted(outcome.generated)


def test_daily_reports_without_training_days_do_nothing():
    outcome = services.generate_daily_reports(today=datetime(2025, 3, 2, 6, 0, tzinfo=UTC))

    assert (outcome.generated, outcome.already_done) == ([], [])
    assert not Report.objects.exists()
