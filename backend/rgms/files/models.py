"""Uploaded files: what was stored where, for whom, and how its processing went."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class StoredFile(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image"
        DOCUMENT = "document"

    class Storage(models.TextChoices):
        LOCAL = "local"
        CLOUDINARY = "cloudinary"

    class Processing(models.TextChoices):
        PENDING = "pending"
        PROCESSING = "processing"
        DONE = "done"
        FAILED = "failed"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stored_files"
    )
    # As the client named it; shown, never used to decide anything.
    original_name = models.CharField(max_length=255)
    # Detected from the content (rgms.files.validation), not from the name or client header.
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    size = models.PositiveBigIntegerField()
    checksum_sha256 = models.CharField(max_length=64)
    storage = models.CharField(max_length=16, choices=Storage.choices)
    file = models.FileField(max_length=500)
    url = models.TextField()
    processing_status = models.CharField(
        max_length=16, choices=Processing.choices, default=Processing.PENDING
    )
    # One entry per step: {"thumbnail": {"status": "done", ...}, "ocr": {"status": "skipped",
    # "reason": ...}}; a step is done, skipped (with the reason) or failed (with the error).
    processing = models.JSONField(default=dict, blank=True)
    processing_task_id = models.CharField(max_length=255, blank=True, default="")
    thumbnail_url = models.TextField(blank=True, default="")
    compressed_url = models.TextField(blank=True, default="")
    ocr_text = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="stored_file_owner_recent"),
            models.Index(fields=["checksum_sha256"], name="stored_file_checksum"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.content_type}, {self.size} bytes)"
