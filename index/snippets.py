"""Snippets and marked titles: the reader's own words found in public text, nothing else.

Whoosh's highlighter marks every matching token, so a phrase query lights up stray bigrams
(협치 inside 협치기획팀장 for 서울협치). Here the asked words are found whole, spaces between
syllables optional, and the snippet says which attachment it came from.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

WINDOW = 220


def mark(text: str, pattern: re.Pattern | None) -> Markup:
    """Escape a short text (a title) and mark the asked words in it."""
    if pattern is None:
        return Markup(escape(text))
    return Markup(_marked(text, 0, len(text), list(pattern.finditer(text))))


def _marked(text: str, start: int, end: int, matches) -> str:
    out, index = [], start
    for m in matches:
        if m.end() <= start or m.start() >= end or m.start() < index:
            continue
        out.append(str(escape(text[index : m.start()])))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        index = m.end()
    out.append(str(escape(text[index:end])))
    return "".join(out).replace("\n", " ")


def snippet(body: str, sources: list, pattern: re.Pattern | None) -> tuple[Markup, dict | None]:
    """Return the best passage of the body with the asked words marked, and its attachment.

    The passage is the window holding the most matches; None and the lead text when nothing
    matches in the body (the hit came from the title or the numbers).
    """
    matches = list(pattern.finditer(body)) if pattern is not None else []
    if not matches:
        lead = body[:160]
        return Markup(escape(lead).replace("\n", " ")), None
    best, best_count = matches[0], 0
    for i, m in enumerate(matches):
        count = sum(1 for other in matches[i:] if other.start() < m.start() + WINDOW)
        if count > best_count:
            best, best_count = m, count
    source = next((s for s in sources if s[2] <= best.start() < s[3]), None)
    lo = max(best.start() - 60, source[2] if source else 0)
    hi = min(lo + WINDOW, source[3] if source else len(body))
    html = ("… " if lo > (source[2] if source else 0) else "") + _marked(body, lo, hi, matches)
    if hi < (source[3] if source else len(body)):
        html += " …"
    attachment = {"n": source[0], "name": source[1]} if source else None
    return Markup(html), attachment
