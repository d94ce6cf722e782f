"""Run a search over the public index: parse, filter, sort, page, facet and snip."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape
from whoosh import highlight, sorting
from whoosh import query as Q
from whoosh.qparser import AndGroup, MultifieldParser, WildcardPlugin

from .analysis import is_cjk
from .highlight import configure

TEXT_FIELDS = ["title", "numbers", "summary", "body", "names"]
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


def parse(ix, text: str) -> Q.Query | None:
    """Parse the reader's words into a query over the text fields; None when empty."""
    parser = MultifieldParser(TEXT_FIELDS, ix.schema, group=AndGroup)
    parser.remove_plugin_class(WildcardPlugin)  # a leading * would scan every term
    parsed = parser.parse(text)
    if parsed is Q.NullQuery or isinstance(parsed, Q.NullQuery.__class__):
        return None
    return parsed.accept(_widen_lone_syllable)


def _widen_lone_syllable(node: Q.Query) -> Q.Query:
    # A lone syllable is indexed as a unigram only where it stands alone; elsewhere it
    # starts a bigram. Match both.
    if isinstance(node, Q.Term) and node.fieldname in TEXT_FIELDS:
        text = node.text
        if isinstance(text, str) and len(text) == 1 and is_cjk(text):
            return Q.Or([node, Q.Prefix(node.fieldname, text)])
    return node


def _filter(req: SearchRequest) -> Q.Query | None:
    parts: list[Q.Query] = [Q.Term(name, value) for name, value in req.filters.items() if value]
    if req.date_from or req.date_to:
        parts.append(Q.TermRange("produced", req.date_from, req.date_to))
    return Q.And(parts) if parts else None


def search(ix, req: SearchRequest) -> dict:
    """Return one page of results with facet counts and snippets, as plain data."""
    parsed = parse(ix, req.q) if req.q.strip() else None
    query = parsed if parsed is not None else Q.Every()
    page = min(max(req.page, 1), MAX_PAGE)
    sortedby, reverse = None, False
    if req.sort in ("newest", "oldest") or parsed is None:
        sortedby, reverse = "produced", req.sort != "oldest"
    facets = {
        name: sorting.FieldFacet(name, allow_overlap=name in ("grounds", "licences"),
                                 maptype=sorting.Count)
        for name in FACETS
    }
    with ix.searcher() as searcher:
        results = searcher.search_page(
            query, page, pagelen=req.page_size, filter=_filter(req), sortedby=sortedby,
            reverse=reverse, groupedby=facets, terms=parsed is not None,
        )
        configure(results.results)
        # Whoosh clamps a page past the end to the last page; a reader asked for none.
        beyond = results.pagenum != page and results.total > 0
        hits = [] if beyond else [_hit(hit, parsed is not None) for hit in results]
        facet_counts = {
            name: sorted(
                ((k, v) for k, v in results.results.groups(name).items() if k),
                key=lambda kv: (-kv[1], kv[0]),
            )
            for name in FACETS
        }
        total = results.total
    return {
        "total": total,
        "page": page,
        "page_size": req.page_size,
        "pages": max(1, -(-total // req.page_size)),
        "results": hits,
        "facets": facet_counts,
    }


def _whole_title(hit) -> str:
    # A title is short: mark it whole rather than cut it to a fragment.
    results = hit.results
    fragmenter, results.fragmenter = results.fragmenter, highlight.WholeFragmenter()
    try:
        return hit.highlights("title")
    finally:
        results.fragmenter = fragmenter


def _hit(hit, highlighted: bool) -> dict:
    snippet = ""
    if highlighted:
        snippet = hit.highlights("body", top=2) or hit.highlights("summary", top=1)
    if not snippet:
        lead = (hit.get("summary") or hit.get("body") or "")[:160].replace("\n", " ")
        snippet = str(escape(lead))
    title = _whole_title(hit) if highlighted else ""
    return {
        "id": hit["id"],
        "title": hit["title"],
        "title_html": Markup(title or escape(hit["title"])),
        "agency": hit["agency"],
        "department": hit.get("department") or None,
        "kind": hit.get("kind") or None,
        "produced": hit["produced"],
        "disclosure": hit["level"],
        "grounds": [int(g) for g in hit.get("grounds", "").split(",") if g],
        "snippet": Markup(snippet),
    }
