"""Plain text and Markdown: UTF-8 (with or without BOM), UTF-16 with BOM, or CP949/EUC-KR."""

from __future__ import annotations

import codecs
from pathlib import Path

from . import NoText
from .formats import Format
from .limits import MAX_TEXT_BYTES

# Read in place when small (see extract_text): decoding is linear and cheap.
FORMATS = (
    Format(".txt", "TXT", "text/plain", read="read_txt", in_place=True),
    Format(".md", "Markdown", "text/markdown", read="read_markdown", in_place=True),
    Format(".csv", "CSV", "text/csv", read="read_txt", in_place=True),
)


def decode(data: bytes) -> str:
    """Decode text as Korean public bodies save it; CP949 is a superset of EUC-KR."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def read_txt(path: Path) -> tuple[str, None]:
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise NoText("too_large")
    return decode(path.read_bytes()), None


def read_markdown(path: Path) -> tuple[str, None]:
    """Keep Markdown as written: its source is the most readable text view."""
    return read_txt(path)
