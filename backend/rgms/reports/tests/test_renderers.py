from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from rgms.grading.computation import compute_grade
from rgms.reports import renderers
from rgms.reports.selectors import AttendanceRow, RosterRow

NOW = datetime(2025, 3, 2, 6, 0, tzinfo=UTC)


def roster_row(**overrides) -> RosterRow:
    values = {
        "cadet_id": 1,
        "student_id": "2025-00001",
        "last_name": "Cruz",
        "first_name": "Ana",
        "middle_name": "",
        "company": "Alpha",
        "platoon": "1",
        "course": "BSIT",
        "year_level": "1",
        "cadet_status": "Ongoing",
        "attendance_present": 14,
        "total_days": 15,
        "merit_points": 19,
        "demerit_points": 5,
        "prelim_score": 86,
        "midterm_score": 80,
        "final_score": 64,
        "grade_status": "active",
    }
    values.update(overrides)
    grade = compute_grade(
        attended=values["attendance_present"],
        total_days=values["total_days"],
        merit_points=values["merit_points"],
        demerit_points=values["demerit_points"],
        prelim_score=values["prelim_score"],
        midterm_score=values["midterm_score"],
        final_score=values["final_score"],
        status=values["grade_status"],
    )
    return RosterRow(**values, grade=grade)


def ignore(current: int, total: int) -> None:
    pass


def test_roster_csv_has_header_numbers_and_neutralised_formulas():
    rows = [roster_row(), roster_row(last_name='=HYPERLINK("http://x")', student_id="2")]

    content = renderers.to_csv(
        renderers.ROSTER_COLUMNS,
        (renderers.roster_record(row) for row in rows),
        total=2,
        progress=ignore,
    )

    assert content.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    parsed = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert list(parsed[0]) == list(renderers.ROSTER_COLUMNS)
    assert float(parsed[0]["final_grade"]) == pytest.approx(88.667, abs=1e-3)
    assert parsed[0]["transmuted_grade"] == "2.0"
    assert parsed[0]["remarks"] == "Passed"
    assert parsed[1]["last_name"].startswith("'=")


def test_roster_xlsx_keeps_numbers_as_numbers():
    progress = []
    content = renderers.to_xlsx(
        "Roster",
        renderers.ROSTER_COLUMNS,
        (renderers.roster_record(row) for row in [roster_row(), roster_row(grade_status="INC")]),
        total=2,
        progress=lambda current, total: progress.append((current, total)),
    )

    sheet = load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    second = dict(zip(header, [cell.value for cell in sheet[3]], strict=True))
    assert sheet.title == "Roster"
    assert first["merit_points"] == 19
    assert first["final_grade"] == pytest.approx(88.667, abs=1e-3)
    assert second["transmuted_grade"] is None
    assert second["remarks"] == "Incomplete"
    assert progress[-1] == (2, 2)


def test_roster_xlsx_shows_control_characters_instead_of_failing():
    # given a legacy name holding a control character (openpyxl refuses it in a cell)
    row = roster_row(last_name="Cruz\x0e\x04", first_name="=Ana")

    # when the roster is exported to Excel
    content = renderers.to_xlsx(
        "Roster",
        renderers.ROSTER_COLUMNS,
        [renderers.roster_record(row)],
        total=1,
        progress=ignore,
    )

    # then the export succeeds, the characters are visible, formulas still neutralised
    sheet = load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert first["last_name"] == "Cruz\ufffd\ufffd"
    assert first["first_name"] == "'=Ana"


def test_attendance_csv_rows():
    row = AttendanceRow(
        date=date(2025, 3, 1),
        training_day="Drill",
        student_id="1",
        last_name="Cruz",
        first_name="Ana",
        company="A",
        platoon="1",
        status="late",
        time_in="7:05 AM",
        time_out="",
        remarks="",
    )
    content = renderers.to_csv(
        renderers.ATTENDANCE_COLUMNS,
        [renderers.attendance_record(row)],
        total=1,
        progress=ignore,
    )
    parsed = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert parsed == [
        {
            "date": "2025-03-01",
            "training_day": "Drill",
            "student_id": "1",
            "last_name": "Cruz",
            "first_name": "Ana",
            "company": "A",
            "platoon": "1",
            "status": "late",
            "time_in": "7:05 AM",
            "time_out": "",
            "remarks": "",
        }
    ]


def test_roster_pdf_is_a_pdf_with_every_cadet():
    rows = [roster_row(student_id=f"2025-{n:05d}") for n in range(120)]

    content = renderers.roster_pdf(iter(rows), total=120, generated_at=NOW, progress=ignore)

    assert content.startswith(b"%PDF-")
    assert content.rstrip().endswith(b"%%EOF")
    pages = int(re.search(rb"/Count (\d+)", content).group(1))
    assert pages >= 2  # 120 rows do not fit one landscape page
