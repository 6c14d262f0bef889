"""Writes of training days, attendance (cadets and staff) and excuse letters.

Marking a cadet's attendance is an upsert on (training day, cadet); afterwards the cadet's
grades.attendance_present is recounted with the one attended rule (present, late or
excused), the cadet is notified, and the cached roster and profile are dropped on commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from rgms.attendance.models import (
    AttendanceRecord,
    AttendanceStatus,
    ExcuseLetter,
    StaffAttendanceRecord,
    TrainingDay,
)
from rgms.cadets.caching import cadet_reads_invalidate
from rgms.cadets.models import Cadet
from rgms.cadets.services import cadet_notify, cadet_notify_many
from rgms.core import cache
from rgms.core.exceptions import Conflict, NotAllowed
from rgms.grading.services import (
    grade_attendance_recount,
    grade_attendance_sync,
    grade_lock,
    grade_rows_ensure,
)
from rgms.staff.models import Staff
from rgms.users.models import User

logger = logging.getLogger(__name__)

RECORD_FIELDS = ("status", "remarks", "time_in", "time_out")


# Training days ------------------------------------------------------------------------------


@transaction.atomic
def training_day_create(*, data: dict[str, Any]) -> TrainingDay:
    day = TrainingDay.objects.create(**data)
    # Every attendance score depends on the number of training days.
    cadet_reads_invalidate(training_days=True)
    return day


@transaction.atomic
def training_day_update(*, training_day: TrainingDay, data: dict[str, Any]) -> TrainingDay:
    for field, value in data.items():
        setattr(training_day, field, value)
    training_day.save()
    cadet_reads_invalidate(training_days=True)
    return training_day


@transaction.atomic
def training_day_delete(*, training_day: TrainingDay) -> None:
    """Delete a day with its attendance (cascade) and recount the cadets who had records.

    The day is locked first: a mark of that day being written finishes before, and one that
    comes after waits and then finds the day gone. Then the grade rows are locked (the order
    every attendance write uses), the day goes, and the counts are redone."""
    TrainingDay.objects.select_for_update().filter(pk=training_day.pk).exists()
    cadet_ids = grade_lock(
        cadet_ids=training_day.attendance_records.values_list("cadet_id", flat=True)
    )
    training_day.delete()
    grade_attendance_recount(cadet_ids=cadet_ids, invalidate=False, locked=True)
    cadet_reads_invalidate(cadet_ids=cadet_ids, training_days=True)


# Cadet attendance ---------------------------------------------------------------------------


def attendance_output(record: AttendanceRecord) -> dict[str, Any]:
    """The API body of a record (AttendanceOutputSerializer's fields), without a serializer."""
    return {
        "id": record.pk,
        "training_day": record.training_day_id,
        "cadet": record.cadet_id,
        "status": record.status,
        "remarks": record.remarks,
        "time_in": record.time_in,
        "time_out": record.time_out,
    }


def _marked_message(day: TrainingDay, status: str) -> str:
    return f"Your attendance for {day.title} ({day.date.isoformat()}) was marked {status}."


# Insert the cadet's record of the day or replace it. xmax is 0 only on a row this statement
# inserted (an updated row carries the updating transaction's id): 201 or 200.
_UPSERT_SQL = """
INSERT INTO attendance_attendancerecord
    (training_day_id, cadet_id, status, remarks, time_in, time_out)
VALUES (%(day)s, %(cadet)s, %(status)s, %(remarks)s, %(time_in)s, %(time_out)s)
ON CONFLICT (training_day_id, cadet_id) DO UPDATE
SET status = EXCLUDED.status, remarks = EXCLUDED.remarks,
    time_in = EXCLUDED.time_in, time_out = EXCLUDED.time_out
RETURNING id, xmax = 0
"""


@transaction.atomic
@cache.invalidations_together()
def attendance_mark(
    *,
    training_day: TrainingDay,
    cadet_id: int,
    status: str,
    remarks: str | None = None,
    time_in: str | None = None,
    time_out: str | None = None,
) -> tuple[AttendanceRecord, bool]:
    """Upsert the cadet's record for the day; returns (record, created).

    Under the cadet's grade-row lock (so marks of one cadet run one after the other): insert
    or replace the record in one statement, recount the cadet's attended days in one UPDATE,
    notify the cadet, and drop the cadet's cached reads on commit. The day and the cadet
    were checked by the caller (AttendanceInputSerializer)."""
    grade_lock(cadet_ids=[cadet_id])
    fields = {"status": status, "remarks": remarks, "time_in": time_in, "time_out": time_out}
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_SQL, {"day": training_day.pk, "cadet": cadet_id, **fields})
        pk, created = cursor.fetchone()
    grade_attendance_recount(cadet_ids=[cadet_id], invalidate=False, locked=True)
    cadet_notify(
        cadet_id=cadet_id, message=_marked_message(training_day, status), type="attendance"
    )
    cadet_reads_invalidate(cadet_ids=[cadet_id])
    record = AttendanceRecord(pk=pk, training_day=training_day, cadet_id=cadet_id, **fields)
    return record, created


