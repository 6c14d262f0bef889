"""Training days, cadet and staff attendance, excuse letters."""

from django.db import models

from rgms.core.models import created_at_field


class AttendanceStatus(models.TextChoices):
    PRESENT = "present"
    ABSENT = "absent"
    LATE = "late"
    EXCUSED = "excused"


# The legacy grade rule: these statuses count as attended (one rule everywhere).
ATTENDED_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.EXCUSED)


class TrainingDay(models.Model):
    date = models.DateField()
    title = models.TextField()
    description = models.TextField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["date"], name="training_day_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class AttendanceMark(models.Model):
    """What a cadet's and a staff member's record of a day share."""

    status = models.TextField(choices=AttendanceStatus.choices)
    remarks = models.TextField(null=True, blank=True)
    # Free text in the legacy data ("7:05:12 AM"), kept as written.
    time_in = models.TextField(null=True, blank=True)
    time_out = models.TextField(null=True, blank=True)

    class Meta:
        abstract = True


class AttendanceRecord(AttendanceMark):
    training_day = models.ForeignKey(
        TrainingDay, on_delete=models.CASCADE, related_name="attendance_records"
    )
    cadet = models.ForeignKey(
        "cadets.Cadet", on_delete=models.CASCADE, related_name="attendance_records"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["training_day", "cadet"], name="attendance_one_per_cadet_day"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AttendanceStatus.values),
                name="attendance_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["cadet", "status"], name="attendance_cadet_status")]

    def __str__(self) -> str:
        return f"{self.cadet_id} on {self.training_day_id}: {self.status}"


class StaffAttendanceRecord(AttendanceMark):
    training_day = models.ForeignKey(
        TrainingDay, on_delete=models.CASCADE, related_name="staff_attendance_records"
    )
    staff = models.ForeignKey(
        "staff.Staff", on_delete=models.CASCADE, related_name="attendance_records"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["training_day", "staff"], name="staff_attendance_one_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AttendanceStatus.values),
                name="staff_attendance_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["staff"], name="staff_attendance_staff")]

    def __str__(self) -> str:
        return f"staff {self.staff_id} on {self.training_day_id}: {self.status}"


class ExcuseLetter(models.Model):
    """The full legacy form; rows from the reduced form simply have no training day."""

    class Status(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        REJECTED = "rejected"

    cadet = models.ForeignKey(
        "cadets.Cadet",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="excuse_letters",
    )
    training_day = models.ForeignKey(
        TrainingDay,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="excuse_letters",
    )
    date_absent = models.DateField(null=True, blank=True)
    reason = models.TextField(null=True, blank=True)
    file_url = models.TextField(null=True, blank=True)
    status = models.TextField(default=Status.PENDING, null=True, blank=True)
    created_at = created_at_field()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["cadet", "-created_at"], name="excuse_letter_cadet"),
            models.Index(fields=["status"], name="excuse_letter_status"),
        ]

    def __str__(self) -> str:
        return f"excuse of cadet {self.cadet_id} for {self.date_absent}"
