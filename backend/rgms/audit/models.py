"""The audit log (legacy `audit_logs`, also the security trail) and legacy sync events."""

from django.db import models

from rgms.core.models import created_at_field


class AuditLog(models.Model):
    table_name = models.TextField()
    operation = models.TextField()
    record_id = models.BigIntegerField(null=True, blank=True)
    # No foreign key in the legacy table: rows outlive the users they name.
    user_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(null=True, blank=True)
    created_at = created_at_field()
    # New in RGMS: where a security event came from.
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="audit_recent"),
            models.Index(fields=["table_name", "record_id"], name="audit_table_record"),
            models.Index(fields=["operation", "-created_at"], name="audit_operation"),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.table_name} {self.record_id}"


class SyncEvent(models.Model):
    event_type = models.TextField()
    cadet = models.ForeignKey(
        "cadets.Cadet", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(null=True, blank=True)
    created_at = created_at_field()
    processed = models.BooleanField(default=False)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["processed", "id"], name="sync_event_pending")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.pk}"
