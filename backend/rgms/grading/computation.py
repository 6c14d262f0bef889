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

Arithmetic is exact, so a grade that is mathematically on a band boundary (e.g. exactly 75)
lands in the upper band; the legacy JavaScript used binary floats and could fall one ulp short
there. Every part is a whole number of 1/L, where L = lcm(days, 30), so the sums and the band
comparisons are done in integers (a roster page computes 100 grades per request, and
``fractions.Fraction`` cost a third of the page's time). Results are handed out as ``float``
because the API returns JSON numbers; each float is the exact value rounded once, at the end
(an int divided by an int is correctly rounded in Python, as ``float(Fraction)`` is).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

ATTENDANCE_WEIGHT = 30  # attended / days x 30
APTITUDE_WEIGHT = (3, 10)  # clamped aptitude x 3/10
SUBJECT_WEIGHT = (2, 15)  # (prelim + midterm + final) / 300 x 40 = total x 2/15
# Every part is a whole multiple of 1 / lcm(days, 30): 30 is a multiple of 10 and of 15.
BASE_DENOMINATOR = 30

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
    # Each part as a numerator over `scale` (an exact integer multiple of every denominator).
    scale = math.lcm(days, BASE_DENOMINATOR) if days > 0 else BASE_DENOMINATOR
    attended_numerator = (attended or 0) * ATTENDANCE_WEIGHT if days > 0 else 0
    aptitude_base = min(max(100 + (merit_points or 0) - (demerit_points or 0), 0), 100)
    subject_total = (prelim_score or 0) + (midterm_score or 0) + (final_score or 0)
    aptitude_numerator = aptitude_base * APTITUDE_WEIGHT[0]
    subject_numerator = subject_total * SUBJECT_WEIGHT[0]
    final = (
        (attended_numerator * (scale // days) if days > 0 else 0)
        + aptitude_numerator * (scale // APTITUDE_WEIGHT[1])
        + subject_numerator * (scale // SUBJECT_WEIGHT[1])
    )

    special = SPECIAL_STATUS_REMARKS.get((status or "").upper())
    if special is not None:
        transmuted: float | None = None
        remarks = special
    else:
        transmuted = next(
            (grade for bound, grade in TRANSMUTATION if final >= bound * scale), FAILING_GRADE
        )
        remarks = FAILED if transmuted == FAILING_GRADE else PASSED
    return GradeResult(
        attendance_score=attended_numerator / days if days > 0 else 0.0,
        aptitude_score=aptitude_numerator / APTITUDE_WEIGHT[1],
        subject_score=subject_numerator / SUBJECT_WEIGHT[1],
        final_grade=final / scale,
        transmuted_grade=transmuted,
        remarks=remarks,
    )
