from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rgms.activities.models import Activity, ActivityImage
from rgms.activities.services import MAX_IMAGES
from rgms.api.fields import HttpUrlField, PlainTextField, RichTextField


class ActivityFilterSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=Activity.Type.choices, required=False, help_text="activity or announcement"
    )


class ActivityOutputSerializer(serializers.ModelSerializer):
    images = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = ("id", "title", "description", "date", "type", "image_path", "images")

    @extend_schema_field(serializers.ListField(child=serializers.URLField()))
    def get_images(self, activity: Activity) -> list[str]:
        # Legacy rows may hold anything in this column; only strings are URLs.
        return [url for url in (activity.images or []) if isinstance(url, str)]


class ActivityInputSerializer(serializers.Serializer):
    title = PlainTextField(max_length=200)
    description = RichTextField(
        max_length=10_000, required=False, allow_blank=True, allow_null=True
    )
    date = serializers.DateField(required=False, allow_null=True)
    type = serializers.ChoiceField(choices=Activity.Type.choices, default=Activity.Type.ACTIVITY)
    images = serializers.ListField(
        child=HttpUrlField(), required=False, max_length=MAX_IMAGES, default=list
    )

    def validate_images(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("The same image is listed twice.")
        return value


class ActivityImageOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityImage
        fields = ("id", "activity_id", "image_path", "created_at")


class ActivityImageInputSerializer(serializers.Serializer):
    image_path = HttpUrlField()
