"""Writing audit records: merit/demerit changes, security events (failed logins, lockouts,
role changes, password resets, permission denials, token blacklisting)."""

from __future__ import annotations

from typing import Any

from rgms.audit.models import AuditLog


def audit_record(
    *,
    table_name: str,
    operation: str,
    record_id: int | None = None,
    user_id: int | None = None,
    payload: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditLog:
    return AuditLog.objects.create(
        table_name=table_name,
        operation=operation,
        record_id=record_id,
        user_id=user_id,
        payload=payload,
        ip_address=ip_address,
    )
