"""Writes of grades and the merit/demerit ledger.

Every merit/demerit change is a ledger row with an audit record and a sync event, written here
as the legacy database trigger wrote them (event type ``merit_added`` / ``demerit_added``,
payload ``{log_id, points, reason}``, the names the migrated history uses). Importing history
goes through the migration toolkit's bulk writes, never through these services, so it creates
no new audit rows or sync events. The cadet's grade row and lifetime merits change in the same
transaction, under a row lock, and the cadet is notified once it commits. Lifetime merits only
ever go up, as in the legacy app: ledger merits add to them, nothing subtracts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction

from rgms.attendance.models import ATTENDED_STATUSES
from rgms.audit.models import SyncEvent
from rgms.audit.services import audit_record
from rgms.cadets.caching import cadet_reads_invalidate
from rgms.cadets.models import Cadet
from rgms.cadets.services import cadet_notify
from rgms.core import cache
from rgms.grading.models import Grade, MeritDemeritLog
from rgms.users.models import User

SCORE_FIELDS = ("prelim_score", "midterm_score", "final_score")
STATUS_SPELLINGS = {status.upper(): status for status in Grade.Status.values}


def grade_status_normalize(value: str) -> str:
    """The canonical spelling of a grade status given in any case (active, INC, DO, T)."""
    return STATUS_SPELLINGS[value.strip().upper()]


def _issuer_name(user: User | None) -> str | None:
    if user is None:
        return None
    staff = user.staff if user.staff_id else None
    if staff is not None:
        return " ".join(part for part in (staff.rank, staff.first_name, staff.last_name) if part)
    return user.username


_WRITABLE_COLUMNS = frozenset(
    (*SCORE_FIELDS, "status", "merit_points", "demerit_points", "lifetime_merit_points")
)


def _grade_save(grade: Grade, fields: Iterable[str]) -> None:
    """Write these columns of a locked grade row in one UPDATE (hand-written: the ORM's
    save() spent more CPU building it than PostgreSQL spent running it)."""
    columns = list(dict.fromkeys(fields))
    if not _WRITABLE_COLUMNS.issuperset(columns):
        raise ValueError(f"not a writable grade column: {set(columns) - _WRITABLE_COLUMNS}")
    assignments = ", ".join(f"{column} = %s" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE grading_grade SET {assignments} WHERE id = %s",  # noqa: S608 (fixed names)
            [*(getattr(grade, column) for column in columns), grade.pk],
        )


def grade_for_update(*, cadet_id: int) -> Grade:
    """The cadet's grade row, locked for this transaction (created when missing)."""
    grade, _ = Grade.objects.select_for_update().get_or_create(cadet_id=cadet_id)
    return grade


def _ledger_record(
    *,
    cadet_id: int,
    type: str,
    points: int,
    reason: str | None,
    issued_by: User | None,
) -> MeritDemeritLog:
    log = MeritDemeritLog.objects.create(
        cadet_id=cadet_id,
        type=type,
        points=points,
        reason=reason,
        issued_by_user=issued_by,
        issued_by_name=_issuer_name(issued_by),
    )
    audit_record(
        table_name="merit_demerit_logs",
        operation="INSERT",
        record_id=log.pk,
        user_id=issued_by.pk if issued_by else None,
        payload={
            "id": log.pk,
            "cadet_id": cadet_id,
            "type": type,
            "points": points,
            "reason": reason,
            "issued_by_user_id": issued_by.pk if issued_by else None,
            "issued_by_name": log.issued_by_name,
            "date_recorded": log.date_recorded.isoformat() if log.date_recorded else None,
        },
    )
    SyncEvent.objects.create(
        event_type=f"{type}_added",
        cadet_id=cadet_id,
        payload={"log_id": log.pk, "points": points, "reason": reason},
    )
    return log


