"""Index terms made ahead: an ingest's read-ahead child analyses each file's text as it extracts it
(archive/ingest_ahead.py), and this process keeps them until its index asks (terms_of).

joined_terms is a pure function of the text, so what is kept changes nothing of what an index
holds, only who computes it: a kept entry is found only by a text equal to the one it was made
from. Kept for one ingest (services.ingest_batch forgets them when it ends), within KEEP_CHARS.
"""

from __future__ import annotations

import threading

from .analysis import joined_terms

KEEP_CHARS = 24 << 20  # characters kept, texts and terms (~2 s of an ingest: the catch-up takes them)
_kept: dict[str, str] = {}
_kept_chars = 0
_kept_lock = threading.Lock()


def keep_terms(text: str, terms: str) -> None:
    global _kept_chars
    with _kept_lock:
        size = len(text) + len(terms)  # the text is kept too, as the key: a text of no terms is no free ride
        if _kept_chars + size <= KEEP_CHARS and text not in _kept:
            _kept[text] = terms
            _kept_chars += size


def terms_of(text: str) -> str:
    """joined_terms(text): as kept for it (once), else made now."""
    global _kept_chars
    with _kept_lock:
        terms = _kept.pop(text, None)
        if terms is not None:
            _kept_chars -= len(text) + len(terms)
            return terms
    return joined_terms(text)


def forget_kept() -> None:
    global _kept_chars
    with _kept_lock:
        _kept.clear()
        _kept_chars = 0
