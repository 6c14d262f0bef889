"""POST /api/v1/files/upload: the type comes from the content, every refusal is a clear 4xx
or 5xx with nothing saved, and processing is queued on commit."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rgms.files.models import StoredFile
from rgms.files.tests import samples
from rgms.jobs.models import TrackedTask

pytestmark = pytest.mark.django_db

URL = "/api/v1/files/upload"


def upload(client, content: bytes, name: str, content_type: str = "application/octet-stream"):
    return client.post(
        URL,
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        format="multipart",
    )


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def assert_nothing_saved(settings) -> None:
    assert not StoredFile.objects.exists()
    assert not TrackedTask.objects.exists()
    assert media_files(settings) == []


def test_png_renamed_pdf_is_stored_as_the_png_it_is(cadet_client, cadet_user, settings):
    content = samples.image_bytes("PNG")

    response = upload(cadet_client, content, "excuse-letter.pdf", "application/pdf")

    assert response.status_code == 201
    body = response.json()
    assert (body["content_type"], body["extension"], body["kind"]) == ("image/png", "png", "image")
    assert body["original_name"] == "excuse-letter.pdf"
    stored = StoredFile.objects.get()
    assert stored.owner == cadet_user
    assert stored.file.name.endswith(".png")
    assert stored.storage == "local"


def test_exe_renamed_png_is_refused(cadet_client, settings):
    response = upload(cadet_client, samples.exe_bytes(), "photo.png", "image/png")

    assert response.status_code == 415
    body = response.json()
    assert body["code"] == "unsupported_file_type"
    assert "application/x-msdownload" in body["message"]
    assert "file" in body["errors"]
    assert_nothing_saved(settings)


def test_oversized_file_is_refused(cadet_client, settings):
    settings.UPLOAD_MAX_SIZE_BY_KIND = {"image": 10_000, "document": 50_000}
    content = samples.image_bytes("PNG")  # about 33 KB: under the document limit, over image's
    assert 10_000 < len(content) < 50_000

    response = upload(cadet_client, content, "big.png", "image/png")

    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert "PNG files may be at most" in response.json()["message"]
    assert_nothing_saved(settings)


def test_request_beyond_every_limit_is_refused_before_parsing(cadet_client, settings):
    settings.UPLOAD_MAX_SIZE_BY_KIND = {"image": 1_000, "document": 1_000}

    response = upload(cadet_client, b"%PDF-" + b"0" * 200_000, "huge.pdf")

    assert response.status_code == 413
    assert_nothing_saved(settings)


def test_empty_file_is_refused(cadet_client, settings):
    response = upload(cadet_client, b"", "empty.png", "image/png")

    assert response.status_code == 400
    assert response.json()["code"] == "empty_file"
    assert_nothing_saved(settings)


def test_missing_file_part_is_a_400(cadet_client, settings):
    response = cadet_client.post(URL, {"other": "x"}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert_nothing_saved(settings)


def test_valid_image_is_saved_and_processed_after_commit(
    cadet_client, cadet_user, settings, django_capture_on_commit_callbacks
):
    content = samples.image_bytes("JPEG", size=(1200, 900))

    # when uploaded; the processing task leaves only once the transaction commits
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(cadet_client, content, "drill.jpg", "image/jpeg")
    assert response.status_code == 201
    body = response.json()
    stored = StoredFile.objects.get(pk=body["id"])
    assert stored.checksum_sha256 == hashlib.sha256(content).hexdigest()
    assert stored.size == len(content)
    assert stored.processing_status == "pending"
    assert body["processing_task_id"]
    assert TrackedTask.objects.get(task_id=body["processing_task_id"]).owner == cadet_user
    assert len(callbacks) == 1

    # then once committed (eager Celery), the image has a thumbnail, OCR is never a failure
    callbacks[0]()
    stored.refresh_from_db()
    assert stored.processing_status == "done"
    assert stored.processing["thumbnail"]["status"] == "done"
    assert stored.processing["compression"]["status"] in {"done", "skipped"}
    assert stored.processing["ocr"]["status"] in {"done", "skipped"}
    assert stored.thumbnail_url.endswith("-thumb.jpg")
    names = [path.name for path in media_files(settings)]
    assert any(name.endswith("-thumb.jpg") for name in names)


def test_valid_pdf_is_saved_as_a_document(
    cadet_client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(cadet_client, samples.pdf_bytes(), "letter.pdf", "application/pdf")

    assert response.status_code == 201
    stored = StoredFile.objects.get()
    assert (stored.content_type, stored.kind) == ("application/pdf", "document")
    assert stored.processing_status == "done"
    assert stored.processing["ocr"] == {"status": "skipped", "reason": "only images are processed"}
    assert [path.suffix for path in media_files(settings)] == [".pdf"]


def test_office_document_is_accepted(cadet_client):
    response = upload(cadet_client, samples.ooxml_bytes("xl/workbook.xml"), "grades.bin")

    assert response.status_code == 201
    assert response.json()["extension"] == "xlsx"


def test_storage_failure_rolls_back_the_row(cadet_client, settings, monkeypatch):
    from django.core.files.storage import default_storage

    def refuse(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(default_storage, "save", refuse)

    response = upload(cadet_client, samples.image_bytes("PNG"), "p.png", "image/png")

    assert response.status_code == 502
    assert response.json()["code"] == "storage_unavailable"
    assert_nothing_saved(settings)


def test_anonymous_upload_is_refused(api_client, settings):
    response = upload(api_client, samples.image_bytes("PNG"), "p.png")

    assert response.status_code == 401
    assert_nothing_saved(settings)


def test_metadata_is_for_the_owner_or_an_admin(cadet_client, staff_client, admin_client):
    file_id = upload(cadet_client, samples.pdf_bytes(), "l.pdf").json()["id"]

    assert cadet_client.get(f"/api/v1/files/{file_id}/").status_code == 200
    assert staff_client.get(f"/api/v1/files/{file_id}/").status_code == 403
    assert admin_client.get(f"/api/v1/files/{file_id}/").status_code == 200
    assert cadet_client.get("/api/v1/files/999999/").status_code == 404
