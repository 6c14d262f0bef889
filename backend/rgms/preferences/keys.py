"""The known system settings (legacy `system_settings` keys), their types and defaults.

Values are stored as TEXT (as the legacy table holds them) and shown typed: booleans as
true/false, the rest as strings. `sensitive` keys are for admins only; the others are UI
defaults every signed-in user may read (the client needs them before a user has settings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["bool", "url", "color"]

COLOR = re.compile(r"^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|[a-z][a-z-]{0,29})$")
_TRUE = {"true", "1", "t", "yes", "on"}
_FALSE = {"false", "0", "f", "no", "off", ""}


@dataclass(frozen=True)
class SettingSpec:
    key: str
    kind: Kind
    default: bool | str | None
    sensitive: bool = False
    description: str = ""


SYSTEM_SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in (
        SettingSpec(
            "cadet_list_source_url",
            "url",
            None,
            sensitive=True,
            description="Where the cadet list is imported from (admins only).",
        ),
        SettingSpec("email_alerts_default", "bool", True, description="New users' email alerts."),
        SettingSpec(
            "push_notifications_default", "bool", True, description="New users' push notifications."
        ),
        SettingSpec(
            "activity_updates_default", "bool", True, description="New users' activity updates."
        ),
        SettingSpec("dark_mode_default", "bool", False, description="New users' dark mode."),
        SettingSpec("compact_mode_default", "bool", False, description="New users' compact mode."),
        SettingSpec("primary_color", "color", "blue", description="The UI's primary color."),
    )
}

# user_settings field -> the system setting holding its default for new users.
USER_DEFAULT_KEYS = {
    "email_alerts": "email_alerts_default",
    "push_notifications": "push_notifications_default",
    "activity_updates": "activity_updates_default",
    "dark_mode": "dark_mode_default",
    "compact_mode": "compact_mode_default",
    "primary_color": "primary_color",
}


def parse_stored(spec: SettingSpec, raw: str | None) -> bool | str | None:
    """The typed value of a stored TEXT value; the default when absent or unreadable."""
    if raw is None:
        return spec.default
    if spec.kind == "bool":
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        return spec.default
    return raw


def to_stored(spec: SettingSpec, value: bool | str | None) -> str | None:
    if spec.kind == "bool":
        return "true" if value else "false"
    return value
