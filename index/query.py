"""The reader's query language: words (AND), "phrases", -exclusion, OR, and field filters.

    협치 위원회            both words, anywhere (each word's bigrams adjacent)
    "시민 참여 예산"        the words together, as written
    협치 -위원회           협치 but not 위원회
    협치 OR 거버넌스        either
    agency:서울특별시 ground:6 year:2018 year:[2017 TO 2019] kind:결재문서 department:"…"   filters

Nothing else of Whoosh's syntax runs: a range over any field but year, a proximity ("…"~5) and
anything that would expand into many terms is refused; wildcards, boosts (^), fuzzy (~) and
/regex/ are plain text. The cost of a query is capped three times: its characters, its typed
words, and the terms it stands for once analysed (bigrams, bridge bigrams, the five fields, a
lone syllable's prefix) -- the last counted against the index too (`check_expansion`).
"""

from __future__ import annotations

import re
from itertools import islice, repeat
from operator import sub

from whoosh import query as Q
from whoosh.matching import IntersectionMatcher, NullMatcher, WrappingMatcher
from whoosh.qparser import (
    AndGroup,
    BoostPlugin,
    EveryPlugin,
    FieldAliasPlugin,
    MultifieldParser,
    PlusMinusPlugin,
    WildcardPlugin,
)
from whoosh.query.spans import Span, SpanWrappingMatcher
from whoosh.util import make_binary_tree

from .analysis import is_cjk

TEXT_FIELDS = ["title", "numbers", "summary", "body", "names"]
ALIASES = {
    "grounds": ["ground", "사유"], "year": ["연도"], "agency": ["기관"], "department": ["부서"],
    "kind": ["종류"], "licences": ["licence", "license"], "level": ["disclosure", "공개"],
}
MAX_QUERY_CHARS = 300
MAX_TERMS = 64  # typed words (each counted once per field it is looked for in)
MAX_CLAUSES = 1024  # index terms once analysed: bigrams, bridges, fields, a lone syllable twice
MAX_EXPANDED = 2048  # the same against the index: a prefix or a year range as the terms it reads
YEAR = re.compile(r"\d{4}")


class QueryRefused(ValueError):
    """A query too costly to run, with a message for the reader."""


def _parser(schema) -> MultifieldParser:
    parser = MultifieldParser(TEXT_FIELDS, schema, group=AndGroup)
    parser.remove_plugin_class(WildcardPlugin)  # a leading * would scan every term
    parser.remove_plugin_class(BoostPlugin)  # ^ is plain text
    parser.remove_plugin_class(EveryPlugin)  # *:* is plain text (an empty query lists all)
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
    _refuse_syntax(parsed)
    if sum(1 for _ in parsed.leaves()) > MAX_TERMS * len(TEXT_FIELDS):
        raise QueryRefused(f"검색어가 너무 많습니다 ({MAX_TERMS}개까지). Too many words.")
    parsed = parsed.accept(_widen_lone_syllable).accept(_adjacent)
    if isinstance(parsed, Q.Not):
        parsed = Q.AndNot(Q.Every(), parsed.query)
    if clauses(parsed) > MAX_CLAUSES:
        raise QueryRefused("검색어가 너무 깁니다: 낱말이나 글자 수를 줄여 주세요. "
                           "The query stands for too many terms; use fewer or shorter words.")
    return parsed


# What the parser may hand on: boolean structure, terms, phrases, a year range. Anything else
# (a Prefix, Wildcard, Regex, FuzzyTerm, a range over another field, Every over a field) would
# expand into every term it covers, so it is refused here whichever plugin made it.
_STRUCTURE = (Q.And, Q.Or, Q.Not, Q.AndNot, Q.AndMaybe, Q.Require)


def _refuse_syntax(parsed: Q.Query) -> None:
    stack = [parsed]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind in _STRUCTURE:
            stack.extend(node.children())
        elif kind is Q.Term or isinstance(node, Q.NullQuery.__class__):
            continue
        elif kind is Q.Phrase:
            if node.slop != 1:
                raise QueryRefused('근접 검색("…"~N)은 지원하지 않습니다. Proximity search is not supported.')
        elif kind is Q.TermRange and node.fieldname == "year" and all(
                end is None or (isinstance(end, str) and YEAR.fullmatch(end)) for end in (node.start, node.end)):
            continue
        elif isinstance(node, (Q.TermRange, Q.NumericRange, Q.Every)):
            raise QueryRefused("범위 검색은 year:[2017 TO 2019]만 됩니다; 날짜는 기간(from, to)으로 고르세요. "
                               "Ranges work on year only, as year:[2017 TO 2019]; dates have from= and to=.")
        else:
            raise QueryRefused("이 검색어 문법은 지원하지 않습니다. This query syntax is not supported.")


def clauses(node: Q.Query) -> int:
    """Return how many index terms a query stands for before the index is read.

    A phrase counts its bigrams, each field its own; a prefix or range counts once here
    (check_expansion counts what it expands to).
    """
    total, stack = 0, [node]
    while stack:
        node = stack.pop()
        if isinstance(node, Q.Phrase):
            total += len(node.words)
        elif node.is_leaf():
            total += 1
        else:
            stack.extend(node.children())
    return total


