"""PDF renditions: a PDF original is served as it is; other text gets a PDF of its text."""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from fpdf import FPDF

logging.getLogger("fontTools").setLevel(logging.ERROR)

DEFAULT_FONT = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"


class FontMissing(Exception):
    """The Korean font for text renditions is not installed."""


def text_pdf(text: str, title: str, font_path: str = DEFAULT_FONT) -> bytes:
    """Set a text in a Korean font as a PDF, headed as a text rendition."""
    if not Path(font_path).is_file():
        raise FontMissing(font_path)
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Yeollam (열람)")
    pdf.add_font("Korean", fname=font_path)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Korean", size=9)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 5, "텍스트 변환본 — 원문에서 추출한 글자만 담았습니다. 서식과 그림은 원문을 보십시오.\n"
                         "Text rendition: the text extracted from the original, without its layout.")
    pdf.ln(3)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Korean", size=14)
    pdf.multi_cell(0, 8, title)
    pdf.ln(2)
    pdf.set_font("Korean", size=10.5)
    pdf.multi_cell(0, 6.5, text or "(텍스트 없음)")
    return bytes(pdf.output())


def cached_text_pdf(cache_dir: Path, sha256: str, text: str, title: str, font_path: str) -> Path:
    """Return the cached text rendition of a file, making it once.

    Keyed by the original's hash: the cache holds no notion of disclosure, so callers
    must check the attachment is public before they reach here.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"{sha256}-{hashlib.sha256(title.encode()).hexdigest()[:12]}.pdf"
    if not target.is_file():
        fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(text_pdf(text, title, font_path))
        os.replace(tmp, target)
    return target


def forget(cache_dir: Path, sha256: str) -> int:
    """Delete the cached renditions of a file (after a withhold); return how many."""
    removed = 0
    for path in Path(cache_dir).glob(f"{sha256}-*.pdf"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed
