"""Korean-aware analysis: character bigrams for Hangul and CJK, whole words for the rest.

Hangul has no reliable word boundaries for a machine without a dictionary: particles glue
to nouns (협의회에서) and compounds are written with or without spaces. Overlapping
bigrams, matched as phrases, behave like substring search, which is what a reader expects
of a records portal. Latin letters and digits stay whole, lower-cased.
"""

from __future__ import annotations

import unicodedata


def is_cjk(ch: str) -> bool:
    """Return whether a character belongs to a Hangul/CJK run (bigrammed)."""
    code = ord(ch)
    return (
        0xAC00 <= code <= 0xD7A3  # Hangul syllables
        or 0x1100 <= code <= 0x11FF  # Hangul jamo
        or 0x3130 <= code <= 0x318F  # Hangul compatibility jamo
        or 0xA960 <= code <= 0xA97F or 0xD7B0 <= code <= 0xD7FF  # jamo extended
        or 0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF
    )


def _runs(text: str):
    """Yield (kind, chars, starts, ends) for each run; kind is 'cjk' or 'word'.

    Each character is NFKC-folded and lower-cased on its own, so that offsets still point
    into the original text (full-width Ａ and ｃ fold, yet highlight in place).
    """
    kind = None
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, raw in enumerate(text):
        for ch in unicodedata.normalize("NFKC", raw).lower():
            this = "cjk" if is_cjk(ch) else ("word" if ch.isalnum() else None)
            if this != kind and chars:
                yield kind, chars, starts, ends
                chars, starts, ends = [], [], []
            kind = this
            if this is not None:
                chars.append(ch)
                starts.append(i)
                ends.append(i + 1)
    if chars and kind is not None:
        yield kind, chars, starts, ends


_BRIDGEABLE = {" ", "\t", "\u00a0", "\u3000"}


def _pieces(value: str):
    """Yield (text, start, end) of each token, in order.

    Between two Hangul/CJK runs separated only by spaces, a bridge bigram joins the last
    syllable of one to the first of the next, so that 위원회 제도 and 위원회제도 index the
    same adjacent bigrams: a reader's spacing does not decide what is found.
    """
    previous = None  # (kind, run, starts, ends) of the run before
    for kind, run, starts, ends in _runs(value):
        if (kind == "cjk" and previous and previous[0] == "cjk"
                and 0 < starts[0] - previous[3][-1] <= 3
                and set(value[previous[3][-1] : starts[0]]) <= _BRIDGEABLE):
            yield previous[1][-1] + run[0], previous[2][-1], ends[0]
        if kind == "cjk" and len(run) > 1:
            for i in range(len(run) - 1):
                yield run[i] + run[i + 1], starts[i], ends[i + 1]
        else:
            yield "".join(run), starts[0], ends[-1]
        previous = (kind, run, starts, ends)


def terms(text: str) -> list[str]:
    """Return the index terms of a text, in order (every engine indexes these)."""
    return [token for token, _, _ in _pieces(text)]


pieces = _pieces  # the name engines and the query language use
