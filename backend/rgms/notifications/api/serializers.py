from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rgms.api.fields import HttpUrlField, PlainTextField, StrictCharField
from rgms.notifications.models import NOTIFICATION_TYPES, Notification, PushSubscription
from rgms.users.models import User


class NotificationFilterSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(
        choices=["mine", "all"],
        default="mine",
        help_text="Admins only: `all` lists every user's notifications.",
    )
    user_id = serializers.IntegerField(
        min_value=1, required=False, help_text="Admins only: one user's notifications."
    )
    type = serializers.ChoiceField(choices=NOTIFICATION_TYPES, required=False)
    is_read = serializers.BooleanField(required=False, allow_null=True, default=None)


class NotificationOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ("id", "user_id", "message", "type", "priority", "is_read", "created_at")


class NotificationCreateInputSerializer(serializers.Serializer):
    user_id = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        allow_null=True,
        help_text="The user to notify; null sends a global notification.",
    )
    message = PlainTextField(max_length=1000)
    type = serializers.ChoiceField(choices=NOTIFICATION_TYPES)
    priority = serializers.ChoiceField(
        choices=Notification.Priority.choices, default=Notification.Priority.NORMAL
    )


class NotificationUnreadCountOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class NotificationReadAllOutputSerializer(serializers.Serializer):
    updated = serializers.IntegerField()


_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


def _decoded_length(value: str) -> int | None:
    if not _BASE64URL.match(value):
        return None
    try:
        return len(base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value) % 4)))
    except (binascii.Error, ValueError):
        return None


class PushSubscriptionKeysSerializer(serializers.Serializer):
    """The browser's PushSubscription.toJSON().keys (base64url)."""

    p256dh = StrictCharField(max_length=200, help_text="P-256 public key, 65 bytes, base64url.")
    auth = StrictCharField(max_length=100, help_text="Auth secret, 16 bytes, base64url.")

    def validate_p256dh(self, value: str) -> str:
        if _decoded_length(value) != 65:
            raise serializers.ValidationError("Not a base64url P-256 public key (65 bytes).")
        return value

    def validate_auth(self, value: str) -> str:
        if _decoded_length(value) != 16:
            raise serializers.ValidationError("Not a base64url auth secret (16 bytes).")
        return value


class PushSubscriptionInputSerializer(serializers.Serializer):
    endpoint = HttpUrlField()
    keys = PushSubscriptionKeysSerializer()

    def validate_endpoint(self, value: str) -> str:
        if not value.lower().startswith("https://"):
            raise serializers.ValidationError("Push endpoints are https URLs.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["keys"] = dict(attrs["keys"])
        return attrs


class PushSubscriptionOutputSerializer(serializers.ModelSerializer):
    keys = serializers.SerializerMethodField()

    class Meta:
        model = PushSubscription
        fields = ("id", "user_id", "endpoint", "keys", "created_at")

    @extend_schema_field(PushSubscriptionKeysSerializer)
    def get_keys(self, subscription: PushSubscription) -> dict[str, Any]:
        # Legacy rows hold whatever JSON was sent; only the two known keys are shown.
        keys = subscription.keys if isinstance(subscription.keys, dict) else {}
        return {"p256dh": keys.get("p256dh"), "auth": keys.get("auth")}
