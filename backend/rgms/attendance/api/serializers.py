"""Training day, attendance and excuse letter API bodies."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from rgms.api.fields import HttpUrlField, PlainTextField, id_field, missing_object
from rgms.attendance import selectors
from rgms.attendance.models import (
    AttendanceRecord,
    AttendanceStatus,
    ExcuseLetter,
    StaffAttendanceRecord,
    TrainingDay,
)
from rgms.cadets.models import Cadet
from rgms.staff.models import Staff

# Training days may be planned ahead, but not absurdly far either way.
EARLIEST_DAY = datetime.date(2000, 1, 1)
LATEST_YEARS_AHEAD = 5


def optional_text(max_length: int) -> PlainTextField:
    return PlainTextField(max_length=max_length, default=None, allow_null=True, allow_blank=True)


# Training days ------------------------------------------------------------------------------


class TrainingDayInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    title = PlainTextField(max_length=200)
    description = optional_text(2000)

    def validate_date(self, value: datetime.date) -> datetime.date:
        latest = timezone.localdate() + datetime.timedelta(days=366 * LATEST_YEARS_AHEAD)
        if not EARLIEST_DAY <= value <= latest:
            raise serializers.ValidationError(
                f"Must be between {EARLIEST_DAY.isoformat()} and {latest.isoformat()}."
            )
        return value


class TrainingDayFilterSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": ["Must not be before date_from."]})
        return attrs


class TrainingDayOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingDay
        fields = ("id", "date", "title", "description")
        read_only_fields = fields


# Cadet attendance ---------------------------------------------------------------------------


class AttendanceInputSerializer(serializers.Serializer):
    """Mark a cadet for a day: creates the record, or replaces the day's existing one."""

    training_day = id_field()
    cadet = id_field(help_text="A cadet that is not archived.")
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    remarks = optional_text(500)
    time_in = optional_text(20)
    time_out = optional_text(20)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Both ids checked in one query; validated_data holds the service's arguments.
        day, markable = selectors.attendance_mark_target(
            training_day_id=attrs["training_day"], cadet_id=attrs["cadet"]
        )
        errors = {}
        if day is None:
            errors["training_day"] = [missing_object(attrs["training_day"])]
        if not markable:
            errors["cadet"] = [missing_object(attrs["cadet"])]
        if errors:
            raise serializers.ValidationError(errors)
        cadet_id = attrs.pop("cadet")
        return {**attrs, "training_day": day, "cadet_id": cadet_id}


class AttendanceUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AttendanceStatus.choices, required=False)
    remarks = PlainTextField(max_length=500, required=False, allow_null=True, allow_blank=True)
    time_in = PlainTextField(max_length=20, required=False, allow_null=True, allow_blank=True)
    time_out = PlainTextField(max_length=20, required=False, allow_null=True, allow_blank=True)


class AttendanceFilterSerializer(serializers.Serializer):
    training_day = serializers.IntegerField(min_value=1, required=False)
    cadet = serializers.IntegerField(min_value=1, required=False)
    status = serializers.ChoiceField(choices=AttendanceStatus.choices, required=False)


class AttendanceOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttendanceRecord
        fields = ("id", "training_day", "cadet", "status", "remarks", "time_in", "time_out")
        read_only_fields = fields


# Most cadets a unit has; a whole day's sheet fits in one bulk request.
MAX_BULK_RECORDS = 5000


class AttendanceBulkItemSerializer(serializers.Serializer):
    cadet = id_field()
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    remarks = optional_text(500)
    time_in = optional_text(20)
    time_out = optional_text(20)


