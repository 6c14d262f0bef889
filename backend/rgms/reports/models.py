"""Generated reports and exports: what was asked, by whom, and where the file is."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Report(models.Model):
    class Kind(models.TextChoices):
        CADET_GRADES_PDF = "cadet_grades_pdf", "Cadet grade report (PDF)"
        ATTENDANCE_DAY_PDF = "attendance_day_pdf", "Attendance of one training day (PDF)"
        ROSTER_PDF = "roster_pdf", "Full roster with grades (PDF)"
        ROSTER_CSV = "roster_csv", "Roster with computed grades (CSV)"
        ROSTER_XLSX = "roster_xlsx", "Roster with computed grades (Excel)"
        ATTENDANCE_CSV = "attendance_csv", "Attendance records (CSV)"
        ATTENDANCE_XLSX = "attendance_xlsx", "Attendance records (Excel)"

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    # NULL owner: made by the system (the daily reports of beat); admins read those.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    task_id = models.CharField(max_length=255, blank=True, default="")
    file = models.FileField(upload_to="reports/", max_length=500, blank=True)
    content_type = models.CharField(max_length=100, blank=True, default="")
    size = models.PositiveBigIntegerField(null=True, blank=True)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="report_owner_recent"),
            models.Index(fields=["kind", "status"], name="report_kind_status"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"
