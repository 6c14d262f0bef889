"""Reads of the audit log (admins only; newest first)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from rgms.audit.models import AuditLog


def audit_log_list(
    *,
    table_name: str | None = None,
    operation: str | None = None,
    user_id: int | None = None,
    record_id: int | None = None,
    created_after: datetime.datetime | None = None,
    created_before: datetime.datetime | None = None,
) -> QuerySet[AuditLog]:
    queryset = AuditLog.objects.all()
    if table_name is not None:
        queryset = queryset.filter(table_name=table_name)
    if operation is not None:
        queryset = queryset.filter(operation=operation)
    if user_id is not None:
        queryset = queryset.filter(user_id=user_id)
    if record_id is not None:
        queryset = queryset.filter(record_id=record_id)
    if created_after is not None:
        queryset = queryset.filter(created_at__gte=created_after)
    if created_before is not None:
        queryset = queryset.filter(created_at__lt=created_before)
    return queryset
