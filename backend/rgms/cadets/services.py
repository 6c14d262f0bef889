"""Writes of cadets: create (with the cadet's grade row), update, archive, restore, delete."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from rgms.audit.services import audit_record
from rgms.cadets.caching import cadet_reads_invalidate
from rgms.cadets.models import Cadet
from rgms.grading.models import Grade
from rgms.notifications.services import notification_create
from rgms.users.models import Role, User

DUPLICATE_STUDENT_ID = "A cadet with this student ID already exists."


def _check_student_id(student_id: str, *, exclude_pk: int | None = None) -> None:
    duplicates = Cadet.objects.filter(student_id=student_id)
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if duplicates.exists():
        raise ValidationError({"student_id": [DUPLICATE_STUDENT_ID]})


def _save(cadet: Cadet) -> None:
    # The unique index is the final word when two requests race past the check above.
    try:
        with transaction.atomic():
            cadet.save()
    except IntegrityError as error:
        raise ValidationError({"student_id": [DUPLICATE_STUDENT_ID]}) from error


@transaction.atomic
def cadet_create(*, data: dict[str, Any], created_by: User | None = None) -> Cadet:
    """A new cadet and its grade row (one per cadet, all zeros, status active)."""
    _check_student_id(data["student_id"])
    cadet = Cadet(**data)
    _save(cadet)
    Grade.objects.create(cadet=cadet)
    audit_record(
        table_name="cadets",
        operation="INSERT",
        record_id=cadet.pk,
        user_id=created_by.pk if created_by else None,
        payload={"student_id": cadet.student_id},
    )
    cadet_reads_invalidate(cadet_ids=[cadet.pk])
    return cadet


@transaction.atomic
def cadet_update(*, cadet: Cadet, data: dict[str, Any], updated_by: User | None = None) -> Cadet:
    if "student_id" in data:
        _check_student_id(data["student_id"], exclude_pk=cadet.pk)
    for field, value in data.items():
        setattr(cadet, field, value)
    _save(cadet)
    audit_record(
        table_name="cadets",
        operation="UPDATE",
        record_id=cadet.pk,
        user_id=updated_by.pk if updated_by else None,
        payload={"fields": sorted(data)},
    )
    cadet_reads_invalidate(cadet_ids=[cadet.pk])
    return cadet


@transaction.atomic
def cadet_archive(*, cadet: Cadet, archived_by: User | None = None) -> Cadet:
    """Archive instead of delete: the cadet leaves the default lists and its user accounts
    are archived too, so they can no longer log in."""
    cadet.is_archived = True
    cadet.save(update_fields=["is_archived"])
    User.objects.filter(cadet=cadet).update(is_archived=True)
    audit_record(
        table_name="cadets",
        operation="ARCHIVE",
        record_id=cadet.pk,
        user_id=archived_by.pk if archived_by else None,
    )
    cadet_reads_invalidate(cadet_ids=[cadet.pk])
    return cadet


@transaction.atomic
def cadet_restore(*, cadet: Cadet, restored_by: User | None = None) -> Cadet:
    cadet.is_archived = False
    cadet.save(update_fields=["is_archived"])
    User.objects.filter(cadet=cadet).update(is_archived=False)
    audit_record(
        table_name="cadets",
        operation="RESTORE",
        record_id=cadet.pk,
        user_id=restored_by.pk if restored_by else None,
    )
    cadet_reads_invalidate(cadet_ids=[cadet.pk])
    return cadet


@transaction.atomic
def cadet_delete(*, cadet: Cadet, deleted_by: User | None = None) -> None:
    """Hard delete (admin, explicitly forced): cascades to the cadet's users, grade, ledger,
    attendance and excuse letters, as the legacy foreign keys did."""
    pk, student_id = cadet.pk, cadet.student_id
    cadet.delete()
    audit_record(
        table_name="cadets",
        operation="DELETE",
        record_id=pk,
        user_id=deleted_by.pk if deleted_by else None,
        payload={"student_id": student_id},
    )
    cadet_reads_invalidate(cadet_ids=[pk])


def cadet_notify(*, cadet_id: int, message: str, type: str) -> int:
    """A notification to each user account of the cadet (saved now, pushed on commit);
    returns how many were created."""
    users = list(User.objects.filter(cadet_id=cadet_id, role=Role.CADET, is_archived=False))
    for user in users:
        notification_create(user=user, message=message, type=type)
    return len(users)
