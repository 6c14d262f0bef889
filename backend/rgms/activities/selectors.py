"""Reads for activities: every authenticated role sees every activity and announcement."""

from __future__ import annotations

from django.db.models import QuerySet

from rgms.activities.models import Activity, ActivityImage


def activity_list(*, type: str | None = None) -> QuerySet[Activity]:
    queryset = Activity.objects.order_by("-date", "-id")
    if type:
        queryset = queryset.filter(type=type)
    return queryset


def activity_image_list(*, activity_id: int) -> QuerySet[ActivityImage]:
    return ActivityImage.objects.filter(activity_id=activity_id).order_by("id")
