"""Text extraction: one entry point, `extract_text`; one module per format, found by `formats.registry`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import formats
from .clean import clean_text
from .limits import MAX_UNGUARDED_BYTES

log = logging.getLogger(__name__)

# Bump when extraction changes, so that stored texts can be recognised as stale.
EXTRACTOR_VERSION = "3"  # 3: pictures and scanned PDF pages wait for OCR (issue 16)

# Why a file has no text view, in the reader's words.
REASONS = {
    "empty": ("텍스트 없음", "the file holds no text"),
    "encrypted": ("암호화된 문서", "encrypted document"),
    "distribution": ("배포용 문서", "distribution-protected document"),
    "no_text_layer": ("텍스트 층 없음 (스캔본)", "no text layer (scanned image)"),
    "unsupported": ("텍스트 변환을 지원하지 않는 형식", "format not supported for text"),
    "corrupt": ("손상되었거나 읽을 수 없는 파일", "damaged or unreadable file"),
    "too_large": ("처리 한도를 넘는 파일", "file exceeds the processing limits"),
    "old_format": ("지원하지 않는 옛 형식 (HWP 3.0 이하)", "old format not supported (HWP 3.0 or earlier)"),
    "timeout": ("처리 시간 한도를 넘는 파일", "file exceeds the processing time limit"),
    # scans (issue 16): what the extractor says of them, then what OCR made of them
    "image": ("그림 파일 (스캔본)", "picture (scanned image)"),
    "partly_scanned": ("일부 쪽이 스캔본", "some pages are scanned images"),
    "ocr_pending": ("스캔본의 글자를 읽는 중 (OCR)", "the scan's text is being read (OCR)"),
    "ocr_failed": ("스캔본의 글자를 읽지 못함 (OCR 반복 실패)", "the scan could not be read (OCR failed repeatedly)"),
}

# What the extractor says of a file whose text only OCR can read: ingest marks it OCR pending.
OCR_REASONS = frozenset({"no_text_layer", "image", "partly_scanned"})

class NoText(Exception):
    """A file that is readable as a file but yields no text, with a reason code."""

    def __init__(self, reason: str, pages: int | None = None, text: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.pages = pages
        self.text = text  # what could be read all the same (a PDF's text-layer pages, when others are scans)


@dataclass
class Extraction:
    """The text of one file, or the reason there is none."""

    text: str
    reason: str | None = None  # a key of REASONS when there is no text
    pages: int | None = None
    findings: list = field(default_factory=list)  # what extract_text's `scan` found in the text

    @property
    def status(self) -> str:
        return "ok" if self.text else "none"


def media_type_of(name: str) -> str:
    fmt = formats.registry().get(Path(name).suffix.lower())
    return fmt.media_type if fmt else "application/octet-stream"


def format_name(name: str) -> str:
    suffix = Path(name).suffix.lower()
    fmt = formats.registry().get(suffix)
    return fmt.name if fmt else (suffix.lstrip(".").upper() or "?")


def extract_text(path: Path, name: str | None = None, guarded: bool = True,
                 scan: Callable[[str], list] | None = None) -> Extraction:
    """Extract the readable text of a file; never raise for a bad file.

    `name` is the file's name in the batch (the stored blob has none); its suffix picks
    the reader where the bytes do not (`sniff`). `guarded` runs the reader in a child process
    within the time and memory budget of `limits.py`. `scan`, given, runs over the text in the
    same place, within the same budget; its result is the extraction's `findings`.

    The parent process reads only a file's first bytes and size: whatever parses the file
    (a zip's directory included) or runs over its text happens in the child, except for a
    small plain-text file, which is read in place.
    """
    path = Path(path)
    named = Path(name or path).suffix.lower()
    magic = _magic(path)
    readers = formats.readable()
    if magic is None and named not in readers:
        return Extraction("", "unsupported")
    in_place = named in readers and readers[named].in_place
    if not guarded or (magic is None and in_place and _size(path) <= MAX_UNGUARDED_BYTES):
        return _read(path, named, scan)
    from .guard import run_guarded

    status, value = run_guarded(_read, path, named, scan)
    if status == "ok":
        return value
    if status == "limit":
        return Extraction("", value)
    log.warning("extraction failed for %s: %s", name or path, value)
    return Extraction("", "corrupt")


# Small plain text (formats declared `in_place`) is read in place: decoding it and running
# clean_text and a scan over it are linear and cheap, and it skips the child process (whose fork
# cost capped ingest at ~110 text records/s). A larger one goes to the child, under the time budget.
_ZIP_MAGIC = b"PK\x03\x04"


def _magic(path: Path) -> str | None:
    """Return the suffix a file's first bytes show (a declared magic), "zip" for a zip, else None."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return None
    if suffix := formats.by_magic(head):
        return suffix
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    return None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the reader reports it


def sniff(path: Path) -> str | None:
    """Return the format a file's bytes show, whatever its name says.

    Agencies mislabel files (an HWPX saved as .hwp, a scan named .pdf that is a JPEG); the
    bytes decide which reader runs, the name only where the bytes say nothing. A zip is
    listed (within the package caps: NoText("too_large") past them), so this runs where the
    reader runs, in the child.
    """
    magic = _magic(path)
    if magic != "zip":
        return magic
    from .package import open_package_zip

    try:
        with open_package_zip(path) as zf:
            names = frozenset(zf.namelist())
    except NoText as exc:
        if exc.reason == "too_large":
            raise
        return None  # not a readable zip: the name decides
    except OSError:
        return None
    return formats.by_zip_members(names)


def _read(path: Path, named: str, scan: Callable[[str], list] | None) -> Extraction:
    """Sniff, read, clean and scan one file, in this process."""
    try:
        suffix = sniff(path) or named
    except NoText as exc:
        return Extraction("", exc.reason)
    if suffix not in formats.readable():
        return Extraction("", "unsupported")
    result = _extract(path, suffix)
    if scan is not None and result.text:
        result.findings = scan(result.text)
    return result


def _extract(path: Path, suffix: str) -> Extraction:
    reader = formats.reader_of(suffix)
    try:
        text, pages = reader(path)
    except NoText as exc:
        return Extraction(clean_text(exc.text) if exc.text else "", exc.reason, exc.pages)
    except MemoryError:
        return Extraction("", "too_large")
    except Exception:  # a hostile or broken file must not stop the batch
        log.warning("extraction failed for %s", path, exc_info=True)
        return Extraction("", "corrupt")
    text = clean_text(text)
    return Extraction(text, None if text else "empty", pages)
