"""Cadets: the legacy `cadets` table."""

from django.db import models

from rgms.core.models import created_at_field, text


class Cadet(models.Model):
    class Status(models.TextChoices):
        ONGOING = "Ongoing"
        VERIFIED = "Verified"
        COMPLETED = "Completed"

    rank = text()
    first_name = models.TextField()
    middle_name = text()
    last_name = models.TextField()
    suffix_name = text()
    email = text()
    contact_number = text()
    address = text()
    course = text()
    year_level = text()
    school_year = text()
    battalion = text()
    company = text()
    platoon = text()
    cadet_course = text()
    semester = text()
    corp_position = text()
    gender = text()
    religion = text()
    birthdate = models.DateField(null=True, blank=True)
    # Legacy status is free text with a default; values outside the three seen are kept.
    status = models.TextField(default=Status.ONGOING, null=True, blank=True)
    student_id = models.TextField(unique=True)
    profile_pic = text()
    is_profile_completed = models.BooleanField(default=False)
    is_archived = models.BooleanField(default=False)
    has_seen_guide = models.BooleanField(default=False)
    created_at = created_at_field()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="cadet_name_order"),
            models.Index(fields=["company"], name="cadet_company"),
            models.Index(fields=["platoon"], name="cadet_platoon"),
            models.Index(fields=["course"], name="cadet_course"),
            models.Index(fields=["status", "is_archived"], name="cadet_status_archived"),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.student_id})"
