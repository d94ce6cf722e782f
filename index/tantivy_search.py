"""tantivy searches: the index.lang tree as tantivy queries, counts and facets in one pass, pages.

Part of the tantivy engine (index/tantivy_engine.py), the only other module that imports tantivy.
"""

from __future__ import annotations

import math
from collections import Counter

import tantivy

from .analysis import pieces
from .engine import FACETS, Hit, SearchRequest
from .lang import And, Everything, Filter, Not, Or, Text, YearRange, too_broad

Q = tantivy.Query
MUST, SHOULD, MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot
BOOSTS = {"numbers": 4.0, "title": 3.0, "summary": 1.5, "body": 1.0, "names": 1.0, "classification_text": 1.0}
KEYWORDS = ("agency", "department", "kind", "year", "level", "grounds", "licences", "classification")
EXACT_BOOST = 50.0  # an exact management or document number: its record first
TITLE_PHRASE_BOOST = 4.0  # the whole query standing together in the title
TITLE_PHRASE_TOKENS = 32
MAX_EXPANDED = 2048  # index terms a query's lone syllables may stand for, over the whole tree
FACET_SIZE = 100_000  # buckets asked per facet: above any field's number of values, so counts are exact
TIE_GROUP_MAX = 1000  # hits of one score put in id order; a larger tie keeps tantivy's (stable) order
MLT_CHARS = 20_000
MLT_CANDIDATES = 200  # most frequent terms of the text weighed by idf
MLT_TERMS = 25


def everything() -> tantivy.Query:
    """Every record: every document with a version (purge fillers have none)."""
    return Q.exists_query("version")


class _Translator:
    """index.lang's tree as a tantivy query; a lone syllable's prefix read from the term dictionary."""

    def __init__(self, schema: tantivy.Schema, searcher: tantivy.Searcher):
        self.schema = schema
        self.searcher = searcher
        self.expanded = 0

    def request(self, tree, req: SearchRequest) -> tantivy.Query:
        clauses = [(MUST, self.node(tree) if tree is not None else everything())]
        if tree is not None:
            clauses += [(SHOULD, q) for q in self.ranking(req.q)]
        clauses += [(MUST, Q.const_score_query(q, 0.0)) for q in self.filters(req)]
        if req.exclude:
            clauses.append((MUST_NOT, Q.term_set_query(self.schema, "id", sorted(req.exclude))))
        return clauses[0][1] if len(clauses) == 1 else Q.boolean_query(clauses)

    def node(self, node) -> tantivy.Query:
        if isinstance(node, Text):
            return self.text(node)
        if isinstance(node, Filter):
            return self.term(node.field, node.value)
        if isinstance(node, YearRange):
            return self.days(int(node.start) * 10000 if node.start else None,
                             int(node.end) * 10000 + 9999 if node.end else None)
        if isinstance(node, And):
            return self.conjunction(node.children)
        if isinstance(node, Or):
            return Q.boolean_query([(SHOULD, self.node(child)) for child in node.children])
        if isinstance(node, Not):
            return self.conjunction((node,))
        if isinstance(node, Everything):
            return everything()
        raise TypeError(f"not a query node: {node!r}")

    def conjunction(self, children) -> tantivy.Query:
        clauses = [(MUST_NOT, self.node(c.child)) if isinstance(c, Not) else (MUST, self.node(c)) for c in children]
        if all(occur == MUST_NOT for occur, _ in clauses):
            clauses.insert(0, (MUST, everything()))  # exclusions alone match nothing in tantivy
        return Q.boolean_query(clauses)

    def text(self, node: Text) -> tantivy.Query:
        parts = []
        for name in node.fields:
            if name not in BOOSTS:
                continue
            query = self.adjacent(name, node.tokens)
            if node.prefix:
                query = Q.boolean_query([(SHOULD, query), (SHOULD, self.prefix(name, node.tokens[0]))])
            parts.append(Q.boost_query(query, BOOSTS[name]) if BOOSTS[name] != 1.0 else query)
        if not parts:
            return Q.empty_query()
        query = parts[0] if len(parts) == 1 else Q.boolean_query([(SHOULD, q) for q in parts])
        return Q.boost_query(query, node.weight) if node.weight != 1.0 else query  # another form ranks below

    def adjacent(self, name: str, tokens) -> tantivy.Query:
        if len(tokens) == 1:
            return Q.term_query(self.schema, name, tokens[0])
        return Q.phrase_query(self.schema, name, list(tokens))

    def prefix(self, name: str, syllable: str) -> tantivy.Query:
        """Every term of the field that starts with the syllable, counted against MAX_EXPANDED."""
        terms = [t for t, _ in self.searcher.terms_with_prefix(name, syllable, limit=MAX_EXPANDED + 1)]
        self.expanded += len(terms)
        if self.expanded > MAX_EXPANDED:
            raise too_broad()
        return Q.term_set_query(self.schema, name, terms) if terms else Q.empty_query()

    def term(self, name: str, value: str) -> tantivy.Query:
        if name not in KEYWORDS:
            return Q.empty_query()
        return Q.term_query(self.schema, name, value)

    def days(self, lower: int | None, upper: int | None) -> tantivy.Query:
        return Q.range_query(self.schema, "produced", tantivy.FieldType.Integer,
                             lower if lower is not None else 0, upper if upper is not None else 99_999_999)

    def ranking(self, q: str) -> list[tantivy.Query]:
        """An exact number puts its record first; the whole query adjacent in the title ranks higher."""
        out = []
        plain = q.strip().lower()
        if plain and not any(ch.isspace() or ch == ":" for ch in plain):
            out.append(Q.boost_query(Q.term_query(self.schema, "exact", plain), EXACT_BOOST))
        if len(q.split()) > 1 and not any(c in q for c in '"-:'):
            tokens = [t for t, _, _ in pieces(q)]
            if 1 < len(tokens) <= TITLE_PHRASE_TOKENS:
                out.append(Q.boost_query(Q.phrase_query(self.schema, "title", tokens), TITLE_PHRASE_BOOST))
        return out

    def filters(self, req: SearchRequest) -> list[tantivy.Query]:
        out = [self.term(name, value) for name, value in sorted(req.filters.items()) if value]
        if req.date_from or req.date_to:
            out.append(self.days(_bound(req.date_from, "0"), _bound(req.date_to, "9")))
        return out


