"""Request and response bodies of /api/v1/auth/ (unique names: drf-spectacular components).

Passwords are taken exactly as sent: ``trim_whitespace=False`` everywhere (a legacy password
with leading or trailing spaces must still log in).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from rgms.api.fields import id_field
from rgms.users.models import Role

PASSWORD_MAX_LENGTH = 4096


def password_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(
        trim_whitespace=False,
        max_length=PASSWORD_MAX_LENGTH,
        style={"input_type": "password"},
        write_only=True,
        **kwargs,
    )


class AuthUserOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    cadet_id = serializers.IntegerField(allow_null=True)
    staff_id = serializers.IntegerField(allow_null=True)
    is_profile_completed = serializers.BooleanField()


class AuthLoginInputSerializer(serializers.Serializer):
    username = serializers.CharField(
        trim_whitespace=False,
        max_length=254,
        help_text="The username, or the account's email address when no other account shares it.",
    )
    password = password_field()


class AuthLoginOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    user = AuthUserOutputSerializer()


class AuthTokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class AuthRefreshInputSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)


class AuthLogoutInputSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)
    all_sessions = serializers.BooleanField(
        default=False, help_text="Also end every other session of this account."
    )


class AuthVerifyInputSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=4096)


class AuthVerifyOutputSerializer(serializers.Serializer):
    token_type = serializers.ChoiceField(choices=["access", "refresh"])
    user_id = serializers.IntegerField()
    expires_at = serializers.DateTimeField()


class AuthMeOutputSerializer(AuthUserOutputSerializer):
    email = serializers.CharField(allow_null=True)
    is_approved = serializers.BooleanField()
    has_usable_password = serializers.BooleanField()
    last_login = serializers.DateTimeField(allow_null=True)


class AuthPasswordChangeInputSerializer(serializers.Serializer):
    old_password = password_field()
    new_password = password_field()


class AuthPasswordResetIssueInputSerializer(serializers.Serializer):
    user_id = id_field()
    send_email = serializers.BooleanField(
        default=False, help_text="Also email a link to the account's address, if it has one."
    )


class AuthPasswordResetIssueOutputSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    uid = serializers.CharField()
    token = serializers.CharField()
    reset_url = serializers.CharField()
    expires_at = serializers.DateTimeField()
    email_queued = serializers.BooleanField()


class AuthPasswordResetRequestInputSerializer(serializers.Serializer):
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    username = serializers.CharField(required=False, allow_blank=True, max_length=254)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        identifier = (attrs.get("email") or attrs.get("username") or "").strip()
        if not identifier:
            raise serializers.ValidationError("Give an email address or a username.")
        attrs["identifier"] = identifier
        return attrs


class AuthDetailOutputSerializer(serializers.Serializer):
    detail = serializers.CharField()


class AuthPasswordResetConfirmInputSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = password_field()
