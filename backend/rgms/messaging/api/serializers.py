from __future__ import annotations

from rest_framework import serializers

from rgms.api.fields import PlainTextField
from rgms.messaging.models import AdminMessage, StaffMessage
from rgms.messaging.services import STAFF_MESSAGE_MAX_LENGTH


class StaffMessageInputSerializer(serializers.Serializer):
    content = PlainTextField(max_length=STAFF_MESSAGE_MAX_LENGTH)


class StaffMessageOutputSerializer(serializers.ModelSerializer):
    sender_name = serializers.SerializerMethodField()

    class Meta:
        model = StaffMessage
        fields = ("id", "sender_staff_id", "sender_name", "content", "created_at")

    def get_sender_name(self, message: StaffMessage) -> str:
        staff = message.sender_staff
        return " ".join(part for part in (staff.rank, staff.first_name, staff.last_name) if part)


class AdminMessageFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AdminMessage.Status.choices, required=False)
    user_id = serializers.IntegerField(
        min_value=1, required=False, help_text="Admins only: one user's messages."
    )


class AdminMessageCreateInputSerializer(serializers.Serializer):
    subject = PlainTextField(max_length=200, required=False, allow_null=True)
    message = PlainTextField(max_length=5000)


class AdminMessageBroadcastInputSerializer(serializers.Serializer):
    subject = PlainTextField(max_length=200, required=False, allow_null=True)
    message = PlainTextField(max_length=5000)


class AdminMessageReplyInputSerializer(serializers.Serializer):
    admin_reply = PlainTextField(max_length=5000)


class AdminMessageOutputSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", allow_null=True, default=None)

    class Meta:
        model = AdminMessage
        fields = (
            "id",
            "user_id",
            "username",
            "sender_role",
            "subject",
            "message",
            "status",
            "admin_reply",
            "created_at",
        )
