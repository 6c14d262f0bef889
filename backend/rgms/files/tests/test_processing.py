from __future__ import annotations

import shutil

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from rgms.files import processing, services
from rgms.files.models import StoredFile
from rgms.files.tests import samples

pytestmark = pytest.mark.django_db


def stored_image(owner, content: bytes, extension: str = "png") -> StoredFile:
    name = default_storage.save(f"files/test.{extension}", ContentFile(content))
    return StoredFile.objects.create(
        owner=owner,
        original_name=f"x.{extension}",
        content_type=f"image/{extension}",
        extension=extension,
        kind="image",
        size=len(content),
        checksum_sha256="0" * 64,
        storage="local",
        file=name,
        url=default_storage.url(name),
    )


def test_thumbnail_fits_256_and_keeps_transparency():
    opaque = processing.thumbnail(samples.image_bytes("JPEG", size=(1000, 500)))
    clear = processing.thumbnail(samples.image_bytes("PNG", size=(300, 300), mode="RGBA"))

    assert opaque.extension == "jpg"
    assert clear.extension == "png"
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(opaque.content)) as image:
        assert image.size == (256, 128)


def test_ocr_without_the_engine_is_skipped_not_failed(cadet_user, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    stored = stored_image(cadet_user, samples.image_bytes("PNG"))

    result = services.file_process(stored=stored)

    assert result.processing_status == "done"
    assert result.processing["ocr"]["status"] == "skipped"
    assert "not installed" in result.processing["ocr"]["reason"]


def test_ocr_text_is_kept_when_the_engine_is_present(cadet_user, monkeypatch):
    monkeypatch.setattr(processing, "ocr_unavailable_reason", lambda: None)
    monkeypatch.setattr(processing, "ocr", lambda data: "EXCUSE LETTER")
    stored = stored_image(cadet_user, samples.image_bytes("PNG"))

    result = services.file_process(stored=stored)

    assert result.processing["ocr"] == {"status": "done", "characters": 13}
    assert result.ocr_text == "EXCUSE LETTER"


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_real_ocr_reads_text():
    from io import BytesIO

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 120), "white")
    ImageDraw.Draw(image).text((20, 40), "RGMS 2025", fill="black", font_size=48)
    out = BytesIO()
    image.save(out, format="PNG")

    assert "RGMS" in processing.ocr(out.getvalue())


def test_a_broken_image_is_a_failed_step_not_a_crash(cadet_user):
    stored = stored_image(cadet_user, samples.image_bytes("PNG")[:100])

    result = services.file_process(stored=stored)

    assert result.processing_status == "failed"
    assert result.processing["thumbnail"]["status"] == "failed"


def test_processing_twice_does_nothing_more(cadet_user):
    stored = stored_image(cadet_user, samples.image_bytes("GIF"), extension="gif")

    first = services.file_process(stored=stored)
    processed_at = first.processed_at
    again = services.file_process(stored=first)

    assert again.processed_at == processed_at
    assert first.processing["compression"]["status"] == "skipped"


def test_the_uploader_is_notified_once_when_processing_ends(
    cadet_user, django_capture_on_commit_callbacks
):
    # given an uploaded image
    stored = stored_image(cadet_user, samples.image_bytes("PNG"))
    # when it is processed (and a redelivery processes it again)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.file_process(stored=stored)
        services.file_process(stored=StoredFile.objects.get(pk=stored.pk))
    # then the uploader has exactly one notification, pushed to their sockets on commit
    notes = list(cadet_user.notifications.all())
    assert [(n.type, n.message) for n in notes] == [
        ("file_processed", "x.png: processed and ready")
    ]
    assert len(callbacks) >= 1


def test_a_failed_processing_is_notified_as_failed(cadet_user):
    stored = stored_image(cadet_user, samples.image_bytes("PNG")[:100])
    services.file_process(stored=stored)
    assert cadet_user.notifications.get().message == "x.png: processing failed"
