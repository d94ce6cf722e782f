"""Hostile text: every pattern run over an extracted text costs time linear in the text.

Texts are written by anyone and reach 50 MB. A pattern that backtracks over the text from
every position costs its square: 200 KB of one letter took the old e-mail pattern a minute.
Each case times the work (CPU time of the process doing it, the best of a few runs) on 200 KB
and on 2 MB of the same text: linear work grows about 10 times, quadratic 100 times. The work
runs in a guarded child, so that a quadratic case fails on its time budget instead of hanging
the suite.
"""

import time

import pytest

from archive.extract.guard import run_guarded
from archive.pii import find_personal_data

SMALL, BIG = 200_000, 2_000_000


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
