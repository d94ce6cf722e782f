"""The reader's query language: words (AND), "phrases", -exclusion, OR, and field filters.

    협치 위원회            both words, anywhere (each word's bigrams adjacent)
    "시민 참여 예산"        the words together, as written
    협치 -위원회           협치 but not 위원회
    협치 OR 거버넌스        either
    agency:서울특별시 ground:6 year:2018 kind:결재문서 department:"…"   filters
"""

from __future__ import annotations

from whoosh import query as Q
from whoosh.qparser import (
    AndGroup,
    FieldAliasPlugin,
    MultifieldParser,
    PlusMinusPlugin,
    WildcardPlugin,
)

from .analysis import is_cjk

TEXT_FIELDS = ["title", "numbers", "summary", "body", "names"]
ALIASES = {
    "grounds": ["ground", "사유"], "year": ["연도"], "agency": ["기관"], "department": ["부서"],
    "kind": ["종류"], "licences": ["licence", "license"], "level": ["disclosure", "공개"],
}
MAX_QUERY_CHARS = 300
MAX_TERMS = 64


class QueryRefused(ValueError):
    """A query too costly to run, with a message for the reader."""


def _parser(schema) -> MultifieldParser:
    parser = MultifieldParser(TEXT_FIELDS, schema, group=AndGroup)
    parser.remove_plugin_class(WildcardPlugin)  # a leading * would scan every term
    # '-' excludes only at the start of a word: 민관협력담당관-130 and COVID-19 stay whole
    at_word_start = r"(?:(?<=\s)|(?<=\()|(?<![\s\S]))"
    parser.add_plugin(PlusMinusPlugin(plusexpr=at_word_start + r"\+(?=\S)", minusexpr=at_word_start + r"-(?=\S)"))
    parser.add_plugin(FieldAliasPlugin(ALIASES))
    return parser


def parse(schema, text: str) -> Q.Query | None:
    """Parse the reader's words; None when nothing is asked. Raise QueryRefused when too costly."""
    text = text.strip()
    if not text:
        return None
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRefused(f"검색어가 너무 깁니다 ({MAX_QUERY_CHARS}자까지). The query is too long.")
    words = text.split()
    if all(w.startswith("-") and len(w) > 1 for w in words):  # only exclusions: all records but these
        text = " ".join("NOT " + w[1:] for w in words)
    try:
        parsed = _parser(schema).parse(text)
    except Exception as exc:  # a field that holds no terms (body_sources:x), say
        raise QueryRefused("검색어를 이해하지 못했습니다. The query could not be understood.") from exc
    if isinstance(parsed, Q.NullQuery.__class__) or parsed is Q.NullQuery:
        return None
    if sum(1 for _ in parsed.leaves()) > MAX_TERMS * len(TEXT_FIELDS):
        raise QueryRefused(f"검색어가 너무 많습니다 ({MAX_TERMS}개까지). Too many words.")
    parsed = parsed.accept(_widen_lone_syllable)
    if isinstance(parsed, Q.Not):
        parsed = Q.AndNot(Q.Every(), parsed.query)
    return parsed


def _widen_lone_syllable(node: Q.Query) -> Q.Query:
    # A lone syllable is a unigram only where it stands alone; elsewhere it starts a bigram.
    if isinstance(node, Q.Term) and node.fieldname in TEXT_FIELDS:
        text = node.text
        if isinstance(text, str) and len(text) == 1 and is_cjk(text):
            return Q.Or([node, Q.Prefix(node.fieldname, text)])
    return node


def surfaces(parsed: Q.Query | None, field: str = "body") -> list[str]:
    """Return the words the reader asked for in a field, rebuilt from their tokens.

    Bigrams overlap, so 서울·울협·협치 rebuild 서울협치; excluded words are left out.
    """
    found: list[str] = []

    def walk(node, negated=False):
        if isinstance(node, Q.AndNot):
            walk(node.a, negated)
            walk(node.b, True)
            return
        if isinstance(node, Q.Not):
            walk(node.query, True)
            return
        if isinstance(node, Q.Phrase) and node.fieldname == field and not negated:
            found.append(_rebuild(list(node.words)))
        elif isinstance(node, (Q.Term, Q.Prefix)) and node.fieldname == field and not negated:
            if isinstance(node.text, str):
                found.append(node.text)
        for child in node.children():
            walk(child, negated)

    if parsed is not None:
        walk(parsed)
    return sorted(set(found), key=lambda word: (-len(word), word))  # the same order in every process


def _rebuild(tokens: list[str]) -> str:
    out = tokens[0]
    for token in tokens[1:]:
        if len(token) == 2 and is_cjk(token[0]) and out and out[-1] == token[0]:
            out += token[1]
        else:
            out += " " + token
    return out
