"""The records a search matches, as ids, paged through within a bound (bulk export).

The same search as /api/search (index.lang and the engine, with the same filters), but only ids:
no snippet is made. The engine holds public text only (index.documents), so no withheld word
can select a record here either.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import lang
from .engine import MAX_PAGE, Engine, SearchRequest

SELECT_PAGE = 200  # ids asked of the engine at a time


@dataclass
class Selection:
    ids: list[str]
    total: int  # what the engine counted; more than len(ids) when past the limit
    partial: bool  # the engine's time budget ran out (Whoosh): a lower bound


def matching_ids(engine: Engine, req: SearchRequest, limit: int) -> Selection:
    """Return up to `limit` + 1 ids of the records `req` matches, in the search's order.

    One past the limit is returned so that a caller can tell "exactly the limit" from "more";
    pages stop at the engine's last page (MAX_PAGE), whatever the limit. Raises QueryRefused.
    """
    tree = lang.parse(req.q)
    ids: list[str] = []
    seen: set[str] = set()
    total, partial = 0, False
    for page in range(1, MAX_PAGE + 1):
        matches = engine.search(tree, replace(req, page=page, page_size=SELECT_PAGE))
        total, partial = matches.total, partial or matches.partial
        for hit in matches.hits:
            if hit.id not in seen:
                seen.add(hit.id)
                ids.append(hit.id)
        if len(ids) > limit or len(matches.hits) < SELECT_PAGE or page * SELECT_PAGE >= total:
            break
    return Selection(ids[: limit + 1], total, partial)
