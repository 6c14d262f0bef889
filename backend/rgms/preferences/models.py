"""User settings (one row per user) and system settings (key/value)."""

from django.conf import settings
from django.db import models


class SystemSetting(models.Model):
    key = models.TextField(unique=True)
    value = models.TextField(null=True, blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class UserSettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="settings",
    )
    email_alerts = models.BooleanField(default=True)
    push_notifications = models.BooleanField(default=True)
    activity_updates = models.BooleanField(default=True)
    dark_mode = models.BooleanField(default=False)
    compact_mode = models.BooleanField(default=False)
    primary_color = models.TextField(default="blue", null=True, blank=True)
    custom_bg = models.TextField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "user settings"
        ordering = ["user_id"]

    def __str__(self) -> str:
        return f"settings of {self.user_id}"
