"""PDF: pypdf to detect encryption and count pages, pdfplumber to read the text layer.

pdfplumber places words by their glyph positions; pypdf reads the content stream's
spacing literally and breaks Korean words in PDFs that LibreOffice writes
('’17 년도 제 4 차'), which phrase search then cannot find. Measured in
tests/archive/test_extract_formats.py and bench/extract.py.
"""

from __future__ import annotations

import logging
from pathlib import Path

from . import NoText
from .formats import Format
from .limits import MAX_PDF_PAGES

FORMATS = (Format(".pdf", "PDF", "application/pdf", read="read", magic=(b"%PDF",)),)

for noisy in ("pypdf", "pdfminer"):
    logging.getLogger(noisy).setLevel(logging.ERROR)


def read(path: Path) -> tuple[str, int]:
    pages = _check(path)
    if pages > PLUMBER_MAX_PAGES:
        return _read_with_pypdf(path, pages)
    import pdfplumber

    try:
        with pdfplumber.open(str(path)) as pdf:
            texts, scanned = [], 0
            for page in pdf.pages:
                texts.append(page.extract_text() or "")
                # a page with no text but a picture: a scanned page among typed ones (OCR reads it)
                scanned += not texts[-1].strip() and bool(page.images)
                page.close()  # free the page's parsed objects as we go
    except Exception as exc:  # pdfminer raises many kinds for a damaged file
        raise NoText("corrupt", pages) from exc
    text = "\n".join(t.strip() for t in texts if t.strip())
    if not text:
        raise NoText("no_text_layer", pages)
    if scanned:
        raise NoText("partly_scanned", pages, text)
    return text, pages


# pdfplumber reads about 20-60 ms a page here; past this many pages pypdf (about 10x faster)
# keeps a long report within the time budget, at the cost of some Korean word spacing.
PLUMBER_MAX_PAGES = 200


def _read_with_pypdf(path: Path, pages: int) -> tuple[str, int]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted:
        reader.decrypt("")
    text = "\n".join(t.strip() for t in (page.extract_text() or "" for page in reader.pages) if t.strip())
    if not text:
        raise NoText("no_text_layer", pages)
    return text, pages


def _check(path: Path) -> int:
    """Return the page count; refuse encrypted and oversized files."""
    # pypdf is imported here, in the extraction child: the registry reads this module in the web
    # process, which never parses a PDF.
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            # An empty user password still lets anyone read it; anything else is locked.
            try:
                if not reader.decrypt(""):
                    raise NoText("encrypted")
            except (FileNotDecryptedError, NotImplementedError) as exc:
                raise NoText("encrypted") from exc
        pages = len(reader.pages)
    except PdfReadError as exc:
        raise NoText("corrupt") from exc
    if pages > MAX_PDF_PAGES:
        raise NoText("too_large", pages)
    return pages
