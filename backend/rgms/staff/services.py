"""Writes of training staff: create, update, archive, restore, delete (forced)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from rgms.audit.services import audit_record
from rgms.staff.models import Staff
from rgms.users.models import User

DUPLICATE_EMAIL = "A staff member with this email already exists."


def _check_email(email: str | None, *, exclude_pk: int | None = None) -> None:
    if not email:
        return
    duplicates = Staff.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if duplicates.exists():
        raise ValidationError({"email": [DUPLICATE_EMAIL]})


def _save(staff: Staff) -> None:
    try:
        with transaction.atomic():
            staff.save()
    except IntegrityError as error:
        raise ValidationError({"email": [DUPLICATE_EMAIL]}) from error


def _audit(staff_id: int, operation: str, by: User | None, payload: dict | None = None) -> None:
    audit_record(
        table_name="training_staff",
        operation=operation,
        record_id=staff_id,
        user_id=by.pk if by else None,
        payload=payload,
    )


@transaction.atomic
def staff_create(*, data: dict[str, Any], created_by: User | None = None) -> Staff:
    data = {**data, "email": data.get("email") or None}
    _check_email(data["email"])
    staff = Staff(**data)
    _save(staff)
    _audit(staff.pk, "INSERT", created_by)
    return staff


@transaction.atomic
def staff_update(*, staff: Staff, data: dict[str, Any], updated_by: User | None = None) -> Staff:
    if "email" in data:
        data = {**data, "email": data["email"] or None}
        _check_email(data["email"], exclude_pk=staff.pk)
    for field, value in data.items():
        setattr(staff, field, value)
    _save(staff)
    _audit(staff.pk, "UPDATE", updated_by, {"fields": sorted(data)})
    return staff


@transaction.atomic
def staff_archive(*, staff: Staff, archived_by: User | None = None) -> Staff:
    """Archive instead of delete (the legacy route hard-deleted on PostgreSQL by accident);
    the staff member's user accounts are archived with them."""
    staff.is_archived = True
    staff.save(update_fields=["is_archived"])
    User.objects.filter(staff=staff).update(is_archived=True)
    _audit(staff.pk, "ARCHIVE", archived_by)
    return staff


@transaction.atomic
def staff_restore(*, staff: Staff, restored_by: User | None = None) -> Staff:
    staff.is_archived = False
    staff.save(update_fields=["is_archived"])
    User.objects.filter(staff=staff).update(is_archived=False)
    _audit(staff.pk, "RESTORE", restored_by)
    return staff


@transaction.atomic
def staff_delete(*, staff: Staff, deleted_by: User | None = None) -> None:
    """Hard delete (admin, explicitly forced); cascades to the staff member's users."""
    pk = staff.pk
    staff.delete()
    _audit(pk, "DELETE", deleted_by)