def check_expansion(query: Q.Query, reader, limit: int = MAX_EXPANDED) -> int:
    """Return the number of terms Whoosh will read for the query; refuse it past `limit`.

    A lone syllable's prefix and a year range count as the terms they expand to in this index;
    the expansion is read no further than the limit, so the check itself is bounded.
    """
    total, stack = 0, [query]
    while stack:
        node = stack.pop()
        if isinstance(node, Q.Phrase):
            total += len(node.words)
        elif isinstance(node, Q.MultiTerm):
            total += sum(1 for _ in islice(node.expanded_terms(reader), limit - total + 1))
        elif isinstance(node, Q.Every) and node.fieldname not in (None, "", "*"):
            total += sum(1 for _ in islice(reader.lexicon(node.fieldname), limit - total + 1))
        elif node.is_leaf():
            total += 1
        else:
            stack.extend(node.children())
        if total > limit:
            raise QueryRefused("검색어가 너무 넓습니다: 한 글자 낱말이나 범위를 줄여 주세요. "
                               "The query covers too many terms; use fewer one-letter words or a narrower range.")
    return total


def _adjacent(node: Q.Query) -> Q.Query:
    if type(node) is Q.Phrase:
        return Adjacent(node.fieldname, list(node.words), boost=node.boost, char_ranges=node.char_ranges)
    return node


class Adjacent(Q.Phrase):
    """A phrase (its words next to each other, in order) matched in time linear in their positions.

    Whoosh's Phrase (SpanNear2) grows a span word by word and rescans it at each step: k words
    against n places cost n * k * k, and a 150-bigram phrase of one syllable against a run of
    that syllable in one long public text took minutes. Here the positions of each distinct
    word are read once per document and the phrase is found among them with Knuth-Morris-Pratt.
    The documents and their scores are those of Whoosh's Phrase (the same intersection of terms).
    """

    def __init__(self, fieldname, words, slop=1, boost=1.0, char_ranges=None):
        if slop != 1:
            raise ValueError("Adjacent phrases have no slop")
        super().__init__(fieldname, words, slop=1, boost=boost, char_ranges=char_ranges)

    def matcher(self, searcher, context=None):
        fieldname = self.fieldname
        if fieldname not in searcher.schema:
            return NullMatcher()
        field = searcher.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            raise Q.QueryError(f"Phrase search: {fieldname!r} field has no positions")
        reader = searcher.reader()
        keys = []
        for word in self.words:
            try:
                key = field.to_bytes(word)
            except ValueError:
                return NullMatcher()
            if (fieldname, key) not in reader:
                return NullMatcher()  # a word the field never holds: no document can match
            keys.append(key)
        matchers = [Q.Term(fieldname, key).matcher(searcher, context) for key in keys]
        m = _AdjacentMatcher(matchers, keys)
        return WrappingMatcher(m, boost=self.boost) if self.boost != 1.0 else m


class _AdjacentMatcher(SpanWrappingMatcher):
    def __init__(self, matchers, keys):
        self.ms = matchers
        self.keys = keys
        first: dict[bytes, int] = {}
        for i, key in enumerate(keys):
            first.setdefault(key, i)
        self.readers = list(first.values())  # one matcher per distinct word: positions read once
        order = {key: n for n, key in enumerate(first)}
        self.pattern = [order[key] for key in keys]  # the phrase as distinct-word numbers
        self.failure = _failure(self.pattern)
        super().__init__(make_binary_tree(IntersectionMatcher, matchers))

    def copy(self):
        return self.__class__([m.copy() for m in self.ms], self.keys)

    def replace(self, minquality=0):
        return self if self.is_active() else NullMatcher()

    def _get_spans(self):
        # Only whether the document holds the phrase is asked (Adjacent is never inside a span
        # query, and snippets find the words themselves): the first place found is returned.
        places = [self.ms[i].value_as("positions") for i in self.readers]
        # Where each distinct word stands at its first offset in the phrase: set work, no loop
        # here. Few such starts (the usual case) are checked one by one; many (a run of one
        # syllable, say) go to Knuth-Morris-Pratt, linear in the places whatever the phrase.
        starts = None
        for word, offset in enumerate(self.readers):
            shifted = set(map(sub, places[word], repeat(offset)))
            starts = shifted if starts is None else starts & shifted
            if not starts:
                return []
        if len(starts) <= _CHECKED_ONE_BY_ONE:
            at = [set(p) for p in places]
            pattern = self.pattern
            for start in sorted(starts):
                if all(start + i in at[word] for i, word in enumerate(pattern)):
                    return [Span(start, start + len(pattern) - 1)]
            return []
        return self._scan(places)

    def _scan(self, places):
        word_at: dict[int, int] = {}
        for word, positions in enumerate(places):
            word_at.update(dict.fromkeys(positions, word))
        pattern, failure, k = self.pattern, self.failure, len(self.pattern)
        matched, previous = 0, -2
        for pos in sorted(word_at):
            if pos != previous + 1:
                matched = 0  # another word stands between: the phrase starts over
            previous, word = pos, word_at[pos]
            while matched and pattern[matched] != word:
                matched = failure[matched - 1]
            if pattern[matched] == word:
                matched += 1
                if matched == k:
                    return [Span(pos - k + 1, pos)]
        return []


_CHECKED_ONE_BY_ONE = 32  # candidate starts of a phrase checked directly; more go to the scan


def _failure(pattern: list[int]) -> list[int]:
    """Knuth-Morris-Pratt: failure[i] is the longest proper border of pattern[: i + 1]."""
    failure, border = [0] * len(pattern), 0
    for i in range(1, len(pattern)):
        while border and pattern[i] != pattern[border]:
            border = failure[border - 1]
        if pattern[i] == pattern[border]:
            border += 1
        failure[i] = border
    return failure


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
