"""Writes of users that other apps do not own.

``user_role_change`` is the one way to change a role: it saves, writes the ``role_changed``
security audit record (rgms.observability.security) in the same transaction, and relies on the
token check (rgms.authentication.backends) to refuse tokens that still carry the old role.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from rgms.observability.security import audit_role_change
from rgms.users.models import Role, User


@transaction.atomic
def user_role_change(
    *, user: User, role: str, changed_by: User | None, ip_address: str | None = None
) -> User:
    if role not in Role.values:
        raise ValidationError({"role": [f"Unknown role {role!r}."]})
    old_role = user.role
    if old_role == role:
        return user
    user.role = role
    user.save(update_fields=["role"])
    audit_role_change(
        user_id=user.pk,
        old_role=old_role,
        new_role=role,
        changed_by_id=changed_by.pk if changed_by is not None else None,
        ip_address=ip_address,
    )
    return user