@dataclass(frozen=True, slots=True)
class BulkMarkResult:
    records: list[AttendanceRecord]
    created: int
    updated: int


@transaction.atomic
@cache.invalidations_together()
def attendance_mark_many(
    *, training_day: TrainingDay, items: list[dict[str, Any]]
) -> BulkMarkResult:
    """Mark many cadets for one day, all or nothing: one transaction, the grade rows of all
    of them locked (in cadet order), one upsert, one recount per cadet (a single UPDATE), a
    notification to each cadet sent once it commits, and their cached reads dropped.

    `items` are validated dicts with `cadet` (an id of a cadet that is not archived, each at
    most once), `status`, and optionally `remarks`, `time_in`, `time_out`."""
    cadet_ids = grade_lock(cadet_ids=[item["cadet"] for item in items])
    existing = set(
        AttendanceRecord.objects.filter(
            training_day=training_day, cadet_id__in=cadet_ids
        ).values_list("cadet_id", flat=True)
    )
    records = [
        AttendanceRecord(
            training_day=training_day,
            cadet_id=item["cadet"],
            status=item["status"],
            remarks=item.get("remarks"),
            time_in=item.get("time_in"),
            time_out=item.get("time_out"),
        )
        for item in items
    ]
    AttendanceRecord.objects.bulk_create(
        records,
        update_conflicts=True,
        unique_fields=["training_day", "cadet"],
        update_fields=list(RECORD_FIELDS),
    )
    grade_attendance_recount(cadet_ids=cadet_ids, invalidate=False, locked=True)
    cadet_notify_many(
        messages={
            record.cadet_id: _marked_message(training_day, record.status) for record in records
        },
        type="attendance",
    )
    cadet_reads_invalidate(cadet_ids=cadet_ids)
    created = sum(1 for record in records if record.cadet_id not in existing)
    return BulkMarkResult(records=records, created=created, updated=len(records) - created)


@transaction.atomic
@cache.invalidations_together()
def attendance_update(*, record: AttendanceRecord, data: dict[str, Any]) -> AttendanceRecord:
    grade_lock(cadet_ids=[record.cadet_id])
    for field in RECORD_FIELDS:
        if field in data:
            setattr(record, field, data[field])
    record.save()
    grade_attendance_recount(cadet_ids=[record.cadet_id], invalidate=False, locked=True)
    cadet_notify(
        cadet_id=record.cadet_id,
        message=_marked_message(record.training_day, record.status),
        type="attendance",
    )
    cadet_reads_invalidate(cadet_ids=[record.cadet_id])
    return record


@transaction.atomic
def attendance_delete(*, record: AttendanceRecord) -> None:
    cadet_id = record.cadet_id
    grade_lock(cadet_ids=[cadet_id])
    record.delete()
    grade_attendance_recount(cadet_ids=[cadet_id], invalidate=False, locked=True)
    cadet_reads_invalidate(cadet_ids=[cadet_id])


@transaction.atomic
def attendance_edit(*, cadet_ids: Iterable[int | None], edit: Callable[[], object]) -> None:
    """Change these cadets' records outside the API (the admin site) by calling `edit`, with
    the rules of every API write: their grade rows locked first (the one lock order), their
    attended days recounted and their cached reads dropped afterwards."""
    ids = grade_lock(cadet_ids=[pk for pk in cadet_ids if pk is not None])
    edit()
    grade_attendance_recount(cadet_ids=ids, invalidate=False, locked=True)
    cadet_reads_invalidate(cadet_ids=ids)


