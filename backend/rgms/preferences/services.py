"""Writes for user settings (one row per user) and system settings (key/value)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from rgms.core import cache
from rgms.preferences.keys import SYSTEM_SETTINGS, to_stored
from rgms.preferences.models import SystemSetting, UserSettings
from rgms.preferences.selectors import CACHE_NAMESPACE, user_settings_defaults, user_settings_find
from rgms.users.models import User

USER_SETTINGS_FIELDS = (
    "email_alerts",
    "push_notifications",
    "activity_updates",
    "dark_mode",
    "compact_mode",
    "primary_color",
    "custom_bg",
)


def user_settings_get_or_create(*, user: User) -> UserSettings:
    """A user's settings; created on first read with the system's defaults for new users."""
    existing = user_settings_find(user=user)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return UserSettings.objects.create(user=user, **user_settings_defaults())
    except IntegrityError:  # a concurrent first read created it
        return UserSettings.objects.get(user=user)


@transaction.atomic
def user_settings_update(*, user: User, **fields: Any) -> UserSettings:
    unknown = set(fields) - set(USER_SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown user settings: {sorted(unknown)}")
    settings = user_settings_get_or_create(user=user)
    settings = UserSettings.objects.select_for_update().get(pk=settings.pk)
    for field, value in fields.items():
        setattr(settings, field, value)
    settings.save()
    return settings


def system_setting_set(*, key: str, value: bool | str | None) -> None:
    spec = SYSTEM_SETTINGS[key]
    SystemSetting.objects.update_or_create(key=key, defaults={"value": to_stored(spec, value)})
    cache.invalidate(CACHE_NAMESPACE)


def system_setting_reset(*, key: str) -> None:
    """Back to the built-in default (the row is removed)."""
    SystemSetting.objects.filter(key=key).delete()
    cache.invalidate(CACHE_NAMESPACE)
