"""Notifications and web-push subscriptions."""

from django.conf import settings
from django.db import models

from rgms.core.models import created_at_field


class Notification(models.Model):
    class Priority(models.TextChoices):
        LOW = "low"
        NORMAL = "normal"
        HIGH = "high"

    # NULL user = a global/admin notification; deleting a user turns theirs global (SET NULL).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    message = models.TextField()
    type = models.TextField()
    is_read = models.BooleanField(default=False)
    created_at = created_at_field()
    # New in RGMS (not a legacy column): carried on the websocket payload.
    priority = models.TextField(choices=Priority.choices, default=Priority.NORMAL)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_recent"),
            models.Index(fields=["user", "is_read"], name="notification_user_unread"),
            models.Index(fields=["-created_at", "-id"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.type} for {self.user_id or 'everyone'}"


class PushSubscription(models.Model):
    # The legacy column has no foreign key and may name deleted users; kept as a number.
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    endpoint = models.TextField(unique=True)
    keys = models.JSONField()
    created_at = created_at_field()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.endpoint


# Types the legacy app wrote (legacy-schema.md); the API accepts only these.
NOTIFICATION_TYPES = (
    "attendance",
    "grade",
    "activity",
    "announcement",
    "login",
    "portal_access",
    "profile_update",
    "perf_alert",
    "weekly_reminder",
    "general_update",
    "training_reminder",
)
# Global (user NULL) notifications of these types are meant for everyone; the other global
# ones (logins, portal access, profile updates, performance alerts) were the admins' feed.
PUBLIC_GLOBAL_TYPES = frozenset(
    {"activity", "announcement", "general_update", "training_reminder", "weekly_reminder"}
)
