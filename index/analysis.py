"""Korean-aware analysis: character bigrams for Hangul and CJK, whole words for the rest.

Hangul has no reliable word boundaries for a machine without a dictionary: particles glue
to nouns (협의회에서) and compounds are written with or without spaces. Overlapping
bigrams, matched as phrases, behave like substring search, which is what a reader expects
of a records portal. Latin letters and digits stay whole, lower-cased.

Numbers (VERSION 2): a thousands separator joins its groups (11,000 is the term 11000), and a
Hangul word right after a number also gives its first syllable alone (11,000원으로: 11000 원
원으 으로), so that a unit typed without what follows it (11,000원, 9호) finds the text. A
hyphened Latin word is also given joined, before its parts (Wi-Fi: wifi wi fi).

Speed (issue 11): every character is folded (NFKC, lower case) on its own, so offsets point into
the original text; but text that is already stable under that folding (Hangul syllables, ASCII and
most of the BMP) is folded a chunk at a time, and runs are found by one regular expression, so the
Python work is per run and per token, not per character. tests/index/test_analysis_fast.py holds
this to the character-at-a-time reference (tests/index/reference_analysis.py) token for token.
"""

from __future__ import annotations

import re
import unicodedata
from array import array

from archive.unicode_tables import cached

VERSION = 2  # what the index holds changes with it: index.service rebuilds an index made by another

