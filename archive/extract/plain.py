"""Plain text and Markdown."""

from __future__ import annotations

from pathlib import Path

from . import NoText
from .limits import MAX_TEXT_BYTES


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), else the Korean legacy encoding CP949."""
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
