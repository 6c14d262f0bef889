"""Cadet API bodies. Output rows are built by the selectors as plain dicts; the output
serializers here describe them for the schema."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from rgms.api.fields import HttpUrlField, PlainTextField, StrictBooleanField
from rgms.cadets.models import Cadet
from rgms.cadets.selectors import DEFAULT_ORDERING, ORDERINGS
from rgms.grading.api.serializers import GradeFiguresSerializer


def short_text(max_length: int = 100, **kwargs: Any) -> PlainTextField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_null", True)
    kwargs.setdefault("allow_blank", True)
    return PlainTextField(max_length=max_length, **kwargs)


class CadetInputSerializer(serializers.Serializer):
    student_id = PlainTextField(max_length=50)
    first_name = PlainTextField(max_length=100)
    last_name = PlainTextField(max_length=100)
    middle_name = short_text()
    suffix_name = short_text(20)
    rank = short_text(50)
    email = serializers.EmailField(
        max_length=254, required=False, allow_null=True, allow_blank=True
    )
    contact_number = short_text(30)
    address = short_text(500)
    course = short_text()
    year_level = short_text(30)
    school_year = short_text(30)
    battalion = short_text(50)
    company = short_text(50)
    platoon = short_text(50)
    cadet_course = short_text(50)
    semester = short_text(30)
    corp_position = short_text()
    gender = short_text(30)
    religion = short_text()
    birthdate = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=Cadet.Status.choices, required=False)
    profile_pic = HttpUrlField(max_length=500, required=False, allow_null=True, allow_blank=True)
    is_profile_completed = StrictBooleanField(required=False)
    has_seen_guide = StrictBooleanField(required=False)

    def validate_student_id(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("This field may not be blank.")
        return value.strip()

    def validate_birthdate(self, value: datetime.date | None) -> datetime.date | None:
        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError("A birthdate cannot be in the future.")
        return value


LOCKED_FIELD = "A cadet cannot change this field."


class CadetProfileInputSerializer(CadetInputSerializer):
    """A cadet's edit of their own profile (PATCH /cadets/me/): the fields the legacy
    PUT /api/cadet/profile allowed. ``is_profile_completed: true`` completes the profile (every
    required field filled), which locks it. Any other field is refused (400, named)."""

    student_id = None
    rank = None
    status = None
    has_seen_guide = None
    first_name = PlainTextField(max_length=100, required=False)
    last_name = PlainTextField(max_length=100, required=False)
    is_profile_completed = StrictBooleanField(
        required=False, help_text="true completes (and locks) the profile."
    )

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "keys"):
            locked = sorted(set(data.keys()) - set(self.fields))
            if locked:
                raise serializers.ValidationError({field: [LOCKED_FIELD] for field in locked})
        return super().to_internal_value(data)

    def validate_is_profile_completed(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError("Only true (complete the profile) is accepted.")
        return value


class CadetFilterSerializer(serializers.Serializer):
    company = serializers.CharField(max_length=50, required=False)
    platoon = serializers.CharField(max_length=50, required=False)
    course = serializers.CharField(max_length=100, required=False)
    status = serializers.CharField(max_length=30, required=False)
    is_archived = serializers.BooleanField(
        required=False, default=False, help_text="Archived cadets are hidden unless true."
    )
    search = serializers.CharField(
        max_length=100, required=False, help_text="Name, student ID or email contains."
    )
    ordering = serializers.ChoiceField(
        choices=sorted(ORDERINGS), required=False, default=DEFAULT_ORDERING
    )


class CadetOutputSerializer(GradeFiguresSerializer):
    """A roster row: the cadet's columns, username, grade columns and computed grade."""

    id = serializers.IntegerField()
    student_id = serializers.CharField()
    username = serializers.CharField(allow_null=True)
    rank = serializers.CharField(allow_null=True)
    first_name = serializers.CharField()
    middle_name = serializers.CharField(allow_null=True)
    last_name = serializers.CharField()
    suffix_name = serializers.CharField(allow_null=True)
    email = serializers.CharField(allow_null=True)
    contact_number = serializers.CharField(allow_null=True)
    address = serializers.CharField(allow_null=True)
    course = serializers.CharField(allow_null=True)
    year_level = serializers.CharField(allow_null=True)
    school_year = serializers.CharField(allow_null=True)
    battalion = serializers.CharField(allow_null=True)
    company = serializers.CharField(allow_null=True)
    platoon = serializers.CharField(allow_null=True)
    cadet_course = serializers.CharField(allow_null=True)
    semester = serializers.CharField(allow_null=True)
    corp_position = serializers.CharField(allow_null=True)
    gender = serializers.CharField(allow_null=True)
    religion = serializers.CharField(allow_null=True)
    birthdate = serializers.DateField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    profile_pic = serializers.CharField(allow_null=True)
    is_profile_completed = serializers.BooleanField()
    is_archived = serializers.BooleanField()
    has_seen_guide = serializers.BooleanField()
    created_at = serializers.DateTimeField(allow_null=True)
    grade_id = serializers.IntegerField(allow_null=True)
    grade_status = serializers.CharField(allow_null=True)
