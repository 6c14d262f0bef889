"""Grades and the merit/demerit ledger: legacy `grades` and `merit_demerit_logs`."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Grade(models.Model):
    """One row per cadet. Score columns are nullable because the legacy admin update wrote
    NULL for a missing merit/demerit value; the computation treats NULL as 0."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        INCOMPLETE = "INC"
        DROPPED = "DO"
        DEFERRED = "T"

    cadet = models.OneToOneField("cadets.Cadet", on_delete=models.CASCADE, related_name="grade")
    attendance_present = models.IntegerField(default=0, null=True, blank=True)
    merit_points = models.IntegerField(default=0, null=True, blank=True)
    demerit_points = models.IntegerField(default=0, null=True, blank=True)
    prelim_score = models.IntegerField(default=0, null=True, blank=True)
    midterm_score = models.IntegerField(default=0, null=True, blank=True)
    final_score = models.IntegerField(default=0, null=True, blank=True)
    status = models.TextField(default=Status.ACTIVE, null=True, blank=True)
    lifetime_merit_points = models.IntegerField(default=0, null=True, blank=True)

    class Meta:
        ordering = ["cadet_id"]

    def __str__(self) -> str:
        return f"Grade of cadet {self.cadet_id}"


class MeritDemeritLog(models.Model):
    class Type(models.TextChoices):
        MERIT = "merit"
        DEMERIT = "demerit"

    cadet = models.ForeignKey(
        "cadets.Cadet",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="merit_demerit_logs",
    )
    type = models.TextField(choices=Type.choices)
    # Negative values are legitimate: admin grade adjustments store differences.
    points = models.IntegerField()
    reason = models.TextField(null=True, blank=True)
    date_recorded = models.DateTimeField(default=timezone.now, null=True, blank=True)
    issued_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issued_merit_demerit_logs",
    )
    issued_by_name = models.TextField(null=True, blank=True)

    class Meta:
        ordering = ["-date_recorded", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=["merit", "demerit"]), name="merit_log_type_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["cadet", "type"], name="merit_log_cadet_type"),
            models.Index(fields=["-date_recorded", "-id"], name="merit_log_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.points} for cadet {self.cadet_id}"
