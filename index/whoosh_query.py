"""The engine-neutral query tree (index.lang) as a Whoosh query, and what bounds its cost.

Phrases use Adjacent (below), not Whoosh's Phrase, whose span matching costs n * k * k for k
words over n places. A lone syllable's prefix expands against the index; check_expansion
counts that expansion, read no further than the limit, and refuses past it.
"""

from __future__ import annotations

from itertools import islice, repeat
from operator import sub

from whoosh import query as Q
from whoosh.matching import IntersectionMatcher, NullMatcher, WrappingMatcher
from whoosh.query.spans import Span, SpanWrappingMatcher
from whoosh.util import make_binary_tree

from . import lang
from .analysis import pieces
from .lang import too_broad

MAX_EXPANDED = 2048  # index terms a query may read once a prefix or a year range is expanded


def translate(tree, schema) -> Q.Query | None:
    """Return the Whoosh query of an index.lang tree (None: no words asked)."""
    if tree is None:
        return None
    if isinstance(tree, lang.Text):
        return Q.Or([_sequence(field, tree.tokens, tree.prefix) for field in tree.fields if field in schema],
                    boost=tree.weight)  # below 1 for another form of a typed word: it ranks below
    if isinstance(tree, lang.Filter):
        return Q.Term(tree.field, tree.value)
    if isinstance(tree, lang.YearRange):
        return Q.TermRange("year", tree.start, tree.end)
    if isinstance(tree, lang.And):
        return Q.And([translate(c, schema) for c in tree.children])
    if isinstance(tree, lang.Or):
        return Q.Or([translate(c, schema) for c in tree.children])
    if isinstance(tree, lang.Not):
        return Q.Not(translate(tree.child, schema))
    return Q.Every()


def _sequence(field: str, tokens: tuple[str, ...], prefix: bool) -> Q.Query:
    if len(tokens) > 1:
        return Adjacent(field, list(tokens))
    term = Q.Term(field, tokens[0])
    # a lone syllable is a unigram only where it stands alone; elsewhere it starts a bigram
    return Q.Or([term, Q.Prefix(field, tokens[0])]) if prefix else term


def ranked(parsed: Q.Query, text: str) -> Q.Query:
    """Add the ranking signals a reader expects on top of the matching query.

    An exact management or document number puts its record first; the whole query standing
    together (adjacent) in the title outranks the same words scattered.
    """
    boosts: list[Q.Query] = []
    plain = text.strip().lower()
    if plain and " " not in plain and ":" not in plain:
        boosts.append(Q.Term("exact", plain, boost=50.0))
    if len(text.split()) > 1 and not any(c in text for c in '"-:'):
        tokens = [t for t, _, _ in pieces(text)]
        if 1 < len(tokens) <= 32:
            # title only: the same check over bodies doubled the p95 of two-word queries
            boosts.append(Adjacent("title", tokens, boost=4.0))
    return Q.AndMaybe(parsed, Q.Or(boosts)) if boosts else parsed


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
            raise too_broad()
    return total


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


