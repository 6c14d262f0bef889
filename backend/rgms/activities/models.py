"""Activities and announcements with their images."""

from django.db import models

from rgms.core.models import created_at_field


class Activity(models.Model):
    class Type(models.TextChoices):
        ACTIVITY = "activity"
        ANNOUNCEMENT = "announcement"

    title = models.TextField()
    description = models.TextField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)
    image_path = models.TextField(null=True, blank=True)
    # Legacy TEXT holding a JSON array of URLs; stored as real JSON.
    images = models.JSONField(null=True, blank=True)
    type = models.TextField(default=Type.ACTIVITY, null=True, blank=True)

    class Meta:
        verbose_name_plural = "activities"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["type", "-date"], name="activity_type_date"),
            models.Index(fields=["-date", "-id"], name="activity_recent"),
        ]

    def __str__(self) -> str:
        return self.title


class ActivityImage(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, null=True, blank=True, related_name="activity_images"
    )
    image_path = models.TextField()
    created_at = created_at_field()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image_path
