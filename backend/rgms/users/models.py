"""The one user model: the legacy `users` table is the application's user and the request's
user (no shadow auth user beside it; MISSION K)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models

from rgms.core.models import created_at_field, text
from rgms.users.caching import UserQuerySet


class Role(models.TextChoices):
    ADMIN = "admin"
    TRAINING_STAFF = "training_staff"
    CADET = "cadet"


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **fields: object) -> User:
        if not username:
            raise ValueError("A user needs a username.")
        fields.setdefault("role", Role.CADET)
        user = self.model(username=username, **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(
        self, username: str, password: str | None = None, **fields: object
    ) -> User:
        fields.update(role=Role.ADMIN, is_approved=True, is_superuser=True)
        return self.create_user(username, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    username = models.TextField(unique=True)
    role = models.TextField(choices=Role.choices)
    cadet = models.ForeignKey(
        "cadets.Cadet", on_delete=models.CASCADE, null=True, blank=True, related_name="users"
    )
    staff = models.ForeignKey(
        "staff.Staff", on_delete=models.CASCADE, null=True, blank=True, related_name="users"
    )
    is_approved = models.BooleanField(default=False)
    email = text()
    profile_pic = text()
    gender = text()
    is_archived = models.BooleanField(default=False)
    last_latitude = models.FloatField(null=True, blank=True)
    last_longitude = models.FloatField(null=True, blank=True)
    last_location_at = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    created_at = created_at_field()

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["email"], name="user_email"),
            models.Index(fields=["is_approved"], name="user_approved"),
            models.Index(fields=["is_archived"], name="user_archived"),
        ]

    def __str__(self) -> str:
        return self.username

    # Archived users are treated as inactive everywhere Django asks (login, admin, tokens).
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return not self.is_archived

    @property
    def is_staff(self) -> bool:
        """Django admin site access: admins only."""
        return self.role == Role.ADMIN

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_training_staff(self) -> bool:
        return self.role == Role.TRAINING_STAFF

    @property
    def is_cadet(self) -> bool:
        return self.role == Role.CADET