@transaction.atomic
def merit_demerit_log_create(
    *,
    cadet: Cadet,
    type: str,
    points: int,
    reason: str | None,
    issued_by: User | None,
) -> MeritDemeritLog:
    """Record merits or demerits: a ledger row (+ audit), the grade row and lifetime merits
    updated together, and a notification to the cadet."""
    grade = grade_for_update(cadet_id=cadet.pk)
    log = _ledger_record(
        cadet_id=cadet.pk, type=type, points=points, reason=reason, issued_by=issued_by
    )
    if type == MeritDemeritLog.Type.MERIT:
        grade.merit_points = (grade.merit_points or 0) + points
        grade.lifetime_merit_points = (grade.lifetime_merit_points or 0) + points
    else:
        grade.demerit_points = (grade.demerit_points or 0) + points
    _grade_save(grade, ["merit_points", "demerit_points", "lifetime_merit_points"])
    cadet_notify(
        cadet_id=cadet.pk,
        message=f"You received {points} {type} point{'s' if points != 1 else ''}"
        + (f": {reason}" if reason else "."),
        type="grade",
    )
    cadet_reads_invalidate(cadet_ids=[cadet.pk])
    return log


# The grade row, locked, with the cadet's fields its API row shows (GRADE_EXTRA).
_LOCK_GRADE_SQL = """
SELECT grade.*,
       cadet.student_id, cadet.first_name, cadet.last_name, cadet.company, cadet.platoon
FROM grading_grade AS grade JOIN cadets_cadet AS cadet ON cadet.id = grade.cadet_id
WHERE grade.id = %s
FOR UPDATE OF grade
"""


def _grade_locked(grade_id: int) -> Grade | None:
    """The grade row locked for this transaction, the cadet's fields its API row shows
    attached as attributes (`student_id`, ...); None when there is no such grade."""
    return next(iter(Grade.objects.raw(_LOCK_GRADE_SQL, [grade_id])), None)


@transaction.atomic
@cache.invalidations_together()
def grade_update(*, grade_id: int, data: dict[str, Any], updated_by: User | None) -> Grade | None:
    """Update scores, status and merit/demerit totals; the grade as it now is (with its
    cadet's fields, for selectors.grade_row), or None when there is no such grade. A change
    of the merit or demerit total is recorded as a ledger row holding the difference (legacy
    admin grade update)."""
    grade = _grade_locked(grade_id)
    if grade is None:
        return None
    changed: list[str] = []
    for field in (*SCORE_FIELDS, "status"):
        if field in data and getattr(grade, field) != data[field]:
            setattr(grade, field, data[field])
            changed.append(field)
    for field, type in (
        ("merit_points", MeritDemeritLog.Type.MERIT),
        ("demerit_points", MeritDemeritLog.Type.DEMERIT),
    ):
        if field not in data:
            continue
        difference = data[field] - (getattr(grade, field) or 0)
        if difference == 0 and getattr(grade, field) is not None:
            continue
        setattr(grade, field, data[field])
        changed.append(field)
        if difference != 0:
            _ledger_record(
                cadet_id=grade.cadet_id,
                type=type,
                points=difference,
                reason="Grade adjustment",
                issued_by=updated_by,
            )
            if type == MeritDemeritLog.Type.MERIT and difference > 0:
                grade.lifetime_merit_points = (grade.lifetime_merit_points or 0) + difference
                changed.append("lifetime_merit_points")
    if not changed:
        return grade
    _grade_save(grade, changed)
    audit_record(
        table_name="grades",
        operation="UPDATE",
        record_id=grade.pk,
        user_id=updated_by.pk if updated_by else None,
        payload={field: getattr(grade, field) for field in changed},
    )
    cadet_notify(cadet_id=grade.cadet_id, message="Your grades have been updated.", type="grade")
    cadet_reads_invalidate(cadet_ids=[grade.cadet_id])
    return grade


