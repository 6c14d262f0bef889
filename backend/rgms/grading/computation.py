"""The legacy grade rule, as one pure function (legacy-schema.md, "Grade computation").

* Attendance, 30 %: attended / total training days x 30 (0 when there are no days), where
  attended counts records with status present, late or excused (one rule everywhere).
* Aptitude, 30 %: clamp(100 + merits - demerits, 0, 100) x 0.3.
* Subject proficiency, 40 %: (prelim + midterm + final) / 300 x 40.
* Final grade: the sum, not rounded.
* Transmutation: >= 95 -> 1.00, >= 90 -> 1.50, >= 85 -> 2.00, >= 80 -> 2.50, >= 75 -> 3.00,
  else 5.00; remarks "Passed", or "Failed" for 5.00. A grade status INC / DO / T
  (case-insensitive) gives no transmuted grade and remarks Incomplete / Dropped / Deferred.
* NULL (None) counts as 0 for every number.

Arithmetic is exact (``fractions.Fraction``), so a grade that is mathematically on a band
boundary (e.g. exactly 75) lands in the upper band; the legacy JavaScript used binary floats
and could fall one ulp short there. Results are handed out as ``float`` because the API
returns JSON numbers; the float is the exact value rounded once, at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

ATTENDANCE_WEIGHT = 30
APTITUDE_WEIGHT = Fraction(3, 10)
SUBJECT_WEIGHT = 40
SUBJECT_MAXIMUM = 300

# (lower bound inclusive, transmuted grade), highest first.
TRANSMUTATION: tuple[tuple[int, float], ...] = (
    (95, 1.00),
    (90, 1.50),
    (85, 2.00),
    (80, 2.50),
    (75, 3.00),
)
FAILING_GRADE = 5.00
PASSED, FAILED = "Passed", "Failed"

# Grade statuses that suspend the transmuted grade, by their upper-case spelling.
SPECIAL_STATUS_REMARKS = {"INC": "Incomplete", "DO": "Dropped", "T": "Deferred"}


@dataclass(frozen=True, slots=True)
class GradeResult:
    attendance_score: float
    aptitude_score: float
    subject_score: float
    final_grade: float
    transmuted_grade: float | None
    remarks: str

    def as_dict(self) -> dict[str, float | str | None]:
        return {
            "attendance_score": self.attendance_score,
            "aptitude_score": self.aptitude_score,
            "subject_score": self.subject_score,
            "final_grade": self.final_grade,
            "transmuted_grade": self.transmuted_grade,
            "remarks": self.remarks,
        }


def transmute(final_grade: Fraction | float | int) -> float:
    """The transmuted grade of a final grade (0-100)."""
    for lower_bound, grade in TRANSMUTATION:
        if final_grade >= lower_bound:
            return grade
    return FAILING_GRADE


def compute_grade(
    *,
    attended: int | None,
    total_days: int | None,
    merit_points: int | None,
    demerit_points: int | None,
    prelim_score: int | None,
    midterm_score: int | None,
    final_score: int | None,
    status: str | None = None,
) -> GradeResult:
    """Apply the legacy rule to one cadet's numbers (None counts as 0)."""
    days = total_days or 0
    attendance = Fraction(attended or 0, days) * ATTENDANCE_WEIGHT if days > 0 else Fraction(0)
    aptitude_base = min(max(100 + (merit_points or 0) - (demerit_points or 0), 0), 100)
    aptitude = aptitude_base * APTITUDE_WEIGHT
    subject_total = (prelim_score or 0) + (midterm_score or 0) + (final_score or 0)
    subject = Fraction(subject_total, SUBJECT_MAXIMUM) * SUBJECT_WEIGHT
    final = attendance + aptitude + subject

    special = SPECIAL_STATUS_REMARKS.get((status or "").upper())
    if special is not None:
        transmuted: float | None = None
        remarks = special
    else:
        transmuted = transmute(final)
        remarks = FAILED if transmuted == FAILING_GRADE else PASSED
    return GradeResult(
        attendance_score=float(attendance),
        aptitude_score=float(aptitude),
        subject_score=float(subject),
        final_grade=float(final),
        transmuted_grade=transmuted,
        remarks=remarks,
    )
