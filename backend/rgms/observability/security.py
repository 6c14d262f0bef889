"""The security audit trail's pieces that are not login flows (R16.3, R16.4).

Login failures, lockouts, refusals, logouts (token blacklisting) and password changes and resets
are written by rgms.authentication.services under table_name ``"auth"``. This module adds, under
table_name ``"security"``:

* ``permission_denied``: a 403 on an admin endpoint (called from the one DRF exception
  handler, rgms.api.exceptions), with who, the route, method and client IP;
* ``role_changed``: a user's role changed (call :func:`audit_role_change` from the service that
  changes it; rgms.users.services.user_role_change does);

and the retention rule: rows of those two tables older than AUDIT_RETENTION_DAYS are deleted by
:func:`audit_retention_cleanup` (the daily ``audit-retention-cleanup`` beat entry). Other audit
rows (merit/demerit history, migrated legacy rows) are records of the unit's data, not of
security events, and are never deleted by it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Final

from django.conf import settings
from django.utils import timezone
from rest_framework.permissions import SAFE_METHODS, IsAdminUser

from config.env import MIN_AUDIT_RETENTION_DAYS
from rgms.audit.models import AuditLog
from rgms.audit.services import audit_record
from rgms.observability import context
from rgms.observability.routes import route_of

logger = logging.getLogger(__name__)

SECURITY_TABLE: Final = "security"
AUTH_TABLE: Final = "auth"  # rgms.authentication.services.AUDIT_TABLE
PERMISSION_DENIED: Final = "permission_denied"
ROLE_CHANGED: Final = "role_changed"
RETENTION_TABLES: Final = (AUTH_TABLE, SECURITY_TABLE)


def is_admin_endpoint(request: Any, view: Any) -> bool:
    """Whether the view is admin-only for this request: one of its permissions is IsAdmin (or
    DRF's IsAdminUser), or ReadAnyWriteAdmin and the method writes."""
    from rgms.api.permissions import IsAdmin, ReadAnyWriteAdmin

    try:
        permissions = view.get_permissions()
    except Exception:  # a view that cannot say is not audited, never a 500
        return False
    for permission in permissions:
        if isinstance(permission, (IsAdmin, IsAdminUser)):
            return True
        if isinstance(permission, ReadAnyWriteAdmin) and request.method not in SAFE_METHODS:
            return True
    return False


def _client_ip(request: Any) -> str | None:
    from rgms.authentication.client_ip import client_ip

    django_request = getattr(request, "_request", request)
    return client_ip(django_request)


def audit_permission_denied(*, request: Any, view: Any) -> AuditLog | None:
    """Record a 403 on an admin endpoint; anything else is ignored. Never raises: it runs
    inside the exception handler, whose answer must stay the one error body."""
    try:
        if request is None or view is None or not is_admin_endpoint(request, view):
            return None
        django_request = getattr(request, "_request", request)
        user_id = context.user_id_of_request(django_request)
        return audit_record(
            table_name=SECURITY_TABLE,
            operation=PERMISSION_DENIED,
            record_id=user_id,
            user_id=user_id,
            payload={
                "method": request.method,
                "route": route_of(django_request, 403),
                "path": django_request.path,
                "view": type(view).__name__,
                "action": getattr(view, "action", None),
                "role": getattr(getattr(request, "user", None), "role", None),
                "request_id": context.request_id(),
            },
            ip_address=_client_ip(request),
        )
    except Exception:
        logger.exception("Could not write the permission-denied audit record")
        return None


def audit_role_change(
    *,
    user_id: int,
    old_role: str,
    new_role: str,
    changed_by_id: int | None,
    ip_address: str | None = None,
) -> AuditLog:
    """Record a role change (in the caller's transaction)."""
    return audit_record(
        table_name=SECURITY_TABLE,
        operation=ROLE_CHANGED,
        record_id=user_id,
        user_id=changed_by_id,
        payload={
            "target_user_id": user_id,
            "old_role": old_role,
            "new_role": new_role,
            "request_id": context.request_id(),
        },
        ip_address=ip_address,
    )


def audit_retention_days() -> int:
    days = int(settings.AUDIT_RETENTION_DAYS)
    if days < MIN_AUDIT_RETENTION_DAYS:  # settings edited by hand: refuse, never shorten
        raise ValueError(
            f"AUDIT_RETENTION_DAYS is {days}; the minimum is {MIN_AUDIT_RETENTION_DAYS}"
        )
    return days


def audit_retention_cleanup(*, now: datetime | None = None, batch_size: int = 5000) -> int:
    """Delete security audit rows older than the retention; returns how many were deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=audit_retention_days())
    expired = AuditLog.objects.filter(table_name__in=RETENTION_TABLES, created_at__lt=cutoff)
    deleted = 0
    while True:  # in batches: one huge DELETE would hold locks for long
        ids = list(expired.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        count, _ = AuditLog.objects.filter(pk__in=ids).delete()
        deleted += count
    logger.info(
        "Audit retention: deleted %s security rows older than %s",
        deleted,
        cutoff.isoformat(),
        extra={"deleted": deleted, "cutoff": cutoff.isoformat()},
    )
    return deleted
