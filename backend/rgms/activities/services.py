"""Writes for activities and announcements and their images.

`Activity.images` (the legacy JSON list of URLs) and the `ActivityImage` rows are kept equal
by every service here, and `image_path` is the first image, as the legacy app stored it.
Every write drops the cached activity reads once committed.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from rgms.activities.models import Activity, ActivityImage
from rgms.core import cache
from rgms.core.exceptions import ApplicationError
from rgms.notifications.services import notification_create

CACHE_NAMESPACE = "activities"
MAX_IMAGES = 20

_UNSET: Any = object()


def _set_images(activity: Activity, images: Sequence[str]) -> None:
    urls = list(images)
    activity.images = urls
    activity.image_path = urls[0] if urls else None
    ActivityImage.objects.filter(activity=activity).delete()
    ActivityImage.objects.bulk_create(
        ActivityImage(activity=activity, image_path=url) for url in urls
    )


@transaction.atomic
def activity_create(
    *,
    title: str,
    description: str | None = None,
    date: datetime.date | None = None,
    type: str = Activity.Type.ACTIVITY,
    images: Sequence[str] = (),
    notify: bool = True,
) -> Activity:
    activity = Activity.objects.create(title=title, description=description, date=date, type=type)
    _set_images(activity, images)
    activity.save(update_fields=["images", "image_path"])
    if notify:
        # The legacy app announced new activities to everyone with a global notification.
        notification_create(user=None, message=f"New {type}: {title}", type=type)
    cache.invalidate(CACHE_NAMESPACE)
    return activity


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    title: str = _UNSET,
    description: str | None = _UNSET,
    date: datetime.date | None = _UNSET,
    type: str = _UNSET,
    images: Sequence[str] = _UNSET,
) -> Activity:
    changes = {"title": title, "description": description, "date": date, "type": type}
    for field, value in changes.items():
        if value is not _UNSET:
            setattr(activity, field, value)
    if images is not _UNSET:
        _set_images(activity, images)
    activity.save()
    cache.invalidate(CACHE_NAMESPACE)
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity) -> None:
    activity.delete()  # images cascade
    cache.invalidate(CACHE_NAMESPACE)


def _current_images(activity: Activity) -> list[str]:
    return [url for url in (activity.images or []) if isinstance(url, str)]


@transaction.atomic
def activity_image_add(*, activity: Activity, image_path: str) -> ActivityImage:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    urls = _current_images(activity)
    if len(urls) >= MAX_IMAGES:
        raise ApplicationError(
            "Too many images.",
            errors={"image_path": [f"An activity holds at most {MAX_IMAGES} images."]},
        )
    urls.append(image_path)
    activity.images = urls
    activity.image_path = urls[0]
    activity.save(update_fields=["images", "image_path"])
    image = ActivityImage.objects.create(activity=activity, image_path=image_path)
    cache.invalidate(CACHE_NAMESPACE)
    return image


@transaction.atomic
def activity_image_delete(*, image: ActivityImage) -> None:
    activity = Activity.objects.select_for_update().get(pk=image.activity_id)
    urls = _current_images(activity)
    if image.image_path in urls:
        urls.remove(image.image_path)
    activity.images = urls
    activity.image_path = urls[0] if urls else None
    activity.save(update_fields=["images", "image_path"])
    image.delete()
    cache.invalidate(CACHE_NAMESPACE)