# Hand-written SQL for the statements every attendance write runs (the ORM spent more CPU
# building them than PostgreSQL spent running them; docs/benchmarks/api-throughput.md).
_LOCK_SQL = """
SELECT cadet_id FROM grading_grade WHERE cadet_id = ANY(%s) ORDER BY cadet_id FOR UPDATE
"""
# The attended days of each cadet (one rule: ATTENDED_STATUSES), written only where wrong.
_RECOUNT_SQL = """
UPDATE grading_grade AS grade
SET attendance_present = counted.attended
FROM (
    SELECT target.cadet_id, (
        SELECT count(*) FROM attendance_attendancerecord AS record
        WHERE record.cadet_id = target.cadet_id AND record.status = ANY(%(attended)s)
    ) AS attended
    FROM grading_grade AS target
    {where}
) AS counted
WHERE grade.cadet_id = counted.cadet_id
  AND grade.attendance_present IS DISTINCT FROM counted.attended
RETURNING grade.cadet_id
"""


def _locked(ids: list[int]) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL, [ids])
        return {cadet_id for (cadet_id,) in cursor.fetchall()}


def grade_lock(*, cadet_ids: Iterable[int]) -> list[int]:
    """Lock the grade rows of these cadets for this transaction, in cadet order, creating the
    missing ones; returns the sorted cadet ids.

    Every write that changes a cadet's attendance records takes this lock first, before
    touching the records: concurrent marks of one cadet then run one after the other (each
    recount sees the other's record), and all paths take locks in the same order (grade rows,
    then records), so they cannot deadlock each other."""
    ids = sorted(set(cadet_ids))
    if not ids:
        return ids
    locked = _locked(ids)
    missing = [pk for pk in ids if pk not in locked]
    if missing:
        Grade.objects.bulk_create([Grade(cadet_id=pk) for pk in missing], ignore_conflicts=True)
        _locked(missing)
    return ids


def _recount(cadet_ids: list[int] | None) -> list[int]:
    """Recount the attended days of these cadets (all when None); the cadet ids changed."""
    where = "" if cadet_ids is None else "WHERE target.cadet_id = ANY(%(ids)s)"
    with connection.cursor() as cursor:
        cursor.execute(
            _RECOUNT_SQL.format(where=where),
            {"attended": [str(status) for status in ATTENDED_STATUSES], "ids": cadet_ids},
        )
        return [cadet_id for (cadet_id,) in cursor.fetchall()]


@transaction.atomic(savepoint=False)
def grade_attendance_recount(
    *, cadet_ids: Iterable[int], invalidate: bool = True, locked: bool = False
) -> int:
    """Set grades.attendance_present to the number of attended records (present, late or
    excused) for these cadets, creating missing grade rows. Returns the number of rows whose
    stored value was wrong.

    The grade rows are locked first (a no-op when the caller already holds the lock), so the
    count, a later statement, starts after any concurrent mark of the same cadet has
    committed and sees its record. One UPDATE touches only the rows that are wrong. Callers
    that hold the lock already pass ``locked=True``; callers that drop the cadets' cached
    reads themselves pass ``invalidate=False``."""
    ids = sorted(set(cadet_ids)) if locked else grade_lock(cadet_ids=cadet_ids)
    if not ids:
        return 0
    changed = len(_recount(ids))
    if changed and invalidate:
        cadet_reads_invalidate(cadet_ids=ids)
    return changed


def grade_rows_ensure(*, cadet_ids: Iterable[int] | None = None) -> int:
    """Create the missing grade rows (one per cadet) of these cadets, or of every cadet;
    returns how many were created."""
    cadets = Cadet.objects.filter(grade__isnull=True)
    if cadet_ids is not None:
        cadets = cadets.filter(pk__in=list(cadet_ids))
    missing = list(cadets.values_list("pk", flat=True))
    if not missing:
        return 0
    created = Grade.objects.bulk_create(
        [Grade(cadet_id=pk) for pk in missing], ignore_conflicts=True
    )
    return len(created)


def grade_attendance_sync(*, cadet_ids: Iterable[int] | None = None) -> int:
    """Fix drift between grades.attendance_present and the attendance records, for the given
    cadets or for everyone; one UPDATE touching only the rows that are wrong. Returns how many
    rows changed (and drops the cached reads when any did)."""
    changed_ids = _recount(None if cadet_ids is None else sorted(set(cadet_ids)))
    if changed_ids:
        cadet_reads_invalidate(cadet_ids=changed_ids)
    return len(changed_ids)
