"""Reads of training staff."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from rgms.staff.models import Staff


@dataclass(frozen=True, slots=True)
class StaffFilters:
    is_archived: bool = False
    role: str | None = None
    search: str | None = None


def staff_list(*, filters: StaffFilters) -> QuerySet[Staff]:
    queryset = Staff.objects.filter(is_archived=filters.is_archived)
    if filters.role:
        queryset = queryset.filter(role=filters.role)
    if filters.search:
        term = filters.search
        queryset = queryset.filter(
            Q(last_name__icontains=term) | Q(first_name__icontains=term) | Q(email__icontains=term)
        )
    return queryset.order_by("last_name", "first_name", "id")


def staff_get(*, staff_id: int) -> Staff | None:
    return Staff.objects.filter(pk=staff_id).first()
