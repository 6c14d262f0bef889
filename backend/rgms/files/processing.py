"""Image processing steps, pure functions of bytes: thumbnail, compression, OCR.

OCR needs the tesseract binary; where it is missing the step is reported as skipped with the
reason, never as a failure (MISSION E).
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass

from PIL import Image, ImageOps

THUMBNAIL_SIZE = (256, 256)
COMPRESSED_MAX_SIDE = 2048
OCR_TIMEOUT_SECONDS = 60
TESSERACT_COMMAND = "tesseract"


@dataclass(frozen=True)
class Derived:
    content: bytes
    extension: str


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    # Phones store rotation in EXIF; apply it so thumbnails are upright.
    return ImageOps.exif_transpose(image) or image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)


def thumbnail(data: bytes) -> Derived:
    """At most 256x256, aspect kept: PNG when the image has transparency, JPEG otherwise."""
    image = _open(data)
    image.thumbnail(THUMBNAIL_SIZE)
    out = io.BytesIO()
    if _has_alpha(image):
        image.convert("RGBA").save(out, format="PNG", optimize=True)
        return Derived(out.getvalue(), "png")
    image.convert("RGB").save(out, format="JPEG", quality=80, optimize=True)
    return Derived(out.getvalue(), "jpg")


def compress(data: bytes, extension: str) -> Derived | None:
    """The image re-encoded (and bounded to 2048 px a side) in its own format; None when that
    does not make it smaller (already compact, or an animated GIF we would flatten)."""
    image = _open(data)
    if extension == "gif":
        return None
    image.thumbnail((COMPRESSED_MAX_SIDE, COMPRESSED_MAX_SIDE))
    out = io.BytesIO()
    if extension == "jpg":
        image.convert("RGB").save(out, format="JPEG", quality=82, optimize=True, progressive=True)
    elif extension == "png":
        image.save(out, format="PNG", optimize=True)
    elif extension == "webp":
        image.save(out, format="WEBP", quality=80, method=4)
    else:
        return None
    content = out.getvalue()
    if len(content) >= len(data):
        return None
    return Derived(content, extension)


def ocr_unavailable_reason() -> str | None:
    """None when OCR can run here, else why not."""
    if shutil.which(TESSERACT_COMMAND) is None:
        return f"the OCR engine ({TESSERACT_COMMAND}) is not installed on this worker"
    try:
        import pytesseract  # noqa: F401
    except ImportError:
        return "the pytesseract package is not installed"
    return None


def ocr(data: bytes) -> str:
    import pytesseract

    pytesseract.pytesseract.tesseract_cmd = TESSERACT_COMMAND
    return pytesseract.image_to_string(_open(data), timeout=OCR_TIMEOUT_SECONDS).strip()
