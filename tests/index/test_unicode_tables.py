"""The character classes written in archive/unicode_tables.py are what this Python computes.

A stale table would fold or bound text by another Unicode version's rules: the analysis would
index terms a query no longer makes, or the cleaning let a run of marks through unbounded.
"""

from __future__ import annotations

import unicodedata

import pytest

from archive import unicode_tables
from archive.extract import clean
from index import analysis
from tools.unicode_tables import computed


def test_the_written_tables_are_this_pythons():
    if unicode_tables.VERSION != unicodedata.unidata_version:
        pytest.skip(f"tables of Unicode {unicode_tables.VERSION}; this Python has {unicodedata.unidata_version} "
                    "(computed at import: run `.venv/bin/python -m tools.unicode_tables`)")
    assert unicode_tables.TABLES == computed()


def test_the_modules_use_them():
    want = computed()
    assert analysis._STABLE.pattern == f"[{want['stable']}]+"
    assert clean._BMP_MARKS == want["bmp_marks"] and clean._ALL_MARKS == want["all_marks"]


def test_another_unicode_version_computes_its_own(monkeypatch):
    monkeypatch.setattr(unicode_tables, "VERSION", "0.0.0")
    assert unicode_tables.cached("stable") is None
