"""The Whoosh index's fields, and the Korean analysis as a Whoosh tokenizer."""

from __future__ import annotations

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema

from .analysis import pieces


class BigramTokenizer(Tokenizer):
    """index.analysis's terms (bigrams, a lone syllable, words whole, bridges) as Whoosh tokens."""

    def __eq__(self, other):
        return type(self) is type(other)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for pos, (text, start, end) in enumerate(pieces(value), start=start_pos):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


def _text(boost: float = 1.0) -> TEXT:
    # Phrase mode: the bigrams of one query word must stand next to each other, so that
    # 권고안 does not match "고안하여 권고" by two scattered bigrams. Nothing is stored: what a
    # reader sees is built from the store's public view at search time.
    return TEXT(analyzer=BigramTokenizer(), field_boost=boost, phrase=True)


def make_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        version=NUMERIC(stored=True),
        title=_text(3.0),
        numbers=_text(4.0),  # management number, doc number, policy number
        exact=KEYWORD(commas=True, lowercase=True),  # the same numbers whole: an exact hit ranks first
        summary=_text(1.5),
        body=_text(1.0),  # the text of the public attachments, and only those
        names=_text(1.0),  # attachment names, withheld ones too: a name is public
        classification_text=_text(1.0),
        agency=ID(sortable=True),
        department=ID(sortable=True),
        kind=ID(sortable=True),
        classification=KEYWORD(commas=True, scorable=False),
        produced=ID(sortable=True),
        year=ID(sortable=True),
        level=ID(sortable=True),
        grounds=KEYWORD(commas=True),
        licences=KEYWORD(commas=True),
    )
