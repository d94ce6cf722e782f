"""Run a search over the public index: parse, rank, filter, facet, sort, page and snip.

Everything in the index is public by construction (see indexer.document_of), so no query,
filter or facet here can reach withheld text: there is no visibility filter to forget.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh import sorting

from .analysis import terms
from .indexer import index_link, open_index
from .query import Adjacent, QueryRefused, check_expansion, parse, surfaces
from .snippets import Asked, mark, snippet

__all__ = ["FACETS", "QueryRefused", "SearchRequest", "search", "searching"]

FACETS = ["agency", "department", "kind", "year", "level", "grounds", "licences"]
PAGE_SIZE = 20
MAX_PAGE = 500


@dataclass
class SearchRequest:
    """A search as the reader asked for it: plain values, no HTTP."""

    q: str = ""
    filters: dict[str, str] = field(default_factory=dict)  # facet field -> value
    date_from: str | None = None
    date_to: str | None = None
    sort: str = "relevance"
    page: int = 1
    page_size: int = PAGE_SIZE

    def key(self) -> tuple:
        return (self.q.strip(), tuple(sorted(self.filters.items())), self.date_from, self.date_to,
                self.sort, self.page, self.page_size)


def ranked(parsed: Q.Query, text: str, schema=None) -> Q.Query:
    """Add the ranking signals a reader expects on top of the matching query.

    An exact management or document number puts its record first; the whole query standing
    together (adjacent) in the title or body outranks the same words scattered.
    """
    boosts: list[Q.Query] = []
    plain = text.strip().lower()
    if plain and " " not in plain and ":" not in plain and (schema is None or "exact" in schema):
        boosts.append(Q.Term("exact", plain, boost=50.0))
    if len(text.split()) > 1 and not any(c in text for c in '"-:'):
        tokens = terms(text)
        if 1 < len(tokens) <= 32:
            # title only: the same check over bodies doubled the p95 of two-word queries
            boosts.append(Adjacent("title", tokens, boost=4.0))
    return Q.AndMaybe(parsed, Q.Or(boosts)) if boosts else parsed


def _filter(req: SearchRequest) -> Q.Query | None:
    parts: list[Q.Query] = [Q.Term(name, value) for name, value in req.filters.items() if value]
    if req.date_from or req.date_to:
        parts.append(Q.TermRange("produced", req.date_from, req.date_to))
    return Q.And(parts) if parts else None


def search(searcher, req: SearchRequest) -> dict:
    """Return one page of results with facet counts, a year histogram and snippets."""
    parsed = parse(searcher.schema, req.q)
    query = ranked(parsed, req.q, searcher.schema) if parsed is not None else Q.Every()
    check_expansion(query, searcher.reader())  # what Whoosh is handed, prefixes and ranges expanded
    page = min(max(req.page, 1), MAX_PAGE)
    sortedby, reverse = None, False
    if req.sort in ("newest", "oldest") or parsed is None:
        sortedby, reverse = "produced", req.sort != "oldest"
    facets = {
        name: sorting.FieldFacet(name, allow_overlap=name in ("grounds", "licences"), maptype=sorting.Count)
        for name in FACETS
    }
    try:
        results = searcher.search_page(query, page, pagelen=req.page_size, filter=_filter(req),
                                       sortedby=sortedby, reverse=reverse, groupedby=facets)
    except Exception as exc:  # e.g. a field the reader may name but that holds no terms
        raise QueryRefused("검색어를 이해하지 못했습니다. The query could not be run.") from exc
    # Whoosh clamps a page past the end to the last page; a reader asked for none.
    beyond = results.pagenum != page and results.total > 0
    body_words = Asked(surfaces(parsed, "body"))
    title_words = Asked(surfaces(parsed, "title"))
    hits = [] if beyond else [_hit(hit, body_words, title_words) for hit in results]
    facet_counts = {
        name: sorted(((k, v) for k, v in results.results.groups(name).items() if k), key=lambda kv: (-kv[1], kv[0]))
        for name in FACETS
    }
    return {
        "total": results.total,
        "page": page,
        "page_size": req.page_size,
        "pages": max(1, -(-results.total // req.page_size)),
        "results": hits,
        "facets": facet_counts,
        "histogram": sorted(facet_counts["year"]),
    }


def _hit(hit, body_words: Asked, title_words: Asked) -> dict:
    text, attachment = snippet(hit.get("body") or "", hit.get("body_sources") or [], body_words)
    if attachment is None and hit.get("summary"):
        text, _ = snippet(hit["summary"], [], body_words)
    return {
        "id": hit["id"],
        "title": hit["title"],
        "title_html": mark(hit["title"], title_words),
        "agency": hit["agency"],
        "department": hit.get("department") or None,
        "kind": hit.get("kind") or None,
        "produced": hit["produced"],
        "disclosure": hit["level"],
        "grounds": [int(g) for g in hit.get("grounds", "").split(",") if g],
        "snippet": text,
        "matched_attachment": attachment,
    }


# -- one searcher per process and index generation; results cached per generation --------

_lock = threading.Lock()
_open: dict[str, tuple[Path, object, object]] = {}  # data dir -> (index folder, index, searcher)
_results: OrderedDict = OrderedDict()
RESULT_CACHE = 512


@contextmanager
def searching(data_dir: Path):
    """Yield a (searcher, generation) kept open across requests, refreshed when the index moves.

    A swap (reindex) or a commit (ingest, disclosure change) makes a new generation, so
    cached results never outlive the index state they came from.
    """
    key = str(data_dir)
    with _lock:
        if not index_link(data_dir).exists():
            open_index(data_dir).close()  # makes the first, empty index
        # resolved once: a swap between two resolutions would pair a name with another folder
        folder = index_link(data_dir).resolve()
        entry = _open.get(key)
        if entry is None or entry[0] != folder:
            if entry is not None:
                entry[2].close()  # only this thread uses it: the lock is held
            ix = whoosh_index.open_dir(str(folder))
            entry = (folder, ix, ix.searcher())
        elif not entry[2].up_to_date():
            # a fresh searcher, not refresh(): refresh reuses segment readers and was seen
            # here to keep counting a document deleted since (a withheld entry resurfacing)
            entry[2].close()
            entry = (entry[0], entry[1], entry[1].searcher())
        _open[key] = entry
        folder, _, searcher = entry
        # the generation the searcher's reader was opened at, not the newest on disk: a commit
        # racing this request must not file old results under the new generation
        yield searcher, (str(folder), searcher.reader().generation())


def cached_search(data_dir: Path, req: SearchRequest) -> dict:
    """Search through the process's searcher, answering repeated questions from the cache."""
    with searching(data_dir) as (searcher, generation):
        key = (str(data_dir), generation, req.key())
        if key in _results:
            _results.move_to_end(key)
            return _results[key]
        data = search(searcher, req)
        _results[key] = data
        while len(_results) > RESULT_CACHE:
            _results.popitem(last=False)
        return data
