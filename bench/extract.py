"""Extraction throughput per format: files/s and MB/s, against a hashing baseline in the same run.

    .venv/bin/python bench/extract.py [CORPUS_DIR] [--repeat N]

Reads every file of ../shared/corpus (by default) and, for the formats it lacks, files this
script writes (XLSX, ODT-free DOCX, TXT, Markdown, PDF). Prints per format: files, MB, files/s
and MB/s unguarded (in process) and guarded (a forked child with time and memory caps, as
ingest runs it), and the baseline of reading and hashing the same bytes. Also pypdf against
pdfplumber on the same PDFs, the choice this project made for Korean word spacing.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.extract import extract_text  # noqa: E402
from tools.docmaker import write_hwpx, write_pdf  # noqa: E402

TEXT = (ROOT / "data" / "sample-src" / "D0000032552803-body.txt").read_text(encoding="utf-8")


def generated(folder: Path) -> list[Path]:
    """Write one file per format the corpus lacks, from the seed's body text."""
    import docx
    import openpyxl

    plain = TEXT.replace("|", " ")
    (folder / "seed.txt").write_text(plain, encoding="utf-8")
    (folder / "seed-cp949.txt").write_bytes(plain.encode("cp949", errors="replace"))
    (folder / "seed.md").write_text("# 개최결과 보고\n\n" + plain, encoding="utf-8")
    write_hwpx(folder / "seed.hwpx", TEXT)
    write_pdf(folder / "seed.pdf", plain)
    document = docx.Document()
    for line in plain.splitlines():
        document.add_paragraph(line)
    document.save(folder / "seed.docx")
    book = openpyxl.Workbook()
    for i, line in enumerate(plain.splitlines()):
        book.active.append([i, line[:50], len(line)])
    book.save(folder / "seed.xlsx")
    return sorted(p for p in folder.iterdir() if p.is_file())


def measure(files: list[Path], repeat: int, **kwargs) -> dict[str, list[float]]:
    """Return {format: [files, bytes, seconds]} for extract_text over the files."""
    out: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for path in files:
        fmt = path.suffix.lower().lstrip(".")
        start = time.perf_counter()
        for _ in range(repeat):
            extract_text(path, **kwargs)
        out[fmt][0] += repeat
        out[fmt][1] += path.stat().st_size * repeat
        out[fmt][2] += time.perf_counter() - start
    return out


def baseline(files: list[Path], repeat: int) -> dict[str, float]:
    """Seconds per format to read and hash the same bytes (what ingest pays anyway)."""
    out: dict[str, float] = defaultdict(float)
    for path in files:
        start = time.perf_counter()
        for _ in range(repeat):
            hashlib.sha256(path.read_bytes()).hexdigest()
        out[path.suffix.lower().lstrip(".")] += time.perf_counter() - start
    return out


def pdf_libraries(files: list[Path], repeat: int) -> None:
    import pdfplumber
    from pypdf import PdfReader

    pdfs = [p for p in files if p.suffix.lower() == ".pdf"]
    timings = {}
    for name, read in (
        ("pypdf", lambda p: [page.extract_text() for page in PdfReader(p).pages]),
        ("pdfplumber", lambda p: [page.extract_text() for page in pdfplumber.open(p).pages]),
    ):
        start = time.perf_counter()
        for _ in range(repeat):
            for path in pdfs:
                try:
                    read(path)
                except Exception:  # noqa: BLE001 - encrypted files raise in both
                    pass
        timings[name] = time.perf_counter() - start
    print(f"\nPDF text, {len(pdfs)} files x {repeat}: pypdf {timings['pypdf']:.3f}s, "
          f"pdfplumber {timings['pdfplumber']:.3f}s (ratio {timings['pdfplumber'] / timings['pypdf']:.1f}x)")


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    corpus = Path(args.corpus)
    files = sorted(p for p in corpus.glob("*/*") if p.is_file() and p.parent.name != "licences")
    with tempfile.TemporaryDirectory() as tmp:
        files += generated(Path(tmp))
        unguarded = measure(files, args.repeat, guarded=False)
        guarded = measure(files, args.repeat)
        base = baseline(files, args.repeat)
        print(f"machine: {platform.machine()}, {cpu_name()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()}")
        print(f"{'format':<6} {'files':>5} {'MB':>7} {'files/s':>9} {'MB/s':>7} "
              f"{'guarded f/s':>11} {'MB/s':>7} {'x hash':>7}")
        for fmt in sorted(unguarded):
            n, size, secs = unguarded[fmt]
            _, _, gsecs = guarded[fmt]
            mb = size / 1e6
            print(f"{fmt:<6} {n:>5.0f} {mb:>7.2f} {n / secs:>9.1f} {mb / secs:>7.2f} "
                  f"{n / gsecs:>11.1f} {mb / gsecs:>7.2f} {secs / max(base[fmt], 1e-9):>7.0f}")
        pdf_libraries(files, args.repeat)


if __name__ == "__main__":
    main()
