"""Reading scans: one page of an image-only PDF (rasterised by pypdfium2) or one frame of a picture
(Pillow), read by Tesseract with its Korean data.

Everything here parses untrusted bytes, so it runs in the extraction guard's child (archive/scans.py
calls it through run_guarded, one page at a time, within a page's time and memory budget). Tesseract
is a separate program: it is started so that it dies with the child (PR_SET_PDEATHSIG) and within
the child's own address-space cap, so a killed or timed-out page leaves no Tesseract running.

Settings measured by bench/ocr.py (docs in README, "Scans"): 300 dpi, page-segmentation mode 6
(one uniform block of text; the default 3 drops lines of a cropped page), languages kor+eng.
"""

from __future__ import annotations

import ctypes
import io
import os
import shutil
import signal
import subprocess
from pathlib import Path

DPI = 300
PSM = 6
LANGS = "kor+eng"
MAX_PIXELS = 80_000_000  # one page or frame: a 300 dpi A2 sheet; more is refused, not decoded
PDF, IMAGE = "pdf", "image"


class PageRefused(Exception):
    """A page that cannot be read (too large, undecodable, Tesseract failed); the message says why."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason


def available() -> bool:
    """Whether Tesseract and its Korean data are installed (Debian tesseract-ocr, tesseract-ocr-kor)."""
    if shutil.which("tesseract") is None:
        return False
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "kor" in out.split()


def page_plan(path: Path, kind: str) -> list[int]:
    """The pages (0-based) to read: every frame of a picture; a PDF's pages without a text layer."""
    if kind == IMAGE:
        with _open_image(path) as image:
            return list(range(getattr(image, "n_frames", 1)))
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        wanted = []
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            if not textpage.get_text_range().strip():
                wanted.append(i)
            textpage.close()
            page.close()
        return wanted
    finally:
        pdf.close()


def read_page(path: Path, kind: str, index: int, seconds: float, dpi: int = DPI, psm: int = PSM,
              langs: str = LANGS) -> str:
    """The text Tesseract reads on one page; PageRefused when it cannot be read."""
    image = render_pdf_page(path, index, dpi) if kind == PDF else _frame(path, index)
    page_dpi = dpi if kind == PDF else _dpi_of(image)
    return tesseract(image, page_dpi, psm, seconds, langs)


def render_pdf_page(path: Path, index: int, dpi: int = DPI):
    """One PDF page as a greyscale Pillow image at `dpi`, refused past MAX_PIXELS."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[index]
        width, height = page.get_size()  # points, 1/72 inch
        if width * height * (dpi / 72) ** 2 > MAX_PIXELS:
            raise PageRefused("too_large", f"page {index + 1}: {width:.0f} x {height:.0f} pt at {dpi} dpi")
        bitmap = page.render(scale=dpi / 72, grayscale=True)
        image = bitmap.to_pil()
        page.close()
        return image
    finally:
        pdf.close()


def _open_image(path: Path):
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # past it Pillow raises DecompressionBombError (twice: warns)
    try:
        image = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise PageRefused("too_large", str(exc)) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise PageRefused("corrupt", str(exc)) from exc
    if image.width * image.height > MAX_PIXELS:
        image.close()
        raise PageRefused("too_large", f"{image.width} x {image.height} pixels")
    return image


def _frame(path: Path, index: int):
    with _open_image(path) as image:
        try:
            image.seek(index)
            frame = image.convert("L")
            frame.info["dpi"] = image.info.get("dpi")
        except (OSError, EOFError, ValueError) as exc:
            raise PageRefused("corrupt", f"frame {index + 1}: {exc}") from exc
    return frame


def _dpi_of(image) -> int:
    """The resolution a picture declares (rounded), else 300: Tesseract scales its heuristics by it."""
    dpi = image.info.get("dpi")
    try:
        value = round(float(dpi[0]))
    except (TypeError, ValueError, IndexError):
        return DPI
    return value if 70 <= value <= 1200 else DPI


_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Die when the parent process dies (killed for time, or kill -9): Tesseract before its exec, the guard's child."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def tesseract(image, dpi: int, psm: int, seconds: float, langs: str = LANGS) -> str:
    """Run the tesseract program over one image (PGM on stdin, text on stdout)."""
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="PPM")  # greyscale PGM: no compression cost either way
    # one thread: OpenMP threads make Tesseract slower on a shared machine (and ocrmypdf does the same)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(["tesseract", "-", "-", "-l", langs, "--psm", str(psm), "--dpi", str(dpi)],
                              input=buffer.getvalue(), capture_output=True, timeout=seconds, env=env,
                              preexec_fn=die_with_parent, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PageRefused("timeout", f"tesseract took over {seconds:.0f} s") from exc
    except OSError as exc:
        raise PageRefused("ocr_unavailable", str(exc)) from exc
    if done.returncode != 0:
        raise PageRefused("corrupt", done.stderr.decode("utf-8", "replace")[-300:])
    return done.stdout.decode("utf-8", "replace")
