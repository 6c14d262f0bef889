"""Uploading files and processing them.

Upload: the content decides the type (validation.py), the type decides the size limit, the
row and the stored object appear together or not at all (a storage failure rolls the row
back; a database failure after storing removes the object), and processing is queued on
commit as a tracked task the uploader can follow.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
from django.utils import timezone

from rgms.core.exceptions import ApplicationError
from rgms.files import processing
from rgms.files.models import StoredFile
from rgms.files.storage import CloudinaryStorage, StorageError
from rgms.files.validation import EmptyFile, FileTooLarge, detect_type
from rgms.jobs.services import task_enqueue
from rgms.notifications.services import notification_create
from rgms.users.models import User

logger = logging.getLogger(__name__)

DONE, SKIPPED, FAILED = "done", "skipped", "failed"


class StorageUnavailable(ApplicationError):
    status_code = 502
    code = "storage_unavailable"


def _human(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB" if size >= 1024 * 1024 else f"{size} bytes"


def upload_limit(kind: str) -> int:
    return int(settings.UPLOAD_MAX_SIZE_BY_KIND[kind])


def upload_ceiling() -> int:
    """The largest size any type may have: bigger requests are refused before parsing."""
    return max(int(size) for size in settings.UPLOAD_MAX_SIZE_BY_KIND.values())


def _checksum(uploaded: UploadedFile) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def _storage_kind() -> str:
    if isinstance(default_storage, CloudinaryStorage):
        return StoredFile.Storage.CLOUDINARY
    return StoredFile.Storage.LOCAL


def file_upload(*, owner: User, uploaded: UploadedFile) -> StoredFile:
    size = uploaded.size or 0
    if size == 0:
        raise EmptyFile("The file is empty.", errors={"file": ["The file is empty."]})
    if size > upload_ceiling():
        reason = f"The file is {_human(size)}; the largest accepted is {_human(upload_ceiling())}."
        raise FileTooLarge(reason, errors={"file": [reason]})
    detected = detect_type(uploaded)
    limit = upload_limit(detected.kind)
    if size > limit:
        reason = (
            f"{detected.extension.upper()} files may be at most {_human(limit)}; "
            f"this one is {_human(size)}."
        )
        raise FileTooLarge(reason, errors={"file": [reason]})

    checksum = _checksum(uploaded)
    name = f"files/{uuid.uuid4().hex}.{detected.extension}"
    saved: str | None = None
    try:
        with transaction.atomic():
            stored = StoredFile.objects.create(
                owner=owner,
                original_name=(uploaded.name or "upload")[:255],
                content_type=detected.mime,
                extension=detected.extension,
                kind=detected.kind,
                size=size,
                checksum_sha256=checksum,
                storage=_storage_kind(),
                file=name,
                url="",
            )
            try:
                saved = default_storage.save(name, uploaded)
                url = default_storage.url(saved)
            except (StorageError, OSError) as exc:
                logger.error("storing upload %s failed: %s", name, exc)
                raise StorageUnavailable(
                    "The file could not be stored; nothing was saved. Try again later."
                ) from exc
            stored.file.name = saved
            stored.url = url
            tracked = task_enqueue(
                task=_file_process_task(), owner=owner, kwargs={"file_id": stored.pk}
            )
            stored.processing_task_id = tracked.task_id
            stored.save(update_fields=["file", "url", "processing_task_id"])
    except DatabaseError:
        if saved is not None:
            _delete_quietly(saved)
        raise
    return stored


def _file_process_task() -> Any:
    from rgms.files.tasks import file_process as file_process_task

    return file_process_task


def _delete_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except (StorageError, OSError) as exc:  # already failing; the log names what is left
        logger.error("could not remove %s after a failed upload: %s", name, exc)


# PROCESSING
# ------------------------------------------------------------------------------


def _derived_name(stored: StoredFile, suffix: str, extension: str) -> str:
    stem = stored.file.name.rsplit(".", 1)[0]
    return f"{stem}-{suffix}.{extension}"


def _save_derived(name: str, content: bytes) -> str:
    saved = default_storage.save(name, ContentFile(content))
    return default_storage.url(saved)


def file_process(*, stored: StoredFile) -> StoredFile:
    """Thumbnail, compression and OCR for images; documents are recorded as not needing
    them. Idempotent: a file already processed is returned as it is. Storage errors
    propagate (the task retries them); a step that fails on the content is recorded."""
    if stored.processing_status == StoredFile.Processing.DONE:
        return stored
    StoredFile.objects.filter(pk=stored.pk).update(
        processing_status=StoredFile.Processing.PROCESSING
    )
    steps: dict[str, dict[str, Any]] = {}
    updates: dict[str, Any] = {}

    if stored.kind != StoredFile.Kind.IMAGE:
        reason = "only images are processed"
        steps = {
            step: {"status": SKIPPED, "reason": reason}
            for step in ("thumbnail", "compression", "ocr")
        }
    else:
        with stored.file.open("rb") as handle:
            data = handle.read()
        steps["thumbnail"], updates["thumbnail_url"] = _step_thumbnail(stored, data)
        steps["compression"], updates["compressed_url"] = _step_compress(stored, data)
        steps["ocr"], updates["ocr_text"] = _step_ocr(data)

    failed = any(step["status"] == FAILED for step in steps.values())
    status = StoredFile.Processing.FAILED if failed else StoredFile.Processing.DONE
    with transaction.atomic():
        StoredFile.objects.filter(pk=stored.pk).update(
            processing=steps, processing_status=status, processed_at=timezone.now(), **updates
        )
        # The uploader's open sockets hear that the file is ready (or what failed).
        notification_create(
            user=stored.owner,
            message=f"{stored.original_name}: "
            + ("processing failed" if failed else "processed and ready"),
            type="file_processed",
        )
    stored.refresh_from_db()
    return stored


def _content_failure(exc: Exception) -> dict[str, Any]:
    return {"status": FAILED, "error": f"{type(exc).__name__}: {exc}"}


def _step_thumbnail(stored: StoredFile, data: bytes) -> tuple[dict[str, Any], str]:
    try:
        derived = processing.thumbnail(data)
    except (OSError, ValueError) as exc:
        return _content_failure(exc), ""
    url = _save_derived(_derived_name(stored, "thumb", derived.extension), derived.content)
    return {"status": DONE, "bytes": len(derived.content)}, url


def _step_compress(stored: StoredFile, data: bytes) -> tuple[dict[str, Any], str]:
    try:
        derived = processing.compress(data, stored.extension)
    except (OSError, ValueError) as exc:
        return _content_failure(exc), ""
    if derived is None:
        return {"status": SKIPPED, "reason": "re-encoding would not make it smaller"}, ""
    url = _save_derived(_derived_name(stored, "compressed", derived.extension), derived.content)
    return {"status": DONE, "bytes": len(derived.content), "original_bytes": len(data)}, url


def _step_ocr(data: bytes) -> tuple[dict[str, Any], str]:
    reason = processing.ocr_unavailable_reason()
    if reason is not None:
        return {"status": SKIPPED, "reason": reason}, ""
    try:
        text = processing.ocr(data)
    except (OSError, RuntimeError, ValueError) as exc:
        return _content_failure(exc), ""
    return {"status": DONE, "characters": len(text)}, text