_CJK_RANGES = ((0xAC00, 0xD7A3), (0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xD7B0, 0xD7FF),
               (0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


def is_cjk(ch: str) -> bool:
    """Return whether a character belongs to a Hangul/CJK run (bigrammed)."""
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def _char_class(ranges) -> str:
    return "".join(f"\\u{lo:04x}-\\u{hi:04x}" if hi > lo else f"\\u{lo:04x}" for lo, hi in ranges)


_CJK = _char_class(_CJK_RANGES)
# A Hangul/CJK run, or a run of the other letters and digits (str.isalnum is \w less the underscore).
_RUN = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)")


def _stable_ranges() -> list[tuple[int, int]]:
    """The BMP characters that NFKC and lower-casing leave as they are, one character at a time.

    Such text folds a chunk at a time with the same result. Left out: surrogates, and Σ, whose
    lower case depends on what follows it when a whole string is lower-cased.
    """
    out: list[tuple[int, int]] = []
    for code in range(0x10000):
        ch = chr(code)
        stable = (not 0xD800 <= code <= 0xDFFF and code != 0x03A3
                  and unicodedata.normalize("NFKC", ch) == ch and len(ch.lower()) == 1)
        if stable and out and out[-1][1] == code - 1:
            out[-1] = (out[-1][0], code)
        elif stable:
            out.append((code, code))
    return out


# computed once per Unicode version (archive/unicode_tables.py): 70 ms of every process start
_STABLE = re.compile(f"[{cached('stable') or _char_class(_stable_ranges())}]+")


def _fold(text: str) -> tuple[str, list[int] | None]:
    """The text folded character by character, and where each folded character came from (None: in place)."""
    if _STABLE.fullmatch(text) or not text:
        return text.lower(), None
    parts: list[str] = []
    origin: list[int] = []
    pos = 0
    for match in _STABLE.finditer(text):
        a, b = match.span()
        _fold_each(text, pos, a, parts, origin)
        parts.append(text[a:b].lower())
        origin.extend(range(a, b))
        pos = b
    _fold_each(text, pos, len(text), parts, origin)
    return "".join(parts), origin


def _fold_each(text: str, a: int, b: int, parts: list[str], origin: list[int]) -> None:
    for i in range(a, b):
        folded = unicodedata.normalize("NFKC", text[i]).lower()
        parts.append(folded)
        origin.extend([i] * len(folded))


class _Text:
    """A text folded, and where each folded character j starts in it (`at`)."""

    __slots__ = ("value", "folded", "origin")

    def __init__(self, value: str):
        self.value = value
        self.folded, self.origin = _fold(value)

    def run(self, match, kind: str) -> tuple:
        """(kind, chars, start, end, j): start/end in the text, j in the folded copy."""
        j0, j1 = match.span()
        if self.origin is None:
            return kind, match.group(), j0, j1, j0
        return kind, match.group(), self.origin[j0], self.origin[j1 - 1] + 1, j0

    def at(self, j: int) -> int:
        return j if self.origin is None else self.origin[j]


def _grouped(value: str, held, run) -> bool:
    """Whether `run` continues the number `held` past a thousands separator (11 , 000)."""
    chars = run[1]
    return (held[0] == "word" and run[0] == "word" and held[1].isdecimal()
            and len(chars) >= 3 and chars[:3].isdecimal() and (len(chars) == 3 or not chars[3].isdecimal())
            and unicodedata.normalize("NFKC", value[held[3] : run[2]]) == ",")


def _numbers(value: str, runs: list) -> list:
    """The runs, a number's groups joined across thousands separators (11,000: one run 11000)."""
    out: list = []
    for run in runs:
        if out and _grouped(value, out[-1], run):
            held = out[-1]
            out[-1] = ("word", held[1] + run[1], held[2], run[3], held[4])
        else:
            out.append(run)
    return out


_HYPHENS = {"-", "\u2010", "\u2011"}
MAX_JOINED = 4  # parts of a hyphened Latin word also indexed joined (wi-fi: wifi); longer chains are not


def _hyphened(value: str, a, b) -> bool:
    """Whether two runs are Latin words joined by one hyphen (wi-fi, e-mail; not covid-19)."""
    return (a[0] == "word" and b[0] == "word" and a[1][-1].isalpha() and b[1][0].isalpha()
            and b[2] - a[3] == 1 and unicodedata.normalize("NFKC", value[a[3]]) in _HYPHENS)


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
        yield ("joined", "".join(run[1] for run in chain), chain[0][2], chain[-1][3], None)
    yield from chain


_BRIDGEABLE = {" ", "\t", "\u00a0", "\u3000"}


def _events(value: str):
    """Yield the tokens of a text in order, a Hangul run's bigrams as one item.

    Items: (role, text, start, end) for one token; ("bigrams", run, j, text) for a run's
    overlapping bigrams, expanded by the caller (with offsets or without: the index needs none).
    Roles: 'bigram', 'bridge', 'lone' (a Hangul run of one syllable), 'unit' (the first syllable
    of a Hangul word after a number), 'word'. Between two Hangul/CJK runs separated only by
    spaces, a bridge bigram joins the last syllable of one to the first of the next, so that
    위원회 제도 and 위원회제도 index the same adjacent bigrams: a reader's spacing does not decide
    what is found. A number and the word after it are read the same with or without the space.

    Runs of other letters and digits wait until the next Hangul run (or the end): numbers and
    hyphened words join only among themselves, so a Hangul run is handled the moment it comes.
    """
    text = _Text(value)
    previous = None  # the run before
    words: list = []
    for match in _RUN.finditer(text.folded):
        if match.lastindex == 2:
            words.append(text.run(match, "word"))
            continue
        if words:
            for run in _joined(value, _numbers(value, words)):
                yield "word", run[1], run[2], run[3]
                if run[0] != "joined":
                    previous = run
            words = []
        run = text.run(match, "cjk")
        yield from _hangul(text, previous, run)
        previous = run
    for run in _joined(value, _numbers(value, words)):
        yield "word", run[1], run[2], run[3]


def _hangul(text: _Text, previous, run):
    """The tokens of one Hangul/CJK run, given the run before it."""
    _, chars, start, _, j = run
    near = False
    if previous is not None:
        gap = text.value[previous[3] : start]
        near = gap == " " or (len(gap) <= 3 and set(gap) <= _BRIDGEABLE)
    if near and previous[0] == "cjk" and gap:
        yield "bridge", previous[1][-1] + chars[0], text.at(previous[4] + len(previous[1]) - 1), text.at(j) + 1
    after_number = near and previous[0] == "word" and previous[1][-1].isdecimal()
    if len(chars) > 1:
        if after_number:
            yield "unit", chars[0], start, text.at(j) + 1
        yield "bigrams", chars, j, text
    else:
        yield ("unit" if after_number else "lone"), chars, start, run[3]


def _roles(value: str):
    """Yield (text, start, end, role) of each token, in order."""
    for role, chars, a, b in _events(value):
        if role != "bigrams":
            yield chars, a, b, role
            continue
        at = b.at
        for i in range(len(chars) - 1):
            yield chars[i : i + 2], at(a + i), at(a + i + 1) + 1, "bigram"


def _pieces(value: str):
    """Yield (text, start, end) of each token, in order (every engine indexes these)."""
    for text, start, end, _ in _roles(value):
        yield text, start, end


_BRIDGE_GAP = "[ \\t\u00a0\u3000]"
# A chain of Hangul/CJK runs, each bridged to the next (at most three spaces between), or another word.
_PIECE = re.compile(f"([{_CJK}]+(?:{_BRIDGE_GAP}{{1,3}}[{_CJK}]+)*)|([^\\W_{_CJK}]+)")
_GAPS = re.compile(f"{_BRIDGE_GAP}+")
# A run of one syllable after a gap (one at a chain's start is seen by _has_lone): a pattern that
# starts with the gap lets the regex engine skip to the spaces, where a leading lookbehind had it
# try every syllable of the chain (half the time of the chain's terms).
_LONE_AFTER_GAP = re.compile(f"{_BRIDGE_GAP}[{_CJK}](?![{_CJK}])")


def terms(text: str) -> list[str]:
    """Return the index terms of a text, in order (every engine indexes these); no offsets, so quick."""
    joined = joined_terms(text)
    return joined.split(" ") if joined else []


def joined_terms(text: str) -> str:
    """The index terms of a text, in order, one space between them (how tantivy is given them).

    Text the folding leaves in place (nearly every record) goes by chains of bridged Hangul runs:
    a chain's bridges and bigrams are the bigrams of its runs written together, made a whole chain
    at once (`_bigrams`), so the Python work is per chain, not per syllable or per run. Other text
    goes token by token (`_events`).
    """
    if text and not _STABLE.fullmatch(text):
        return " ".join(_terms_by_event(text))
    out: list[str] = []
    words: list = []  # word runs waiting: numbers and hyphened words join among themselves
    for match in _PIECE.finditer(text.lower()):
        if match.lastindex == 2:
            j0, j1 = match.span()
            words.append(("word", match.group(), j0, j1, j0))
            continue
        start = match.start()
        after_number = False
        if words:
            last = None
            for run in _joined(text, _numbers(text, words)):
                out.append(run[1] + " ")
                last = run if run[0] != "joined" else last
            gap = text[last[3] : start]
            after_number = last[1][-1].isdecimal() and len(gap) <= 3 and set(gap) <= _BRIDGEABLE
            words = []
        out.append(_chain_terms(match.group(), after_number))
    out.extend(run[1] + " " for run in _joined(text, _numbers(text, words)))
    return "".join(out)[:-1]


_SPACE = array("I", [32])


def _bigrams(together: str) -> str:
    """Every bigram of a BMP string, each followed by a space: "가나다" gives "가나 나다 ".

    Built as UTF-32 code units (c0 c1 ␠ c1 c2 ␠ …) in C, not one slice at a time in Python.
    """
    n = len(together)
    if n < 2:
        return ""
    units = array("I")
    units.frombytes(together.encode("utf-32-le"))
    out = array("I", bytes(12 * (n - 1)))
    out[0::3] = units[:-1]
    out[1::3] = units[1:]
    out[2::3] = _SPACE * (n - 1)
    return out.tobytes().decode("utf-32-le")


def _chain_terms(chain: str, after_number: bool) -> str:
    """The terms of a chain of bridged Hangul runs, each followed by a space: the bigrams of the runs
    written together, a lone syllable put in after the bridge that ends in it, a unit first after a number."""
    first = ""
    if after_number and len(chain) > 1 and _is_cjk_at(chain, 1):
        first = chain[0] + " "
    if not _has_lone(chain):
        together = chain.replace(" ", "")
        return first + _bigrams(together if together.isalnum() else _GAPS.sub("", together))
    runs = _GAPS.split(chain)
    bigrams = _bigrams("".join(runs))
    parts = [first]
    done = offset = 0
    for run in runs:
        if len(run) == 1:
            parts.append(bigrams[3 * done : 3 * offset])
            parts.append(run + " ")
            done = offset
        offset += len(run)
    parts.append(bigrams[3 * done :])
    return "".join(parts)


def _has_lone(chain: str) -> bool:
    """Whether a chain (Hangul/CJK runs and the gaps between them) holds a run of one syllable."""
    return len(chain) < 2 or not _is_cjk_at(chain, 1) or _LONE_AFTER_GAP.search(chain) is not None


def _is_cjk_at(chain: str, i: int) -> bool:
    return _GAPS.match(chain, i) is None  # a chain holds Hangul/CJK runs and the gaps between them only


def _terms_by_event(text: str) -> list[str]:
    out: list[str] = []
    for role, chars, _start, _ in _events(text):
        if role == "bigrams":
            out.extend([chars[i : i + 2] for i in range(len(chars) - 1)])
        else:
            out.append(chars)
    return out


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