def _bound(iso: str | None, pad: str) -> int | None:
    """An ISO date (or its year, or year and month) as YYYYMMDD, padded as a lower or an upper end."""
    digits = "".join(ch for ch in (iso or "")[:10] if ch.isdigit())[:8]
    return int(digits.ljust(8, pad)) if digits else None


# -- answering --------------------------------------------------------------------------


def _count(searcher: tantivy.Searcher, query: tantivy.Query) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    """The number of matches and every facet's counts, in one aggregation pass over the matches."""
    aggs: dict = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACETS}
    aggs["_total"] = {"value_count": {"field": "version"}}
    result = searcher.aggregate(query, aggs)
    facets = {}
    for name in FACETS:
        found = result.get(name) or {}
        if found.get("sum_other_doc_count"):
            raise RuntimeError(f"facet {name} has more than {FACET_SIZE} values: counts would not be exact")
        pairs = ((str(b["key"]), int(b["doc_count"])) for b in found.get("buckets", ()))
        facets[name] = sorted((kv for kv in pairs if kv[0]), key=lambda kv: (-kv[1], kv[0]))
    return int((result.get("_total") or {}).get("value") or 0), facets


def _hit(searcher: tantivy.Searcher, address) -> Hit:
    doc = searcher.doc(address)
    return Hit(doc.get_first("id"), int(doc.get_first("version")))


