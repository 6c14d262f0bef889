"""Reads for system settings (cached; every write drops the cache on commit)."""

from __future__ import annotations

from dataclasses import dataclass

from rgms.core import cache
from rgms.preferences.keys import (
    SYSTEM_SETTINGS,
    USER_DEFAULT_KEYS,
    SettingSpec,
    parse_stored,
)
from rgms.preferences.models import SystemSetting, UserSettings
from rgms.users.models import User

CACHE_NAMESPACE = "system-settings"


@dataclass(frozen=True)
class SystemSettingValue:
    key: str
    value: bool | str | None
    is_default: bool
    sensitive: bool
    description: str


def system_setting_raw_values() -> dict[str, str | None]:
    """Every stored row of a known key, as stored; one query, cached."""

    def build() -> dict[str, str | None]:
        rows = SystemSetting.objects.filter(key__in=SYSTEM_SETTINGS).values_list("key", "value")
        return dict(rows)

    return cache.get_or_build([CACHE_NAMESPACE], ["raw"], build)


def _value(spec: SettingSpec, raw: dict[str, str | None]) -> SystemSettingValue:
    stored = spec.key in raw
    return SystemSettingValue(
        key=spec.key,
        value=parse_stored(spec, raw.get(spec.key)),
        is_default=not stored or raw.get(spec.key) is None,
        sensitive=spec.sensitive,
        description=spec.description,
    )


def system_setting_list(*, viewer: User) -> list[SystemSettingValue]:
    raw = system_setting_raw_values()
    return [
        _value(spec, raw)
        for spec in SYSTEM_SETTINGS.values()
        if viewer.is_admin or not spec.sensitive
    ]


def system_setting_get(*, key: str) -> SystemSettingValue:
    return _value(SYSTEM_SETTINGS[key], system_setting_raw_values())


def user_settings_defaults() -> dict[str, bool | str | None]:
    """New users' settings, from the system settings that hold the defaults."""
    raw = system_setting_raw_values()
    return {
        field: parse_stored(SYSTEM_SETTINGS[key], raw.get(key))
        for field, key in USER_DEFAULT_KEYS.items()
    }


def user_settings_find(*, user: User) -> UserSettings | None:
    return UserSettings.objects.filter(user=user).first()
