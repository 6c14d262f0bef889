"""Writes of cadets: create (with the cadet's grade row and user account), update, a cadet's
own profile edit, account approval, archive, restore, delete, and notifications to cadets.

A cadet created through the API gets a user account at once: username = student ID, role
cadet, an unusable password, and not approved. It cannot log in until an admin approves it
(``cadet_account_approve``) and the cadet has a password (an admin-issued reset link, from the
authentication API). The username does not follow later student ID changes: it is the login.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from rgms.audit.models import SyncEvent
from rgms.audit.services import audit_record
from rgms.cadets.caching import cadet_reads_invalidate
from rgms.cadets.models import Cadet
from rgms.core.exceptions import Conflict, NotAllowed
from rgms.grading.models import Grade
from rgms.notifications.models import Notification
from rgms.notifications.selectors import notifications_invalidate
from rgms.notifications.services import notification_create, notification_payload
from rgms.realtime.envelope import relay, send_to_groups, user_group
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


DUPLICATE_USERNAME = "A user account with this student ID as its username already exists."


@transaction.atomic
def cadet_create(*, data: dict[str, Any], created_by: User | None = None) -> Cadet:
    """A new cadet, its grade row (one per cadet, all zeros, status active) and its user
    account (username = student ID, unusable password, pending approval)."""
    _check_student_id(data["student_id"])
    if User.objects.filter(username=data["student_id"]).exists():
        raise ValidationError({"student_id": [DUPLICATE_USERNAME]})
    cadet = Cadet(**data)
    _save(cadet)
    Grade.objects.create(cadet=cadet)
    try:
        with transaction.atomic():
            User.objects.create_user(
                username=cadet.student_id,
                password=None,  # unusable until a reset link sets one
                role=Role.CADET,
                cadet=cadet,
                email=cadet.email or None,
                is_approved=False,
            )
    except IntegrityError as error:  # a concurrent request took the username
        raise ValidationError({"student_id": [DUPLICATE_USERNAME]}) from error
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


# What the legacy PUT /api/cadet/profile let a cadet change about themselves.
SELF_EDITABLE_FIELDS = frozenset(
    {
        "first_name",
        "middle_name",
        "last_name",
        "suffix_name",
        "email",
        "contact_number",
        "address",
        "course",
        "year_level",
        "school_year",
        "battalion",
        "company",
        "platoon",
        "cadet_course",
        "semester",
        "gender",
        "religion",
        "birthdate",
        "corp_position",
        "profile_pic",
    }
)
# What must be filled in to complete the profile (the legacy list, less the username).
COMPLETION_REQUIRED_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "contact_number",
    "address",
    "gender",
    "course",
    "year_level",
    "school_year",
    "battalion",
    "company",
    "platoon",
    "cadet_course",
    "semester",
)
PROFILE_LOCKED = "Profile is locked and cannot be edited. Contact your administrator."
EMAIL_TAKEN = "Another account already uses this email address."


@transaction.atomic
def cadet_profile_update(*, cadet: Cadet, data: dict[str, Any], updated_by: User) -> Cadet:
    """A cadet's edit of their own profile, as the legacy PUT /api/cadet/profile: only the
    self-editable fields, refused once the profile is complete (locked). With
    ``is_profile_completed`` true it completes the profile (every required field filled,
    status Verified), which locks it. The email also changes on the cadet's user accounts, so
    logging in by email keeps working; an email another account uses is a conflict. Admins
    get a profile_update notification and a sync event is written, as the legacy route did."""
    cadet = Cadet.objects.select_for_update().get(pk=cadet.pk)
    if cadet.is_profile_completed:
        raise NotAllowed(PROFILE_LOCKED)
    changes = {field: value for field, value in data.items() if field in SELF_EDITABLE_FIELDS}
    completing = bool(data.get("is_profile_completed"))
    if completing:
        missing = [
            field
            for field in COMPLETION_REQUIRED_FIELDS
            if not (changes[field] if field in changes else getattr(cadet, field))
        ]
        if missing:
            raise ValidationError(
                {field: ["Required to complete the profile."] for field in missing}
            )
    email = changes.get("email")
    if email and email != cadet.email:
        taken = User.objects.filter(email__iexact=email).exclude(cadet=cadet).exists()
        if taken:
            raise Conflict(EMAIL_TAKEN, errors={"email": [EMAIL_TAKEN]})
    for field, value in changes.items():
        setattr(cadet, field, value)
    if completing:
        cadet.is_profile_completed = True
        cadet.status = Cadet.Status.VERIFIED
    cadet.save()
    if "email" in changes:
        User.objects.filter(cadet=cadet).update(email=changes["email"] or None)
    audit_record(
        table_name="cadets",
        operation="UPDATE",
        record_id=cadet.pk,
        user_id=updated_by.pk,
        payload={"fields": sorted(changes), "completed": completing, "by": "self"},
    )
    SyncEvent.objects.create(
        event_type="cadet_profile_updated",
        cadet=cadet,
        payload={"cadetId": cadet.pk, "isComplete": completing},
    )
    notification_create(
        user=None,
        message=f"{cadet.first_name} {cadet.last_name} has updated their profile.",
        type="profile_update",
    )
    cadet_reads_invalidate(cadet_ids=[cadet.pk])
    return cadet


@transaction.atomic
def cadet_account_approve(*, cadet: Cadet, approved_by: User) -> int:
    """Approve the cadet's user accounts (not archived ones) so they can log in; returns how
    many were approved."""
    approved = User.objects.filter(cadet=cadet, is_archived=False, is_approved=False).update(
        is_approved=True
    )
    if approved:
        audit_record(
            table_name="users",
            operation="APPROVE",
            record_id=cadet.pk,
            user_id=approved_by.pk,
            payload={"cadet_id": cadet.pk, "accounts": approved},
        )
    return approved


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
    return cadet_notify_many(messages={cadet_id: message}, type=type)


# One statement finds the accounts and writes their rows (every attendance and grade write
# notifies; the ORM's lookup plus insert cost more CPU than the rest of such a write).
_NOTIFY_SQL = """
INSERT INTO notifications_notification (user_id, message, type, is_read, created_at, priority)
SELECT account.id, sent.message, %(type)s, false, %(created_at)s, %(priority)s
FROM users_user AS account
JOIN unnest(%(cadet_ids)s::bigint[], %(messages)s::text[]) AS sent (cadet_id, message)
  ON account.cadet_id = sent.cadet_id
