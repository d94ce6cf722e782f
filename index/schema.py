"""The fields of the search index: what may be searched, faceted and shown."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from .analysis import KoreanAnalyzer


def _text(boost: float = 1.0, stored: bool = False) -> TEXT:
    # Phrase mode: the bigrams of one query word must stand next to each other, so that
    # 권고안 does not match "고안하여 권고" by two scattered bigrams.
    return TEXT(analyzer=KoreanAnalyzer(), stored=stored, field_boost=boost,
                multitoken_query="phrase", phrase=True)


def make_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        title=_text(3.0, stored=True),
        numbers=_text(4.0),  # management number, doc number, policy number
        exact=KEYWORD(commas=True, lowercase=True),  # the same numbers whole: an exact hit ranks first
        summary=_text(1.5, stored=True),
        body=_text(1.0, stored=True),  # the text of the public attachments, and only those
        names=_text(1.0),  # attachment names, withheld ones too: a name is public
        agency=ID(stored=True, sortable=True),
        department=ID(stored=True, sortable=True),
        kind=ID(stored=True, sortable=True),
        classification=KEYWORD(commas=True, stored=True, scorable=False),
        produced=ID(stored=True, sortable=True),
        year=ID(stored=True, sortable=True),
        level=ID(stored=True, sortable=True),
        grounds=KEYWORD(commas=True, stored=True),
        licences=KEYWORD(commas=True, stored=True),
        body_sources=STORED(),  # [(attachment n, name, start, end)] of each text in `body`
    )
