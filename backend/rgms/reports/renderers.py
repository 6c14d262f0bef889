"""Turning report rows into file bytes: PDF (reportlab), CSV and Excel (openpyxl).

Pure functions of their input (no database); ``services.py`` feeds them selector rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from rgms.reports.selectors import AttendanceRow, CadetGradeReport, DayAttendance, RosterRow

ProgressCallback = Callable[[int, int], None]

# Spreadsheet formula injection: a cell starting with one of these would be run as a formula
# by Excel or LibreOffice; a leading apostrophe makes it text (OWASP "CSV injection").
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

ROSTER_COLUMNS: tuple[str, ...] = (
    "student_id",
    "last_name",
    "first_name",
    "middle_name",
    "company",
    "platoon",
    "course",
    "year_level",
    "cadet_status",
    "attendance_present",
    "total_training_days",
    "merit_points",
    "demerit_points",
    "prelim_score",
    "midterm_score",
    "final_score",
    "grade_status",
    "attendance_score",
    "aptitude_score",
    "subject_score",
    "final_grade",
    "transmuted_grade",
    "remarks",
)
ATTENDANCE_COLUMNS: tuple[str, ...] = (
    "date",
    "training_day",
    "student_id",
    "last_name",
    "first_name",
    "company",
    "platoon",
    "status",
    "time_in",
    "time_out",
    "remarks",
)


def safe_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def xlsx_text(value: Any) -> Any:
    """safe_text, and the control characters a worksheet cannot hold (openpyxl refuses them,
    which failed the whole export) shown as U+FFFD instead."""
    value = safe_text(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def roster_record(row: RosterRow) -> tuple[Any, ...]:
    grade = row.grade
    return (
        row.student_id,
        row.last_name,
        row.first_name,
        row.middle_name,
        row.company,
        row.platoon,
        row.course,
        row.year_level,
        row.cadet_status,
        row.attendance_present,
        row.total_days,
        row.merit_points,
        row.demerit_points,
        row.prelim_score,
        row.midterm_score,
        row.final_score,
        row.grade_status,
        grade.attendance_score,
        grade.aptitude_score,
        grade.subject_score,
        grade.final_grade,
        grade.transmuted_grade,
        grade.remarks,
    )


def attendance_record(row: AttendanceRow) -> tuple[Any, ...]:
    return (
        row.date.isoformat(),
        row.training_day,
        row.student_id,
        row.last_name,
        row.first_name,
        row.company,
        row.platoon,
        row.status,
        row.time_in,
        row.time_out,
        row.remarks,
    )


def _tracked(
    records: Iterable[tuple[Any, ...]], total: int, progress: ProgressCallback
) -> Iterable[tuple[Any, ...]]:
    done = 0
    for done, record in enumerate(records, start=1):
        yield record
        if done % 250 == 0:
            progress(done, total)
    progress(done, total)


# CSV AND EXCEL
# ------------------------------------------------------------------------------


def to_csv(
    columns: Sequence[str],
    records: Iterable[tuple[Any, ...]],
    *,
    total: int,
    progress: ProgressCallback,
) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens names with accents correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for record in _tracked(records, total, progress):
        writer.writerow(["" if value is None else safe_text(value) for value in record])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(
    title: str,
    columns: Sequence[str],
    records: Iterable[tuple[Any, ...]],
    *,
    total: int,
    progress: ProgressCallback,
) -> bytes:
    """A write-only workbook (constant memory per row): bold header, frozen first row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for record in _tracked(records, total, progress):
        sheet.append([xlsx_text(value) for value in record])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# PDF
# ------------------------------------------------------------------------------

_styles = getSampleStyleSheet()
_GRID = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f3b2d")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#eef2ee")]),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9aa79d")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
)


def _footer(generated_at: datetime) -> Callable[[Any, Any], None]:
    stamp = f"RGMS - generated {generated_at:%Y-%m-%d %H:%M} UTC"

    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(doc.leftMargin, 8 * mm, stamp)
        canvas.drawRightString(
            doc.pagesize[0] - doc.rightMargin, 8 * mm, f"page {canvas.getPageNumber()}"
        )
        canvas.restoreState()

    return draw


def _pdf(story: list[Any], *, title: str, generated_at: datetime, wide: bool) -> bytes:
    buffer = io.BytesIO()
    pagesize = landscape(A4) if wide else A4
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        title=title,
        author="RGMS",
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=14 * mm,
    )
    footer = _footer(generated_at)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _heading(text: str) -> Paragraph:
    return Paragraph(text, _styles["Heading2"])


def _note(text: str) -> Paragraph:
    return Paragraph(text, _styles["Normal"])


