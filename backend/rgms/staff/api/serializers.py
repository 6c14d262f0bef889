"""Training staff API bodies."""

from __future__ import annotations

import datetime

from django.utils import timezone
from rest_framework import serializers

from rgms.api.fields import HttpUrlField, PlainTextField, StrictBooleanField
from rgms.cadets.api.serializers import short_text
from rgms.staff.models import Staff


class StaffInputSerializer(serializers.Serializer):
    first_name = PlainTextField(max_length=100)
    last_name = PlainTextField(max_length=100)
    middle_name = short_text()
    suffix_name = short_text(20)
    rank = short_text(50)
    email = serializers.EmailField(
        max_length=254, required=False, allow_null=True, allow_blank=True
    )
    contact_number = short_text(30)
    role = PlainTextField(max_length=50, required=False)
    profile_pic = HttpUrlField(max_length=500, required=False, allow_null=True, allow_blank=True)
    afpsn = short_text(50)
    birthdate = serializers.DateField(required=False, allow_null=True)
    birthplace = short_text(200)
    age = serializers.IntegerField(min_value=0, max_value=120, required=False, allow_null=True)
    height = short_text(20)
    weight = short_text(20)
    blood_type = short_text(10)
    address = short_text(500)
    civil_status = short_text(30)
    nationality = short_text(50)
    gender = short_text(30)
    language_spoken = short_text(200)
    combat_boots_size = short_text(20)
    uniform_size = short_text(20)
    bullcap_size = short_text(20)
    facebook_link = HttpUrlField(max_length=500, required=False, allow_null=True, allow_blank=True)
    rotc_unit = short_text(200)
    mobilization_center = short_text(200)
    is_profile_completed = StrictBooleanField(required=False)
    has_seen_guide = StrictBooleanField(required=False)

    def validate_birthdate(self, value: datetime.date | None) -> datetime.date | None:
        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError("A birthdate cannot be in the future.")
        return value


class StaffFilterSerializer(serializers.Serializer):
    is_archived = serializers.BooleanField(
        required=False, default=False, help_text="Archived staff are hidden unless true."
    )
    role = serializers.CharField(max_length=50, required=False)
    search = serializers.CharField(
        max_length=100, required=False, help_text="Name or email contains."
    )


class StaffOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Staff
        fields = (
            "id",
            "rank",
            "first_name",
            "middle_name",
            "last_name",
            "suffix_name",
            "email",
            "contact_number",
            "role",
            "profile_pic",
            "afpsn",
            "birthdate",
            "birthplace",
            "age",
            "height",
            "weight",
            "blood_type",
            "address",
            "civil_status",
            "nationality",
            "gender",
            "language_spoken",
            "combat_boots_size",
            "uniform_size",
            "bullcap_size",
            "facebook_link",
            "rotc_unit",
            "mobilization_center",
            "is_profile_completed",
            "has_seen_guide",
            "is_archived",
            "created_at",
        )
        read_only_fields = fields