WHERE account.role = %(role)s AND NOT account.is_archived
ORDER BY account.id
RETURNING id, user_id, message
"""


def cadet_notify_many(*, messages: dict[int, str], type: str) -> int:
    """One notification per user account of each cadet (`messages` maps cadet id to its
    text), not archived, in one INSERT; the cached notification reads are dropped and the
    websocket pushes sent together once the transaction commits (as
    rgms.notifications.services.notification_create does for one). Returns how many were
    created."""
    if not messages:
        return 0
    created_at = timezone.now()
    priority = Notification.Priority.NORMAL
    with connection.cursor() as cursor:
        cursor.execute(
            _NOTIFY_SQL,
            {
                "type": type,
                "created_at": created_at,
                "priority": str(priority),
                "cadet_ids": list(messages),
                "messages": list(messages.values()),
                "role": str(Role.CADET),
            },
        )
        notifications = [
            Notification(
                pk=pk,
                user_id=user_id,
                message=message,
                type=type,
                created_at=created_at,
                priority=priority,
            )
            for pk, user_id, message in cursor.fetchall()
        ]
    if not notifications:
        return 0
    notifications_invalidate(n.user_id for n in notifications)
    pushes = [(user_group(n.user_id), notification_payload(n)) for n in notifications]
    transaction.on_commit(
        lambda: send_to_groups(
            [(group, relay("notification", data)) for group, data in pushes],
            what=f"push of {len(pushes)} {type} notifications",
        )
    )
    return len(notifications)
