"""Staff chat messages and messages between users and the admins."""

from django.conf import settings
from django.db import models

from rgms.core.models import created_at_field


class StaffMessage(models.Model):
    sender_staff = models.ForeignKey(
        "staff.Staff", on_delete=models.CASCADE, related_name="sent_messages"
    )
    content = models.TextField()
    created_at = created_at_field()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["-created_at", "-id"], name="staff_message_recent")]

    def __str__(self) -> str:
        return f"message {self.pk} from staff {self.sender_staff_id}"


class AdminMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        RESOLVED = "resolved"
        BROADCAST = "broadcast"

    # NULL user = a broadcast from the admins.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="admin_messages",
    )
    sender_role = models.TextField(null=True, blank=True)
    subject = models.TextField(null=True, blank=True)
    message = models.TextField(null=True, blank=True)
    status = models.TextField(default=Status.PENDING, null=True, blank=True)
    admin_reply = models.TextField(null=True, blank=True)
    created_at = created_at_field()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="admin_message_user")]

    def __str__(self) -> str:
        return self.subject or f"admin message {self.pk}"
