from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rgms.audit.models import AuditLog


@extend_schema_field(OpenApiTypes.DATETIME)
class DateOrDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time, or a bare date meaning its midnight (UTC)."""

    def to_internal_value(self, value: Any) -> datetime.datetime:
        if isinstance(value, str) and len(value) == 10:
            try:
                day = datetime.date.fromisoformat(value)
            except ValueError:
                self.fail("invalid", format="YYYY-MM-DD or an ISO 8601 date-time")
            return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
        parsed = super().to_internal_value(value)
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, datetime.UTC)
        return parsed


class AuditLogFilterSerializer(serializers.Serializer):
    table_name = serializers.CharField(max_length=100, required=False)
    operation = serializers.CharField(max_length=50, required=False)
    user_id = serializers.IntegerField(min_value=1, required=False)
    record_id = serializers.IntegerField(required=False)
    created_after = DateOrDateTimeField(
        required=False, help_text="From this time on (inclusive); a date means its midnight UTC."
    )
    created_before = DateOrDateTimeField(
        required=False, help_text="Before this time (exclusive); a date means its midnight UTC."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        after, before = attrs.get("created_after"), attrs.get("created_before")
        if after is not None and before is not None and after >= before:
            raise serializers.ValidationError(
                {"created_before": ["Must be later than created_after."]}
            )
        return attrs


class AuditLogOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditLog
        fields = (
            "id",
            "table_name",
            "operation",
            "record_id",
            "user_id",
            "payload",
            "ip_address",
            "created_at",
        )
