"""Snippets and marked titles: the reader's own words found in public text, nothing else.

Whoosh's highlighter marks every matching token, so a phrase query lights up stray bigrams
(협치 inside 협치기획팀장 for 서울협치). Here the asked words are found whole, spaces between
syllables optional, and the snippet says which attachment it came from.

The work is linear in the text and bounded whatever the query. At most MAX_SCAN characters of
a text are looked through, once, as a folded copy without white space in which each word is
found with str.find (no backtracking: a long word against a long run of one syllable costs no
more than a short one); at most MAX_WORDS words, MAX_OCCURRENCES places of each. The regex that
allows spaces inside a word runs only over the chosen window (and over a short title).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from itertools import islice

from markupsafe import Markup, escape

WINDOW = 220  # characters of a snippet
BEFORE = 60  # characters shown before the first word of the window
LEAD = 160  # characters of the lead text when no asked word is in the text
MAX_WORDS = 16  # asked words looked for, the longest first
MAX_ASKED_CHARS = 160  # their characters together
MAX_OCCURRENCES = 512  # places examined per word and text
MAX_SCAN = 1_000_000  # characters of one text looked through; a word past them is not marked
MAX_MARKED = 2_000  # characters of a title marked; the rest is shown as it is
CHUNK = 4096  # the folded copy is made chunk by chunk, which maps its offsets back cheaply

_SPACES = (" ", "\n", "\t", "\r", "\u3000", "\xa0")
_ANY_SPACE = re.compile(r"\s")


def _fold(text: str) -> str:
    """Lower-case without changing the length (İ is the one letter whose lower case is two)."""
    return text.replace("\u0130", "i").lower()


class Asked:
    """The words a reader asked for, made ready once per search to be found in many texts."""

    def __init__(self, words: Iterable[str]):
        kept: dict[str, None] = {}
        budget = MAX_ASKED_CHARS
        for word in words:
            if len(kept) == MAX_WORDS:
                break
            folded = _fold("".join(word.split()))
            if folded and folded not in kept and len(folded) <= budget:
                kept[folded] = None
                budget -= len(folded)
        # the longest first: where two words start at one place, the longer is marked
        self.words = sorted(kept, key=lambda w: (-len(w), w))
        self.longest = max(map(len, self.words), default=0)
        parts = [r"\s{0,3}".join(re.escape(c) for c in word) for word in self.words]
        self.pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def __bool__(self) -> bool:
        return bool(self.words)


def _squeezed(text: str) -> tuple[str, list[int]]:
    """Return the first MAX_SCAN characters folded and without white space, and chunk starts.

    starts[c] is where chunk c (text[c * CHUNK : (c + 1) * CHUNK]) begins in the copy.
    """
    pieces, starts, at = [], [], 0
    end = min(len(text), MAX_SCAN)
    for i in range(0, end, CHUNK):
        piece = text[i : min(i + CHUNK, end)]
        for space in _SPACES:
            if space in piece:
                piece = piece.replace(space, "")
        if _ANY_SPACE.search(piece):  # a rarer space: split() knows the same ones as \s
            piece = "".join(piece.split())
        starts.append(at)
        pieces.append(piece)
        at += len(piece)
    return _fold("".join(pieces)), starts


def _original(text: str, starts: list[int], at: int) -> int:
    """Return the offset in text of the character at `at` in its squeezed copy (<= CHUNK steps)."""
    chunk = bisect_right(starts, at) - 1  # the last chunk starting at or before: the one holding it
    left = at - starts[chunk]
    base = chunk * CHUNK
    for i, ch in enumerate(text[base : base + CHUNK]):
        if not ch.isspace():
            if left == 0:
                return base + i
            left -= 1
    return min(len(text), base + CHUNK)  # not reached: the copy holds no character past the text


def _occurrences(folded: str, word: str, limit: int):
    """Yield where word starts in folded, overlapping places too, at most `limit` of them."""
    at = folded.find(word)
    while at != -1 and limit > 0:
        yield at
        limit -= 1
        at = folded.find(word, at + 1)


def _found(folded: str, asked: Asked) -> list[tuple[int, int]]:
    """Return (start, end) in folded of the asked words, as one alternation of them would.

    Leftmost first, the longer word first at one place, none overlapping. A word seen in more
    than MAX_OCCURRENCES places ends the search where its next place would have been, so that
    no word is missing before that point.
    """
    candidates, horizon = [], len(folded)
    for order, word in enumerate(asked.words):
        places = list(_occurrences(folded, word, MAX_OCCURRENCES + 1))
        if len(places) > MAX_OCCURRENCES:
            horizon = min(horizon, places.pop())
        candidates.extend((at, order, at + len(word)) for at in places)
    candidates.sort()
    found, end = [], 0
    for at, _, stop in candidates:
        if at >= horizon:
            break
        if at >= end:
            found.append((at, stop))
            end = stop
    return found


def _densest(found: list[tuple[int, int]]) -> int:
    """Return the start of the window holding the most matches (two pointers: linear)."""
    best, best_count, j = found[0][0], 0, 0
    for i, (at, _) in enumerate(found):
        while j < len(found) and found[j][0] < at + WINDOW:
            j += 1
        if j - i > best_count:
            best, best_count = at, j - i
    return best


def _marked(text: str, start: int, end: int, asked: Asked | None) -> str:
    """Escape text[start:end] and mark the asked words in it (a match may run past end)."""
    out, index = [], start
    if asked is not None and asked.pattern is not None:
        reach = min(len(text), end + 4 * asked.longest)  # a word with three spaces per gap
        for m in islice(asked.pattern.finditer(text, start, reach), MAX_OCCURRENCES):
            if m.start() >= end:
                break
            out.append(str(escape(text[index : m.start()])))
            out.append(f"<mark>{escape(m.group(0))}</mark>")
            index = m.end()
    out.append(str(escape(text[index:end])))
    return "".join(out).replace("\n", " ")


def mark(text: str, asked: Asked | None) -> Markup:
    """Escape a short text (a title) and mark the asked words in it."""
    if not asked:
        return Markup(escape(text))
    head = min(len(text), MAX_MARKED)
    return Markup(_marked(text, 0, head, asked) + str(escape(text[head:])).replace("\n", " "))


def snippet(body: str, sources: list, asked: Asked | None) -> tuple[Markup, dict | None]:
    """Return the best passage of the body with the asked words marked, and its attachment.

    The passage is the window holding the most matches; None and the lead text when nothing
    matches in the body (the hit came from the title or the numbers).
    """
    found = []
    if asked:
        folded, starts = _squeezed(body)
        found = _found(folded, asked)
    if not found:
        return Markup(escape(body[:LEAD]).replace("\n", " ")), None
    start = _original(body, starts, _densest(found))
    source = next((s for s in sources if s[2] <= start < s[3]), None)
    first, last = (source[2], source[3]) if source else (0, len(body))
    lo = max(start - BEFORE, first)
    hi = min(lo + WINDOW, last)
    html = ("… " if lo > first else "") + _marked(body, lo, hi, asked)
    if hi < last:
        html += " …"
    attachment = {"n": source[0], "name": source[1]} if source else None
    return Markup(html), attachment