def _escape(value: Any) -> str:
    return (
        str(value if value is not None else "")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def _num(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def roster_pdf(
    rows: Iterable[RosterRow], *, total: int, generated_at: datetime, progress: ProgressCallback
) -> bytes:
    """The full roster, one line per cadet, with the computed grade."""
    header = [
        "Student ID",
        "Name",
        "Coy",
        "Plt",
        "Attend.",
        "Merit",
        "Demerit",
        "Prelim",
        "Midterm",
        "Final",
        "Grade",
        "Transm.",
        "Remarks",
    ]
    data: list[list[Any]] = [header]
    done = 0
    for done, row in enumerate(rows, start=1):
        name = f"{row.last_name}, {row.first_name} {row.middle_name}".strip()
        data.append(
            [
                row.student_id,
                name[:42],
                row.company[:8],
                row.platoon[:8],
                f"{row.attendance_present}/{row.total_days}",
                row.merit_points,
                row.demerit_points,
                row.prelim_score,
                row.midterm_score,
                row.final_score,
                _num(row.grade.final_grade),
                _num(row.grade.transmuted_grade),
                row.grade.remarks,
            ]
        )
        if done % 500 == 0:
            progress(done, total)
    table = LongTable(data, repeatRows=1)
    table.setStyle(_GRID)
    story = [
        _heading("Cadet roster and grades"),
        _note(f"{done} cadets. Grade = attendance 30% + aptitude 30% + subjects 40%."),
        Spacer(1, 4 * mm),
        table,
    ]
    content = _pdf(story, title="Cadet roster", generated_at=generated_at, wide=True)
    progress(done, total)
    return content


def attendance_day_pdf(day: DayAttendance, *, generated_at: datetime) -> bytes:
    training_day = day.training_day
    summary = ", ".join(f"{status}: {count}" for status, count in sorted(day.counts.items()))
    data: list[list[Any]] = [
        ["Student ID", "Name", "Coy", "Plt", "Status", "Time in", "Time out"],
        *(
            [
                row.student_id,
                f"{row.last_name}, {row.first_name}"[:48],
                row.company[:8],
                row.platoon[:8],
                row.status,
                row.time_in,
                row.time_out,
            ]
            for row in day.rows
        ),
    ]
    table = LongTable(data, repeatRows=1)
    table.setStyle(_GRID)
    story = [
        _heading(f"Attendance: {_escape(training_day.title)} ({training_day.date:%Y-%m-%d})"),
        _note(_escape(summary) or "No cadets."),
        Spacer(1, 4 * mm),
        table,
    ]
    return _pdf(
        story,
        title=f"Attendance {training_day.date:%Y-%m-%d}",
        generated_at=generated_at,
        wide=False,
    )


def cadet_grades_pdf(report: CadetGradeReport, *, generated_at: datetime) -> bytes:
    cadet = report.cadet
    grade = report.grade
    summary = Table(
        [
            ["Component", "Basis", "Score"],
            [
                "Attendance (30%)",
                f"{report.attended} of {report.total_days} training days",
                _num(grade.attendance_score, 3),
            ],
            [
                "Aptitude (30%)",
                f"100 + {report.merit_points} merits - {report.demerit_points} demerits",
                _num(grade.aptitude_score, 3),
            ],
            [
                "Subjects (40%)",
                f"{report.prelim_score} + {report.midterm_score} + {report.final_score} of 300",
                _num(grade.subject_score, 3),
            ],
            ["Final grade", "", _num(grade.final_grade, 3)],
            ["Transmuted", grade.remarks, _num(grade.transmuted_grade)],
        ],
        colWidths=[40 * mm, 95 * mm, 30 * mm],
    )
    summary.setStyle(_GRID)
    attendance = Table(
        [
            ["Date", "Training day", "Status", "Time in", "Time out"],
            *(
                [
                    row.date.isoformat(),
                    row.training_day[:50],
                    row.status,
                    row.time_in,
                    row.time_out,
                ]
                for row in report.attendance
            ),
        ],
        repeatRows=1,
    )
    attendance.setStyle(_GRID)
    ledger = Table(
        [
            ["Date", "Type", "Points", "Reason", "Issued by"],
            *(
                [
                    entry["date_recorded"].strftime("%Y-%m-%d") if entry["date_recorded"] else "",
                    entry["type"],
                    entry["points"],
                    (entry["reason"] or "")[:60],
                    (entry["issued_by_name"] or "")[:30],
                ]
                for entry in report.ledger
            ),
        ],
        repeatRows=1,
    )
    ledger.setStyle(_GRID)
    name = f"{cadet.last_name}, {cadet.first_name} {cadet.middle_name or ''}".strip()
    story = [
        _heading(f"Grade report: {_escape(name)}"),
        _note(
            f"Student ID {_escape(cadet.student_id)} - company {_escape(cadet.company or '-')}, "
            f"platoon {_escape(cadet.platoon or '-')} - grade status {_escape(report.grade_status)}"
        ),
        Spacer(1, 4 * mm),
        summary,
        Spacer(1, 6 * mm),
        _heading("Attendance"),
        attendance,
        Spacer(1, 6 * mm),
        _heading("Merits and demerits"),
        ledger,
    ]
    return _pdf(
        story, title=f"Grade report {cadet.student_id}", generated_at=generated_at, wide=False
    )
