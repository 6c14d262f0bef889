from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rgms.api.fields import HttpUrlField, StrictBooleanField, StrictCharField
from rgms.preferences.keys import COLOR, SettingSpec
from rgms.preferences.models import UserSettings

SETTING_VALUE_SCHEMA = {
    "oneOf": [{"type": "boolean"}, {"type": "string"}],
    "nullable": True,
    "description": "true/false for the *_default keys; a string (URL, color) for the others.",
}


def _validate_color(value: str) -> str:
    if not COLOR.match(value):
        raise serializers.ValidationError("Enter a color name (blue) or a hex color (#1e40af).")
    return value


class UserSettingsOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = UserSettings
        fields = (
            "user_id",
            "email_alerts",
            "push_notifications",
            "activity_updates",
            "dark_mode",
            "compact_mode",
            "primary_color",
            "custom_bg",
        )


class UserSettingsInputSerializer(serializers.Serializer):
    email_alerts = StrictBooleanField()
    push_notifications = StrictBooleanField()
    activity_updates = StrictBooleanField()
    dark_mode = StrictBooleanField()
    compact_mode = StrictBooleanField()
    primary_color = StrictCharField(max_length=30, validators=[_validate_color])
    custom_bg = StrictCharField(
        max_length=2048,
        allow_null=True,
        required=False,
        default=None,
        help_text="A background image URL (http or https) or a color; null for none.",
    )

    def validate_custom_bg(self, value: str | None) -> str | None:
        if value is None or COLOR.match(value):
            return value
        return HttpUrlField().run_validation(value)


@extend_schema_field(SETTING_VALUE_SCHEMA)
class SettingValueField(serializers.JSONField):
    """A system setting's typed value (boolean, string or null)."""


class SystemSettingOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = SettingValueField(allow_null=True)
    is_default = serializers.BooleanField(help_text="No value stored: the built-in default.")
    sensitive = serializers.BooleanField(help_text="Readable by admins only.")
    description = serializers.CharField()


class SystemSettingInputSerializer(serializers.Serializer):
    value = SettingValueField(allow_null=True)

    def validate_value(self, value: Any) -> Any:
        """Checked against the key's type; the view passes the key's spec in the context."""
        spec: SettingSpec = self.context["spec"]
        field: serializers.Field
        if spec.kind == "bool":
            field = StrictBooleanField()
        elif spec.kind == "url":
            field = HttpUrlField(allow_null=True)
        else:
            field = StrictCharField(max_length=30, validators=[_validate_color])
        return field.run_validation(value)
