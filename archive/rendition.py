"""PDF renditions: a PDF original is served as it is; other text gets a PDF of its text.

fpdf2 sets about 35-45 thousand characters a second on the portal's 2-core machine
(15-28 A4 pages a second in NanumGothic; a text of short lines is slowest, 150 000 characters
of one-letter lines in 7 s). So a rendition is only made for a text under MAX_CHARS, in a
child process with a time and memory budget (the guard the extractors run in), one at a time
per file, and the cache only ever holds whole PDFs: written to a temp file, synced, renamed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .extract.guard import run_guarded

log = logging.getLogger(__name__)
logging.getLogger("fontTools").setLevel(logging.ERROR)
logging.getLogger("fpdf").setLevel(logging.ERROR)  # a missing glyph is drawn blank, not an error

DEFAULT_FONT = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"

MAX_CHARS = 150_000  # characters of text; about 4 s (75 pages) of Korean prose, 7 s at worst
SECONDS = 20.0  # wall time of one rendering child, under gunicorn's 30 s worker timeout
MEMORY = 1024 * 1024 * 1024  # address space of the rendering child (as for extraction)
STALE_PART = 3600  # seconds after which a .part left by a killed worker is swept


class FontMissing(Exception):
    """The Korean font for text renditions is not installed."""


class RenditionRefused(Exception):
    """The text is over the size a rendition is made for; nothing was started."""

    def __init__(self, chars: int, cap: int):
        super().__init__(f"{chars} characters, over the cap of {cap}")
        self.chars, self.cap = chars, cap


class RenditionFailed(Exception):
    """The rendering ran out of time or memory, failed, or another request was making it."""

    def __init__(self, reason: str, seconds: float):
        super().__init__(reason)
        self.reason, self.seconds = reason, seconds  # reason: timeout, memory, error, busy


HEADER = ("텍스트 변환본 — 원문에서 추출한 글자만 담았습니다. 서식과 그림은 원문을 보십시오.\n"
          "Text rendition: the text extracted from the original, without its layout.")
EMPTY = "(텍스트 없음)"


def text_pdf(text: str, title: str, font_path: str = DEFAULT_FONT, header: str = HEADER, empty: str = EMPTY) -> bytes:
    """Set a text in a Korean font as a PDF, headed as a text rendition.

    `header` and `empty` come from the caller in the reader's language (the web layer translates them;
    archive/ knows no request).
    """
    if not Path(font_path).is_file():
        raise FontMissing(font_path)
    # Imported where a PDF is made, not at module load: fpdf2 costs every CLI run 0.4-0.8 s.
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Yeollam (열람)")
    pdf.add_font("Korean", fname=font_path)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Korean", size=9)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 5, header)
    pdf.ln(3)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Korean", size=14)
    pdf.multi_cell(0, 8, title)
    pdf.ln(2)
    pdf.set_font("Korean", size=10.5)
    pdf.multi_cell(0, 6.5, text or empty)
    return bytes(pdf.output())


def rendition_path(cache_dir: Path, sha256: str, title: str, header: str = HEADER) -> Path:
    # one file per original, title and header language: still named by the original's hash, so a
    # withhold's purge ({sha256}-*.pdf) removes every language's copy
    key = title if header == HEADER else f"{title}\0{header}"
    return Path(cache_dir) / f"{sha256}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.pdf"


def cached_text_pdf(cache_dir: Path, sha256: str, text: str, title: str, font_path: str, *,
                    max_chars: int = MAX_CHARS, seconds: float = SECONDS, memory: int = MEMORY,
                    header: str = HEADER, empty: str = EMPTY) -> Path:
    """Return the cached text rendition of a file, making it once, within the budgets.

    Keyed by the original's hash: the cache holds no notion of disclosure, so callers
    must check the attachment is public before they reach here. Raises RenditionRefused
    (text over max_chars), RenditionFailed (out of time or memory, or being made by another
    request that then failed) or FontMissing; on every failure the cache is left as it was.
    """
    cache_dir = Path(cache_dir)
    target = rendition_path(cache_dir, sha256, title, header)
    if target.is_file():
        return target
    if len(text) > max_chars:
        raise RenditionRefused(len(text), max_chars)
    if not Path(font_path).is_file():
        raise FontMissing(font_path)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(target.with_suffix(".lock"), wait=seconds + 2) as waited:
        if target.is_file():
            return target  # made by the request we waited for
        if waited:
            # the request we waited for tried and failed: do not spend a second budget on it now
            raise RenditionFailed("busy", seconds)
        _sweep_parts(cache_dir)
        import fpdf  # noqa: F401  in this worker once, before the fork: each child then starts with it
        status, result = run_guarded(text_pdf, text, title, font_path, header, empty, seconds=seconds, memory=memory)
        if status != "ok" or not isinstance(result, bytes) or not result.startswith(b"%PDF"):
            reason = "memory" if result == "too_large" else "timeout" if result == "timeout" else "error"
            log.warning("rendition of %s failed: %s %s", sha256, status, result)
            raise RenditionFailed(reason, seconds)
        try:
            _write_whole(target, result)
        except OSError as exc:  # a full disk, a read-only cache: the operator's, logged
            log.warning("rendition of %s not written: %s", sha256, exc)
            raise RenditionFailed("error", seconds) from exc
    return target


def _write_whole(target: Path, data: bytes) -> None:
    """Write a file so that it is either absent or complete: temp file, fsync, rename."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _sweep_parts(cache_dir: Path) -> None:
    """Delete temp files a killed worker left behind (never one still being written)."""
    cutoff = time.time() - STALE_PART
    for part in cache_dir.glob(".*.part"):
        with contextlib.suppress(OSError):
            if part.stat().st_mtime < cutoff:
                part.unlink()


@contextlib.contextmanager
def _exclusive(path: Path, wait: float) -> Iterator[bool]:
    """Hold an exclusive lock on `path` (made, and deleted on release); yield whether we waited.

    Waits at most `wait` seconds for another holder, then raises RenditionFailed("busy").
    The lock file is deleted on release; a holder that opened it before the deletion sees
    a different inode than the path's and tries again.
    """
    deadline = time.monotonic() + wait
    waited = False
    while True:
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            waited = True
            if time.monotonic() > deadline:
                raise RenditionFailed("busy", wait) from None
            time.sleep(0.1)
            continue
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # locked a file its holder had already deleted: take the new one
    try:
        yield waited
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)


def forget(cache_dir: Path, sha256: str) -> int:
    """Delete the cached renditions of a file (after a withhold); return how many."""
    removed = 0
    for path in Path(cache_dir).glob(f"{sha256}-*.pdf"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed
