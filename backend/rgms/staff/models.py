"""Training staff: the legacy `training_staff` table."""

from django.db import models

from rgms.core.models import created_at_field, text

# Staff roles that the legacy app treated as privileged (admin-like access to staff routes).
PRIVILEGED_STAFF_ROLES = frozenset(
    {"Commandant", "Assistant Commandant", "NSTP Director", "ROTC Coordinator", "Admin NCO"}
)


class Staff(models.Model):
    rank = text()
    first_name = models.TextField()
    middle_name = text()
    last_name = models.TextField()
    suffix_name = text()
    email = models.TextField(unique=True, null=True, blank=True)
    contact_number = text()
    role = models.TextField(default="Instructor", null=True, blank=True)
    profile_pic = text()
    afpsn = text()
    birthdate = models.DateField(null=True, blank=True)
    birthplace = text()
    age = models.IntegerField(null=True, blank=True)
    height = text()
    weight = text()
    blood_type = text()
    address = text()
    civil_status = text()
    nationality = text()
    gender = text()
    language_spoken = text()
    combat_boots_size = text()
    uniform_size = text()
    bullcap_size = text()
    facebook_link = text()
    rotc_unit = text()
    mobilization_center = text()
    qr_code_data = text()
    is_profile_completed = models.BooleanField(default=False)
    has_seen_guide = models.BooleanField(default=False)
    is_archived = models.BooleanField(default=False)
    created_at = created_at_field()

    class Meta:
        verbose_name_plural = "staff"
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="staff_name_order"),
            models.Index(fields=["is_archived"], name="staff_archived"),
        ]

    def __str__(self) -> str:
        return f"{self.rank or ''} {self.last_name}, {self.first_name}".strip()

    @property
    def is_privileged(self) -> bool:
        return self.role in PRIVILEGED_STAFF_ROLES
