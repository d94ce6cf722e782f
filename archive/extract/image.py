"""Pictures (PNG, JPEG, TIFF): stored and served; their text is read by OCR later (archive/scans.py).

Reading a picture takes seconds a page, so it never happens on the ingest's path: the reader only
checks, in the extraction guard's child, that the bytes are a picture it could read (its frames
counted, within the pixel cap), and says "image", which ingest turns into OCR pending.
"""

from __future__ import annotations

from pathlib import Path

from . import NoText
from .formats import Format

FORMATS = (
    Format(".png", "PNG", "image/png", read="read", magic=(b"\x89PNG\r\n\x1a\n",)),
    Format(".jpg", "JPEG", "image/jpeg", read="read", magic=(b"\xff\xd8\xff",)),
    Format(".jpeg", "JPEG", "image/jpeg", read="read"),
    Format(".tif", "TIFF", "image/tiff", read="read", magic=(b"II*\x00", b"MM\x00*")),
    Format(".tiff", "TIFF", "image/tiff", read="read"),
)


def read(path: Path) -> tuple[str, int]:
    from ..ocr import IMAGE, PageRefused, page_plan

    try:
        frames = len(page_plan(path, IMAGE))
    except PageRefused as exc:
        raise NoText(exc.reason) from exc
    raise NoText("image", frames)
