"""Hostile text: every pattern run over an extracted text costs time linear in the text.

Texts are written by anyone and reach 50 MB. A pattern that backtracks over the text from
every position costs its square: 200 KB of one letter took the old e-mail pattern a minute.
Each case times the work (CPU time of the process doing it, the best of a few runs) on 200 KB
and on 2 MB of the same text: linear work grows about 10 times, quadratic 100 times. The work
runs in a guarded child, so that a quadratic case fails on its time budget instead of hanging
the suite.
"""

import time
import unicodedata

import pytest

from archive.extract import clean
from archive.extract.clean import clean_text
from archive.extract.guard import run_guarded
from archive.pii import find_personal_data

SMALL, BIG = 200_000, 2_000_000
pytestmark = pytest.mark.slow  # each case times 2 MB of text in a child: 19 s in all


def _work(func, unit: str) -> tuple[float, float]:
    """Return the CPU seconds `func` takes over SMALL and over BIG characters of `unit` repeated."""
    def best(text: str, runs: int) -> float:
        times = []
        for _ in range(runs):
            start = time.process_time()
            func(text)
            times.append(time.process_time() - start)
        return min(times)

    return best(unit * (SMALL // len(unit)), 3), best(unit * (BIG // len(unit)), 2)


def _assert_linear(func, unit: str) -> None:
    status, value = run_guarded(_work, func, unit, seconds=40)
    assert status == "ok", f"{unit!r}: {value} (the work is not linear)"
    small, big = value
    assert big < 30 * max(small, 0.005), f"{unit!r}: {small:.3f} s for 200 KB, {big:.3f} s for 2 MB"


# runs the e-mail, phone and resident-number patterns can start, stop and restart in
MAIL_AND_NUMBERS = [
    "a", "a.", "@", "a@", "@a", "a@a.", "a@a-", "a@1.", "a@a.1", ".@", "%+-", "a@b.co", "x@" + "a." * 40 + "1 ",
    "0", "01", "010-", "0101", "02 ", "자택 02", "8001011", "800101-",
]


@pytest.mark.parametrize("unit", MAIL_AND_NUMBERS)
def test_personal_data_scan_is_linear(unit):
    _assert_linear(find_personal_data, unit)


# runs of combining marks, which normalisation sorts (the U+0F73 kind decomposes into marks)
MARKS = ["\u0301", "\u0316\u0301", "a\u0301\u0316", "\u0f73", "\u0344", "\u0301" * 29 + "a",
         "\U0001d165\U0001d167", "\U0001d167\U0001d165", "a", " ", "\n", "\r\n", "\t \n", "\ue000", "\x01", "가"]


@pytest.mark.parametrize("unit", MARKS)
def test_clean_text_is_linear(unit):
    _assert_linear(clean_text, unit)


def test_clean_text_is_linear_over_one_long_run_of_marks_out_of_order():
    status, value = run_guarded(_work, clean_text, "a" + "\u0301" * 100_000 + "\u0316" * 100_000, seconds=40)
    assert status == "ok", value


def test_runs_of_marks_are_cut_after_thirty_and_ordinary_marks_kept():
    assert clean_text("e\u0301") == "é"
    assert clean_text("a" + "\u0301" * 40) == unicodedata.normalize("NFC", "a" + "\u0301" * 30)
    korean = "한글 자모 \u1112\u1161\u11ab 그대로"
    assert clean_text(korean) == unicodedata.normalize("NFC", korean)


def test_every_mark_lies_in_the_ranges_searched():
    # the class of marks is built at import from MARK_RANGES only; a newer Unicode could add
    # marks elsewhere, which this finds
    outside = [hex(cp) for cp in range(0x110000)
               if not any(lo <= cp < hi for lo, hi in clean.MARK_RANGES) and clean.is_mark(chr(cp))]
    assert outside == []
