"""PDF, with pypdf: the text layer of every page."""

from __future__ import annotations

import logging
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from . import NoText
from .limits import MAX_PDF_PAGES

logging.getLogger("pypdf").setLevel(logging.ERROR)


def read(path: Path) -> tuple[str, int]:
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
        if pages > MAX_PDF_PAGES:
            raise NoText("too_large", pages)
        texts = [page.extract_text() or "" for page in reader.pages]
    except PdfReadError as exc:
        raise NoText("corrupt") from exc
    text = "\n".join(t.strip() for t in texts if t.strip())
    if not text:
        raise NoText("no_text_layer", pages)
    return text, pages
