"""Normalise extracted text: NFC, no private-use glyphs, tidy spaces.

Every step runs over whole extracted texts written by anyone, so each must cost time linear
in the text: the patterns here are single characters or runs of one character class, and NFC
is made linear by bounding runs of combining marks first (below).
"""

from __future__ import annotations

import re
import unicodedata

from ..unicode_tables import cached

# Hancom's private-use glyphs (bullets, symbols) have no meaning outside Hangul.
# and controls other than tab and line ends: both dropped in one pass
_UNWANTED = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Runs of spaces become one space. Only the runs that change are matched (two or more, or one
# that is not " "): a match for every space of a Korean text (one character in four) cost most of
# the cleaning. Starting with the class lets the regex engine skip to the next space.
_SPACES = re.compile(r"[ \t\u00a0\u3000](?:(?<=[\t\u00a0\u3000])|(?=[ \t\u00a0\u3000]))[ \t\u00a0\u3000]*")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_BLANK_LINES = re.compile(r"\n{3,}")

# Normalisation puts each run of combining marks in canonical order with an insertion sort:
# quadratic in the run's length (40 000 marks took 4 s, a megabyte would take minutes). No
# writing system stacks more than a few marks; after MAX_MARKS in a row the rest of the run
# is dropped (the "stream-safe" bound of UAX #15 is 30). A mark is a character whose
# decomposition starts with a non-starter (canonical combining class not 0), which includes
# the few (U+0F73, U+0F75, U+0F81) that are starters themselves but decompose into marks.
# They all lie below U+20000 or in plane 14 (tests check this against the whole range).
MAX_MARKS = 30
MARK_RANGES = ((0x300, 0x20000), (0xE0000, 0xE1000))


def is_mark(char: str) -> bool:
    if unicodedata.combining(char):
        return True
    return bool(unicodedata.decomposition(char)) and unicodedata.combining(unicodedata.normalize("NFD", char)[0]) != 0


def _mark_class(lo: int, hi: int) -> str:
    """Return the marks in [lo, hi) as a character class of ranges."""
    ranges: list[list[int]] = []
    for cp in (ord(c) for c in map(chr, range(lo, hi)) if is_mark(c)):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


# sre tests a class of characters up to U+FFFF in one step, one of higher ones range by range
# (twenty times slower): the full class is used only on a text that holds such characters.
def _computed_marks(bmp: bool) -> str:
    marks = _mark_class(MARK_RANGES[0][0], 0x10000)
    return marks if bmp else marks + "".join(_mark_class(max(lo, 0x10000), hi) for lo, hi in MARK_RANGES)


# computed once per Unicode version (archive/unicode_tables.py): 45 ms of every process start
_BMP_MARKS = cached("bmp_marks") or _computed_marks(bmp=True)
_ALL_MARKS = cached("all_marks") or _computed_marks(bmp=False)
_BMP_MARK_RUN = re.compile(f"([{_BMP_MARKS}]{{{MAX_MARKS}}})[{_BMP_MARKS}]+")
_MARK_RUN = re.compile(f"([{_ALL_MARKS}]{{{MAX_MARKS}}})[{_ALL_MARKS}]+")


def bound_marks(text: str) -> str:
    """Drop combining marks past MAX_MARKS in a row, so that normalising the text is linear."""
    pattern = _MARK_RUN if _ASTRAL.search(text) else _BMP_MARK_RUN  # max(text): 30 ns a character
    return pattern.sub(r"\1", text)


def clean_text(text: str) -> str:
    """Return text in NFC with private-use glyphs dropped and spaces collapsed."""
    text = unicodedata.normalize("NFC", bound_marks(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _UNWANTED.sub("", text)
    # A scan of a regular expression costs ~25 ns a character, a substring test ~1: each pattern
    # below runs only on a text that holds what it could match (most extracted text holds none).
    if "\t" in text or "\u00a0" in text or "\u3000" in text or "  " in text:
        text = _SPACES.sub(" ", text)
    text = "\n".join([line.strip() for line in text.split("\n")])  # no run of spaces holds a \n
    return (_BLANK_LINES.sub("\n\n", text) if "\n\n\n" in text else text).strip()