@transaction.atomic
def attendance_sync() -> int:
    """Recount grades.attendance_present from the records for every cadet, fixing drift
    (and creating missing grade rows). Returns how many grade rows changed."""
    created = grade_rows_ensure()
    changed = grade_attendance_sync()
    if created or changed:
        logger.info("attendance sync: %s grade rows created, %s corrected", created, changed)
    return changed


# Staff attendance ---------------------------------------------------------------------------


@transaction.atomic
def staff_attendance_mark(
    *,
    training_day: TrainingDay,
    staff: Staff,
    status: str,
    remarks: str | None = None,
    time_in: str | None = None,
    time_out: str | None = None,
) -> tuple[StaffAttendanceRecord, bool]:
    return StaffAttendanceRecord.objects.update_or_create(
        training_day=training_day,
        staff=staff,
        defaults={"status": status, "remarks": remarks, "time_in": time_in, "time_out": time_out},
    )


@transaction.atomic
def staff_attendance_update(
    *, record: StaffAttendanceRecord, data: dict[str, Any]
) -> StaffAttendanceRecord:
    for field in RECORD_FIELDS:
        if field in data:
            setattr(record, field, data[field])
    record.save()
    return record


@transaction.atomic
def staff_attendance_delete(*, record: StaffAttendanceRecord) -> None:
    record.delete()


# Excuse letters -----------------------------------------------------------------------------


def _cadet_of(user: User) -> Cadet:
    if not user.is_cadet or user.cadet_id is None:
        raise NotAllowed("Only a cadet with a cadet profile can submit an excuse letter.")
    return user.cadet


@transaction.atomic
def excuse_letter_create(*, submitted_by: User, data: dict[str, Any]) -> ExcuseLetter:
    """A cadet's own letter, always pending."""
    return ExcuseLetter.objects.create(
        cadet=_cadet_of(submitted_by), status=ExcuseLetter.Status.PENDING, **data
    )


def _check_owner_pending(letter: ExcuseLetter, user: User) -> None:
    if letter.cadet_id is None or letter.cadet_id != user.cadet_id:
        raise NotAllowed("Only the cadet who wrote this letter may change it.")
    if letter.status != ExcuseLetter.Status.PENDING:
        raise Conflict("This letter has already been decided and can no longer change.")


@transaction.atomic
def excuse_letter_update(
    *, letter: ExcuseLetter, data: dict[str, Any], updated_by: User
) -> ExcuseLetter:
    """The writer edits their own pending letter (never its status)."""
    letter = ExcuseLetter.objects.select_for_update().get(pk=letter.pk)
    _check_owner_pending(letter, updated_by)
    for field, value in data.items():
        setattr(letter, field, value)
    letter.save()
    return letter


@transaction.atomic
def excuse_letter_decide(*, letter: ExcuseLetter, status: str, decided_by: User) -> ExcuseLetter:
    """Approve or reject a letter (staff, admin). Approving a letter for a training day marks
    the cadet excused that day, which counts as attended."""
    letter = ExcuseLetter.objects.select_for_update().get(pk=letter.pk)
    letter.status = status
    letter.save(update_fields=["status"])
    if letter.cadet_id is None:
        return letter
    if status == ExcuseLetter.Status.APPROVED and letter.training_day_id is not None:
        grade_lock(cadet_ids=[letter.cadet_id])
        AttendanceRecord.objects.update_or_create(
            training_day_id=letter.training_day_id,
            cadet_id=letter.cadet_id,
            defaults={"status": AttendanceStatus.EXCUSED, "remarks": "Excuse letter approved"},
        )
        grade_attendance_recount(cadet_ids=[letter.cadet_id], invalidate=False, locked=True)
        cadet_reads_invalidate(cadet_ids=[letter.cadet_id])
    when = letter.date_absent.isoformat() if letter.date_absent else "your absence"
    cadet_notify(
        cadet_id=letter.cadet_id,
        message=f"Your excuse letter for {when} was {status}.",
        type="attendance",
    )
    return letter


@transaction.atomic
def excuse_letter_delete(*, letter: ExcuseLetter, deleted_by: User) -> None:
    """Admins delete any letter; a cadet only their own pending one."""
    if not deleted_by.is_admin:
        _check_owner_pending(letter, deleted_by)
    letter.delete()
