"""What an uploaded file really is, read from its content (magic bytes), never from its name
or the client's Content-Type.

Allowed, as the legacy app used them: images (PNG, JPEG, GIF, WebP), PDF, Office documents
(DOCX, XLSX, PPTX, checked inside the zip for the parts that make them what they claim, macro
projects refused) and legacy Office 97-2003 documents (DOC, XLS, PPT, OLE containers
recognised by their sub-format signature). Images must also decode with Pillow.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import IO

import filetype
from PIL import Image, UnidentifiedImageError

from rgms.core.exceptions import ApplicationError

IMAGE, DOCUMENT = "image", "document"

# mime -> (extension, kind, Pillow format name for images)
ALLOWED: dict[str, tuple[str, str, str | None]] = {
    "image/png": ("png", IMAGE, "PNG"),
    "image/jpeg": ("jpg", IMAGE, "JPEG"),
    "image/gif": ("gif", IMAGE, "GIF"),
    "image/webp": ("webp", IMAGE, "WEBP"),
    "application/pdf": ("pdf", DOCUMENT, None),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "docx",
        DOCUMENT,
        None,
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx", DOCUMENT, None),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "pptx",
        DOCUMENT,
        None,
    ),
    "application/msword": ("doc", DOCUMENT, None),
    "application/vnd.ms-excel": ("xls", DOCUMENT, None),
    "application/vnd.ms-powerpoint": ("ppt", DOCUMENT, None),
}
# The part that makes a zip an Office Open XML document of each kind.
_OOXML_MAIN_PART = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
_ZIP_MIMES = {"application/zip", *_OOXML_MAIN_PART.values()}
_HEAD_BYTES = 8192


class EmptyFile(ApplicationError):
    status_code = 400
    code = "empty_file"


class UnsupportedFileType(ApplicationError):
    status_code = 415
    code = "unsupported_file_type"


class FileTooLarge(ApplicationError):
    status_code = 413
    code = "file_too_large"


@dataclass(frozen=True)
class DetectedType:
    mime: str
    extension: str
    kind: str


def allowed_summary() -> str:
    return ", ".join(sorted({extension for extension, _, _ in ALLOWED.values()}))


def _refuse(reason: str) -> UnsupportedFileType:
    return UnsupportedFileType(f"{reason} Allowed: {allowed_summary()}.", errors={"file": [reason]})


def detect_type(content: IO[bytes]) -> DetectedType:
    """The type of ``content`` (a seekable binary file), or UnsupportedFileType."""
    content.seek(0)
    head = content.read(_HEAD_BYTES)
    content.seek(0)
    guess = filetype.guess(head)
    if guess is None:
        raise _refuse("The file's content is not of a recognised type.")
    mime = guess.mime
    if mime in _ZIP_MIMES:
        mime = _ooxml_type(content)
    if mime not in ALLOWED:
        raise _refuse(f"Files of type {mime} are not accepted.")
    extension, kind, pillow_format = ALLOWED[mime]
    if pillow_format is not None:
        _check_image(content, pillow_format)
    return DetectedType(mime=mime, extension=extension, kind=kind)


def _ooxml_type(content: IO[bytes]) -> str:
    try:
        with zipfile.ZipFile(content) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse("The file looks like a zip archive but cannot be read as one.") from exc
    finally:
        content.seek(0)
    if "[Content_Types].xml" not in names:
        raise _refuse("Zip archives are not accepted (this is not an Office document).")
    found = [mime for part, mime in _OOXML_MAIN_PART.items() if part in names]
    if len(found) != 1:
        raise _refuse("The Office document has no single main part (word, xl or ppt).")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise _refuse("Macro-enabled Office documents are not accepted.")
    return found[0]


def _check_image(content: IO[bytes], pillow_format: str) -> None:
    try:
        with Image.open(content) as image:
            actual = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _refuse("The image is damaged and cannot be decoded.") from exc
    except Image.DecompressionBombError as exc:
        raise _refuse("The image has too many pixels.") from exc
    finally:
        content.seek(0)
    if actual != pillow_format:
        raise _refuse(f"The image decodes as {actual}, not {pillow_format}.")
