"""Reads for the staff chat and admin messages.

Staff chat: training staff and admins read every message, newest first.
Admin messages: admins read all; every other user reads their own and the broadcasts.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from rgms.messaging.models import AdminMessage, StaffMessage
from rgms.users.models import User


def staff_message_list() -> QuerySet[StaffMessage]:
    return StaffMessage.objects.select_related("sender_staff").order_by("-created_at", "-id")


def admin_message_list(
    *, viewer: User, status: str | None = None, user_id: int | None = None
) -> QuerySet[AdminMessage]:
    queryset = AdminMessage.objects.select_related("user").order_by("-created_at", "-id")
    if not viewer.is_admin:
        queryset = queryset.filter(Q(user=viewer) | Q(user__isnull=True, status="broadcast"))
    if status is not None:
        queryset = queryset.filter(status=status)
    if user_id is not None:
        queryset = queryset.filter(user_id=user_id)
    return queryset