class AttendanceBulkInputSerializer(serializers.Serializer):
    """Mark many cadets for one day, all or nothing. A bad item is answered 400 with its index
    and field, e.g. ``errors: {"records": {"3": {"status": [...]}}}``."""

    training_day = serializers.PrimaryKeyRelatedField(queryset=TrainingDay.objects.all())
    records = serializers.ListField(
        child=AttendanceBulkItemSerializer(),
        min_length=1,
        max_length=MAX_BULK_RECORDS,
        help_text="One item per cadet (each cadet at most once).",
    )

    def validate_records(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # One query for every cadet named; then each bad item by its index.
        requested = {item["cadet"] for item in items}
        markable = set(
            Cadet.objects.filter(pk__in=requested, is_archived=False).values_list("pk", flat=True)
        )
        errors: dict[str, dict[str, list[str]]] = {}
        seen: set[int] = set()
        for index, item in enumerate(items):
            cadet = item["cadet"]
            if cadet not in markable:
                errors[str(index)] = {"cadet": [missing_object(cadet)]}
            elif cadet in seen:
                errors[str(index)] = {"cadet": ["This cadet appears more than once."]}
            seen.add(cadet)
        if errors:
            raise serializers.ValidationError(errors)
        return items


class AttendanceBulkOutputSerializer(serializers.Serializer):
    training_day = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    results = AttendanceOutputSerializer(many=True)


# The attendance sheet of one training day ---------------------------------------------------

UNMARKED = "unmarked"


class AttendanceSheetFilterSerializer(serializers.Serializer):
    company = serializers.CharField(max_length=50, required=False)
    platoon = serializers.CharField(max_length=50, required=False)
    status = serializers.ChoiceField(
        choices=[*AttendanceStatus.values, UNMARKED],
        required=False,
        help_text="Only cadets with this status, or `unmarked` for those without a record.",
    )


class AttendanceSheetRowSerializer(serializers.Serializer):
    """A cadet on the day's sheet with their record, if any (status null when unmarked)."""

    cadet = serializers.IntegerField()
    student_id = serializers.CharField()
    rank = serializers.CharField(allow_null=True)
    first_name = serializers.CharField()
    middle_name = serializers.CharField(allow_null=True)
    last_name = serializers.CharField()
    suffix_name = serializers.CharField(allow_null=True)
    company = serializers.CharField(allow_null=True)
    platoon = serializers.CharField(allow_null=True)
    course = serializers.CharField(allow_null=True)
    year_level = serializers.CharField(allow_null=True)
    record = serializers.IntegerField(allow_null=True, help_text="The record's id, if marked.")
    status = serializers.ChoiceField(choices=AttendanceStatus.choices, allow_null=True)
    remarks = serializers.CharField(allow_null=True)
    time_in = serializers.CharField(allow_null=True)
    time_out = serializers.CharField(allow_null=True)


# Staff attendance ---------------------------------------------------------------------------


class StaffAttendanceInputSerializer(serializers.Serializer):
    training_day = serializers.PrimaryKeyRelatedField(queryset=TrainingDay.objects.all())
    staff = serializers.PrimaryKeyRelatedField(queryset=Staff.objects.filter(is_archived=False))
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    remarks = optional_text(500)
    time_in = optional_text(20)
    time_out = optional_text(20)


class StaffAttendanceFilterSerializer(serializers.Serializer):
    training_day = serializers.IntegerField(min_value=1, required=False)
    staff = serializers.IntegerField(min_value=1, required=False)
    status = serializers.ChoiceField(choices=AttendanceStatus.choices, required=False)


class StaffAttendanceOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = StaffAttendanceRecord
        fields = ("id", "training_day", "staff", "status", "remarks", "time_in", "time_out")
        read_only_fields = fields


# Excuse letters -----------------------------------------------------------------------------


class ExcuseLetterInputSerializer(serializers.Serializer):
    """A cadet's letter about their own absence (the cadet is the caller, never a field)."""

    date_absent = serializers.DateField()
    training_day = serializers.PrimaryKeyRelatedField(
        queryset=TrainingDay.objects.all(), required=False, allow_null=True
    )
    reason = PlainTextField(max_length=2000)
    file_url = HttpUrlField(max_length=500, required=False, allow_null=True, allow_blank=True)

    def validate_date_absent(self, value: datetime.date) -> datetime.date:
        if value < EARLIEST_DAY:
            raise serializers.ValidationError(f"Must not be before {EARLIEST_DAY.isoformat()}.")
        return value


class ExcuseLetterFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ExcuseLetter.Status.choices, required=False)
    cadet = serializers.IntegerField(min_value=1, required=False)
    training_day = serializers.IntegerField(min_value=1, required=False)


class ExcuseLetterOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExcuseLetter
        fields = (
            "id",
            "cadet",
            "training_day",
            "date_absent",
            "reason",
            "file_url",
            "status",
            "created_at",
        )
        read_only_fields = fields
