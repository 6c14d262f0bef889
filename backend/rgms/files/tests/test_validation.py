from __future__ import annotations

import io

import pytest

from rgms.files.tests import samples
from rgms.files.validation import UnsupportedFileType, detect_type


@pytest.mark.parametrize(
    ("content", "mime", "extension", "kind"),
    [
        (samples.image_bytes("PNG"), "image/png", "png", "image"),
        (samples.image_bytes("JPEG"), "image/jpeg", "jpg", "image"),
        (samples.image_bytes("GIF"), "image/gif", "gif", "image"),
        (samples.image_bytes("WEBP"), "image/webp", "webp", "image"),
        (samples.pdf_bytes(), "application/pdf", "pdf", "document"),
        (
            samples.ooxml_bytes("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
            "document",
        ),
        (
            samples.ooxml_bytes("xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            "document",
        ),
        (
            samples.ooxml_bytes("ppt/presentation.xml"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
            "document",
        ),
    ],
)
def test_accepted_types_are_recognised_by_content(content, mime, extension, kind):
    detected = detect_type(io.BytesIO(content))

    assert (detected.mime, detected.extension, detected.kind) == (mime, extension, kind)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (samples.exe_bytes(), "application/x-msdownload"),
        (samples.zip_bytes(), "not an Office document"),
        (samples.ooxml_bytes(macros=True), "Macro-enabled"),
        (b"just some text, nothing more", "not of a recognised type"),
        (samples.image_bytes("PNG")[:64], "damaged"),
        (b"PK\x03\x04" + b"\x00" * 60, "cannot be read"),
    ],
)
def test_other_content_is_refused_with_the_reason(content, reason):
    with pytest.raises(UnsupportedFileType) as error:
        detect_type(io.BytesIO(content))

    assert reason in error.value.message
    assert error.value.status_code == 415


def test_detection_leaves_the_stream_at_the_start():
    stream = io.BytesIO(samples.ooxml_bytes())

    detect_type(stream)

    assert stream.tell() == 0
