"""The analysis of VERSION 2 as first written, one character at a time: the reference the fast one is checked against.

Kept verbatim (tests/index/test_analysis_fast.py): index.analysis must give exactly these tokens, or an index
built by one and a query parsed by the other would disagree without a version bump.


Hangul has no reliable word boundaries for a machine without a dictionary: particles glue
to nouns (협의회에서) and compounds are written with or without spaces. Overlapping
bigrams, matched as phrases, behave like substring search, which is what a reader expects
of a records portal. Latin letters and digits stay whole, lower-cased.

Numbers (VERSION 2): a thousands separator joins its groups (11,000 is the term 11000), and a
Hangul word right after a number also gives its first syllable alone (11,000원으로: 11000 원
원으 으로), so that a unit typed without what follows it (11,000원, 9호) finds the text. A
hyphened Latin word is also given joined, before its parts (Wi-Fi: wifi wi fi).
"""

from __future__ import annotations

import unicodedata

VERSION = 2  # what the index holds changes with it: index.service rebuilds an index made by another


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


def _digits(chars: list[str], stop: int) -> bool:
    return all(ch.isdecimal() for ch in chars[:stop])


def _grouped(value: str, held, run) -> bool:
    """Whether `run` continues the number `held` past a thousands separator (11 , 000)."""
    chars = run[1]
    return (held[0] == "word" and run[0] == "word" and _digits(held[1], len(held[1]))
            and len(chars) >= 3 and _digits(chars, 3) and (len(chars) == 3 or not chars[3].isdecimal())
            and unicodedata.normalize("NFKC", value[held[3][-1] : run[2][0]]) == ",")


def _numbers(value: str):
    """The runs of `value`, a number's groups joined across thousands separators (one run held back)."""
    held = None
    for run in _runs(value):
        if held is not None and _grouped(value, held, run):
            held = ("word", held[1] + run[1], held[2] + run[2], held[3] + run[3])
            continue
        if held is not None:
            yield held
        held = run
    if held is not None:
        yield held


_HYPHENS = {"-", "\u2010", "\u2011"}
MAX_JOINED = 4  # parts of a hyphened Latin word also indexed joined (wi-fi: wifi); longer chains are not


def _hyphened(value: str, a, b) -> bool:
    """Whether two runs are Latin words joined by one hyphen (wi-fi, e-mail; not covid-19)."""
    return (a[0] == "word" and b[0] == "word" and a[1][-1].isalpha() and b[1][0].isalpha()
            and b[2][0] - a[3][-1] == 1 and unicodedata.normalize("NFKC", value[a[3][-1]]) in _HYPHENS)


def _joined(value: str, runs):
    """The runs, each hyphened Latin word given first joined as well (Wi-Fi: wifi wi fi), so WiFi finds it."""
    chain: list = []
    long = False  # past MAX_JOINED parts: the rest of this chain goes by as it is
    for run in runs:
        hyphened = bool(chain) and _hyphened(value, chain[-1], run)
        if hyphened and not long and len(chain) < MAX_JOINED:
            chain.append(run)
            continue
        if hyphened and not long:
            yield from chain  # too long to be a word: no joined form
            chain, long = [run], True
            continue
        yield from (chain if long else _chain(chain))
        chain, long = [run], long and hyphened
    yield from (chain if long else _chain(chain))


def _chain(chain: list):
    if len(chain) > 1:
        yield ("joined", [ch for run in chain for ch in run[1]], [chain[0][2][0]], [chain[-1][3][-1]])
    yield from chain


_BRIDGEABLE = {" ", "\t", "\u00a0", "\u3000"}


def _roles(value: str):
    """Yield (text, start, end, role) of each token, in order.

    Roles: 'bigram', 'bridge', 'lone' (a Hangul run of one syllable), 'unit' (the first syllable
    of a Hangul word after a number), 'word'. Between two Hangul/CJK runs separated only by
    spaces, a bridge bigram joins the last syllable of one to the first of the next, so that
    위원회 제도 and 위원회제도 index the same adjacent bigrams: a reader's spacing does not decide
    what is found. A number and the word after it are read the same with or without the space.
    """
    previous = None  # (kind, run, starts, ends) of the run before
    for kind, run, starts, ends in _joined(value, _numbers(value)):
        if kind == "joined":
            yield "".join(run), starts[0], ends[-1], "word"
            continue
        near = (previous is not None and 0 <= starts[0] - previous[3][-1] <= 3
                and set(value[previous[3][-1] : starts[0]]) <= _BRIDGEABLE)
        after_number = kind == "cjk" and near and previous[0] == "word" and previous[1][-1].isdecimal()
        if kind == "cjk" and near and previous[0] == "cjk" and starts[0] > previous[3][-1]:
            yield previous[1][-1] + run[0], previous[2][-1], ends[0], "bridge"
        if kind == "cjk" and len(run) > 1:
            if after_number:
                yield run[0], starts[0], ends[0], "unit"
            for i in range(len(run) - 1):
                yield run[i] + run[i + 1], starts[i], ends[i + 1], "bigram"
        else:
            role = "word" if kind != "cjk" else ("unit" if after_number else "lone")
            yield "".join(run), starts[0], ends[-1], role
        previous = (kind, run, starts, ends)


def _pieces(value: str):
    """Yield (text, start, end) of each token, in order (every engine indexes these)."""
    for text, start, end, _ in _roles(value):
        yield text, start, end


def terms(text: str) -> list[str]:
    """Return the index terms of a text, in order (every engine indexes these)."""
    return [token for token, _, _ in _pieces(text)]


def query_terms(text: str) -> tuple[str, ...]:
    """The terms a typed word is looked for by: its index terms, less a lone syllable beside a bridge.

    The bridge already holds the syllable, and the text may join what the reader spaced
    (물 재이용 finds 물재이용), where no lone term stands. One token of look-ahead: linear.
    """
    out: list[str] = []
    held = None  # the lone syllable waiting to see whether a bridge follows
    last_role = None
    for token, _, _, role in _roles(text):
        if held is not None and role != "bridge":
            out.append(held)
        held = None
        if role == "lone" and last_role == "bridge":
            last_role = role
            continue  # the bridge before ends in it
        if role == "lone":
            held = token
        else:
            out.append(token)
        last_role = role
    if held is not None:
        out.append(held)
    return tuple(out)


pieces = _pieces  # the name engines and the query language use
