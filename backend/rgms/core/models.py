"""Shared model pieces."""

from django.db import models
from django.utils import timezone


def created_at_field() -> models.DateTimeField:
    """Legacy `created_at` (default CURRENT_TIMESTAMP). A plain default, not auto_now_add,
    so that importing history keeps the original time instead of the import time."""
    return models.DateTimeField(default=timezone.now, null=True, blank=True, db_index=False)


def text(**kwargs) -> models.TextField:
    """A nullable legacy TEXT column: NULL and the empty string stay distinct."""
    return models.TextField(null=True, blank=True, **kwargs)
