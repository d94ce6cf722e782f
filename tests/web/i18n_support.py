"""The gettext catalogs compiled for a test run, so the suite reads the .po files as they are now.

The .mo files are build output (make catalogs): a test must not depend on someone having run make,
nor on a stale .mo. Each test app that speaks English is pointed at catalogs compiled here.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.conftest import PROJECT

TRANSLATIONS = PROJECT / "translations"
LANGUAGES = ("ko", "en")


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def read_catalog(lang: str):
    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def compile_catalogs(out: Path) -> Path:
    """Compile translations/*/messages.po under `out`; return the folder to give BABEL_TRANSLATION_DIRECTORIES."""
    for lang in LANGUAGES:
        target = out / lang / "LC_MESSAGES" / "messages.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            write_mo(handle, read_catalog(lang))
    return out