def _by_day(searcher, schema, query, start: int, size: int, oldest: bool) -> list[Hit]:
    """One page by day produced (newest or oldest first), each day's records in id order.

    Ordering by a string fast field costs tantivy some 20 us a hit collected (a deep page: a
    thousand), by an integer almost nothing. So the page is read by the integer day, with the hit
    just before it and just after; a day wholly inside the page is put in id order here, and only
    a day cut by the page's start or end is read again, on its own, in id order from its place: a
    day that ends in the page from its end (its last ids), so that only a day running through the
    whole page costs the count of every match ahead of it (a full pass over a common word's matches).
    """
    order = tantivy.Order.Asc if oldest else tantivy.Order.Desc
    lead = 1 if start > 0 else 0
    window = searcher.search(query, size + 1 + lead, count=False, order_by_field="produced", offset=start - lead,
                             order=order).hits
    page = window[lead:lead + size]
    before = window[0][0] if lead and window else None
    after = window[lead + size][0] if len(window) > lead + size else None
    runs: list[tuple[int, list]] = []
    for day, address in page:
        if runs and runs[-1][0] == day:
            runs[-1][1].append(address)
        else:
            runs.append((day, [address]))
    hits: list[Hit] = []
    for k, (day, addresses) in enumerate(runs):
        cut_before, cut_after = k == 0 and before == day, k == len(runs) - 1 and after == day
        if cut_before or cut_after:
            within = Q.boolean_query([(MUST, query), (MUST, Q.term_query(schema, "produced", day))])
            if cut_before and not cut_after:  # the day ends in the page: its last ids, read from its end
                found = searcher.search(within, len(addresses), count=False, order_by_field="id",
                                        order=tantivy.Order.Desc).hits[::-1]
            else:  # the day begins in the page, or runs through it: from its place (a count of what is ahead)
                offset = start - _ahead(searcher, schema, query, day, oldest) if cut_before else 0
                found = searcher.search(within, len(addresses), count=False, order_by_field="id", offset=offset,
                                        order=tantivy.Order.Asc).hits
            hits.extend(_hit(searcher, address) for _, address in found)
        else:
            hits.extend(sorted((_hit(searcher, address) for address in addresses), key=lambda hit: hit.id))
    return hits


def _ahead(searcher, schema, query, day: int, oldest: bool) -> int:
    """How many matches come before this day's in the page order."""
    bounds = (0, day - 1) if oldest else (day + 1, 99_999_999)
    before = Q.range_query(schema, "produced", tantivy.FieldType.Integer, *bounds)
    return searcher.search(Q.boolean_query([(MUST, query), (MUST, before)]), 1, count=True).count


def _by_score(searcher, query, start: int, size: int) -> list[Hit]:
    """One page by score, equal scores in id order (a tie of more than TIE_GROUP_MAX hits: tantivy's order).

    Whether a tie is put in id order depends on the tie only, never on the page, so that pages
    neither repeat nor skip a hit.
    """
    want = start + size
    limit = want + 1  # one more: whether the page's last score runs on past it
    found = searcher.search(query, limit, count=False).hits
    if len(found) > want and found[want][0] == found[want - 1][0]:  # it does: read to its end, or past the cap
        first = next(i for i, (score, _) in enumerate(found) if score == found[want - 1][0])
        if first + TIE_GROUP_MAX + 1 > limit:
            limit = first + TIE_GROUP_MAX + 1
            found = searcher.search(query, limit, count=False).hits
    exhausted = len(found) < limit
    ordered: list = []
    for i, j in _ties(found, want):
        group = [address for _, address in found[i:j]]
        if j - i > 1 and j > start and j - i <= TIE_GROUP_MAX and (j < len(found) or exhausted):
            group.sort(key=lambda address: searcher.doc(address).get_first("id"))
        ordered.extend(group)
    return [_hit(searcher, address) for address in ordered[start:want]]


def _ties(found: list, until: int):
    """Yield (start, end) of each run of equal scores that begins before `until`."""
    i = 0
    while i < min(len(found), until):
        j = i + 1
        while j < len(found) and found[j][0] == found[i][0]:
            j += 1
        yield i, j
        i = j


def _like(schema, searcher, record_id: str, text: str, exclude: frozenset[str]) -> tantivy.Query | None:
    """The text's most telling terms (frequent in it, rare in the index), in body or title, itself left out."""
    counts = Counter(t for t, _, _ in pieces(text[:MLT_CHARS]))
    n = max(searcher.num_docs, 1)
    weighed = []
    for term, tf in counts.most_common(MLT_CANDIDATES):
        df = searcher.doc_freq("body", term)
        if 1 < df < n:  # held by another record, and not by all
            weighed.append((tf * math.log(n / df), term))
    top = sorted(weighed, reverse=True)[:MLT_TERMS]
    if not top:
        return None
    clauses = [(SHOULD, Q.boost_query(Q.term_query(schema, name, term), weight * boost))
               for weight, term in top for name, boost in (("body", 1.0), ("title", 0.5))]
    clauses.append((MUST_NOT, Q.term_set_query(schema, "id", sorted({record_id, *exclude}))))
    return Q.boolean_query(clauses)
