"""The format registry: a new format is one module, and the web process never loads a parser."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from archive.extract import extract_text, format_name, formats, media_type_of

ROOT = Path(__file__).resolve().parents[2]


def test_every_declared_reader_resolves():
    readable = formats.readable()
    assert set(readable) == {".hwpx", ".hwp", ".pdf", ".docx", ".xlsx", ".odt", ".txt", ".md", ".csv",
                             ".png", ".jpg", ".jpeg", ".tif", ".tiff"}  # pictures: OCR later (issue 16)
    for suffix in readable:
        assert callable(formats.reader_of(suffix)), suffix
    assert media_type_of("x.ZIP") == "application/zip" and format_name("보고서.HWPX") == "HWPX"
    assert media_type_of("x.exe") == "application/octet-stream" and format_name("x.exe") == "EXE"


def test_the_registry_loads_no_parser_in_the_web_process():
    """The parsers of untrusted bytes run in the guard's child; the registry must not import them."""
    code = ("import sys; from archive.extract import formats, format_name; formats.registry(); "
            "format_name('a.pdf'); print(sorted(m for m in ('pypdf', 'pdfplumber', 'docx', 'openpyxl')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_new_format_is_one_module(tmp_path):
    """Copy the package, drop in one module that declares a format, and it is read (guarded)."""
    shutil.copytree(ROOT / "archive", tmp_path / "archive", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "archive" / "extract" / "rot13.py").write_text(textwrap.dedent('''
        import codecs
        from .formats import Format
        FORMATS = (Format(".r13", "ROT13", "text/x-rot13", read="read", magic=(b"R13:",)),)
        def read(path):
            return codecs.decode(path.read_text()[4:], "rot13"), None
    '''), encoding="utf-8")
    sample = tmp_path / "secret.bin"  # the bytes, not the name, pick the reader
    sample.write_text("R13:uryyb jbeyq", encoding="utf-8")
    code = ("import sys; from archive.extract import extract_text, format_name; "
            f"e = extract_text({str(sample)!r}); print(e.text, format_name('a.r13'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "hello world ROT13"


def test_a_suffix_declared_twice_is_refused(tmp_path):
    shutil.copytree(ROOT / "archive", tmp_path / "archive", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "archive" / "extract" / "twin.py").write_text(
        "from .formats import Format\nFORMATS = (Format('.pdf', 'PDF', 'application/pdf', read='x'),)\n")
    out = subprocess.run([sys.executable, "-c", "from archive.extract import formats; formats.registry()"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode != 0 and "declared twice" in out.stderr


def test_an_unknown_suffix_without_magic_is_unsupported(tmp_path):
    path = tmp_path / "a.xyz"
    path.write_bytes(b"just bytes")
    assert extract_text(path, "a.xyz").reason == "unsupported"
