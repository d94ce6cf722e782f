"""Quicker patterns find exactly what their plain forms find: personal data, the cleaning of text.

archive/pii.py tests "no digit before" after a pattern's first character, so that the regex engine
can skip to candidate characters; a slip there would silently stop finding resident numbers or
phones, and withheld-worthy data would go public unflagged. The plain forms are the reference.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from archive import pii
from archive.extract import clean

PLAIN = {
    "_RRN": re.compile(r"(?<!\d)(\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\s?-?\s?([1-8])(\d{6})(?!\d)"),
    "_MOBILE": re.compile(r"(?<!\d)(01[016789])[-. ]?(\d{3,4})[-. ]?(\d{4})(?!\d)"),
    "_LANDLINE": re.compile(r"(?<!\d)(02|0[3-6][1-5]|070)[-. )]?(\d{3,4})[-. ]?(\d{4})(?!\d)"),
}

# pieces of numbers (prefixes, groups, birth dates), the separators the patterns allow, digits of
# other scripts (\d takes every decimal digit) and letters around them: random characters alone
# would almost never make a whole phone number, so a broken pattern would pass unseen
ALPHABET = st.sampled_from(["010", "011", "02", "031", "064", "070", "080", "1234", "567", "5678", "900101",
                            "1234568", "3", "0", "9", "-", ".", " ", ")", "\t", "\n", "가", "자택", "a", "@",
                            "０", "١", "\u3000"])
TEXTS = st.lists(ALPHABET, max_size=14).map("".join)


def found(pattern: re.Pattern, text: str) -> list:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


@settings(max_examples=2000, deadline=None)
@given(TEXTS)
def test_each_pattern_finds_what_its_plain_form_finds(text):
    for name, plain in PLAIN.items():
        assert found(getattr(pii, name), text) == found(plain, text), name


def test_known_numbers_at_every_edge():
    rrn = "900101-1234568"  # check digit valid
    assert pii.rrn_is_valid(rrn.replace("-", ""))
    for text in (rrn, f"주민 {rrn}.", f"a{rrn}", f"{rrn}가", "010-1234-5678", "(02)123-4567 자택"):
        for name, plain in PLAIN.items():
            assert found(getattr(pii, name), text) == found(plain, text), (name, text)
    assert not found(pii._RRN, "1" + rrn)  # a digit before: not a resident number
    assert not found(pii._MOBILE, "9010-1234-5678")
    assert [f.kind for f in pii.find_personal_data(f"신청인 {rrn}, 010-1234-5678")] == ["rrn", "mobile"]


def test_an_address_is_found_whatever_stands_before_it():
    # the quick "@" check skips the e-mail scan only for a text without one
    assert [f.kind for f in pii.find_personal_data("연락: hong.gildong@example.com")] == ["email"]
    assert pii.find_personal_data("연락처 없음") == []


# -- the cleaning of extracted text (archive/extract/clean.py) -------------------------------

_PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ALL_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def plain_clean(text: str) -> str:
    """clean_text as first written: every run of spaces replaced, line by line."""
    text = unicodedata.normalize("NFC", clean.bound_marks(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", _PRIVATE_USE.sub("", text))
    lines = [_ALL_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


SPACEY = st.lists(st.sampled_from([" ", "  ", "\t", "\u00a0", "\u3000", "\n", "\r\n", "\r", "가", "나다", "a",
                                   "\ue000", "\x07", "\u2028", "\x85", "e\u0301", "\U00020000", "\u2003"]),
                  max_size=20).map("".join)


@settings(max_examples=2000, deadline=None)
@given(SPACEY)
def test_cleaning_gives_what_the_plain_cleaning_gives(text):
    assert clean.clean_text(text) == plain_clean(text)


def test_the_marks_past_the_bound_go_with_a_character_beyond_the_bmp_anywhere():
    marks = "\U0001d165" * 40  # a musical combining mark beyond U+FFFF
    assert clean.bound_marks("a" + marks) == "a" + "\U0001d165" * clean.MAX_MARKS
    assert clean.bound_marks("a" + "\u0301" * 40) == "a" + "\u0301" * clean.MAX_MARKS
