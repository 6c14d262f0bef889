"""Small real files of each kind, made in memory."""

from __future__ import annotations

import io
import zipfile

from PIL import Image
from reportlab.pdfgen import canvas


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (640, 480), mode: str = "RGB") -> bytes:
    image = Image.new(mode, size, color=(30, 90, 40) if mode == "RGB" else None)
    # Some texture, so compression has something to work on.
    for x in range(0, size[0], 7):
        for y in range(0, size[1], 5):
            image.putpixel((x, y), (x % 255, y % 255, (x * y) % 255))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def pdf_bytes() -> bytes:
    out = io.BytesIO()
    document = canvas.Canvas(out)
    document.drawString(72, 720, "Excuse letter")
    document.save()
    return out.getvalue()


def ooxml_bytes(main_part: str = "word/document.xml", *, macros: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main_part, "<document/>")
        if macros:
            archive.writestr("word/vbaProject.bin", b"\x00" * 64)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return out.getvalue()


def exe_bytes() -> bytes:
    # The DOS header of a Windows executable ("MZ"), then a PE signature.
    return (
        b"MZ"
        + b"\x90\x00" * 29
        + b"\x80\x00\x00\x00"
        + b"\x00" * 64
        + b"PE\x00\x00"
        + b"\x00" * 400
    )
