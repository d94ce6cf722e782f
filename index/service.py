"""What the portal asks of search, engine-neutral: keep the index in line with the store, and search.

Readers see only what the store's public view shows now: an engine answers ids and versions;
titles, snippets and attachment names are built here from `public_view` and `public_text_of`,
and a hit whose version the store no longer holds is dropped rather than shown from a stale entry.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from threading import Lock

from archive.records import public_view

from . import lang
from .analysis import VERSION as ANALYSIS_VERSION
from .documents import document_of, public_body
from .engine import MAX_PAGE, Engine, SearchRequest
from .expansion import resolved
from .lang import QueryRefused
from .locking import index_lock
from .snippets import Asked, mark, snippet

__all__ = ["QueryRefused", "SearchRequest", "cached_search", "catch_up", "problems", "rebuild", "search",
           "update", "write"]


def write(engine: Engine, store, record_ids: Iterable[str], purge: bool = False) -> dict[str, int]:
    """Write these records' entries as the store's connection sees them now; return their versions.

    The store is not marked, so that a caller may write the index from a transaction it has not
    committed yet (withholding: index first). `purge`: the replaced text leaves the index files.
    """
    # The entries are read from the store under the lock: read before it, they could predate a
    # withhold that another process committed while we waited (it holds the lock from its index
    # write to its commit), and writing them would bring the withheld text back for good.
    docs, gone = [], []
    with index_lock(engine.data_dir):
        for record_id in record_ids:
            doc = document_of(store, record_id)
            (docs.append(doc) if doc is not None else gone.append(record_id))
        engine.write(docs, remove=gone, purge=purge)
    return {doc["id"]: doc["version"] for doc in docs}


def remove(engine: Engine, record_ids: list[str]) -> None:
    """Take records out of the index, their text out of its files (before a change withholds)."""
    engine.write([], remove=record_ids, purge=True)


def update(engine: Engine, store, record_ids: Iterable[str]) -> int:
    """Bring these records' entries in line with the store and mark them indexed; return how many."""
    ids = list(record_ids)
    if ids:
        # marked under the lock too: marked after it, a new text of the same version written and
        # marked stale in between (an OCR reading, a re-extraction) would be marked indexed unread
        with index_lock(engine.data_dir):
            store.mark_indexed(write(engine, store, ids))
    return len(ids)


def rebuild(engine: Engine, store, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index into a fresh folder, swap it in, mark every record indexed."""
    with index_lock(engine.data_dir):  # no record write may land in the old index while this builds
        ids = store.record_ids()
        versions: dict[str, int] = {}

        def documents():
            for record_id in ids:
                doc = document_of(store, record_id)
                if doc is not None:
                    versions[record_id] = doc["version"]
                    yield doc

        engine.rebuild(documents(), progress)
        store.set_indexed_by(index_mark(engine))
        store.mark_indexed(versions)  # under the lock, as in `update`
    return len(ids)


def index_mark(engine: Engine) -> str:
    """What the store records of the index its marks describe: the engine and the analysis it indexed with."""
    return f"{engine.name} analysis-{ANALYSIS_VERSION}"


def needs_rebuild(engine: Engine, store) -> bool:
    """Whether the index must be rebuilt whole: other fields, another engine, or another analysis."""
    return not engine.is_current() or store.indexed_by() != index_mark(engine)


def catch_up(engine: Engine, store) -> int:
    """Index every record the index is missing or holds stale (after a crash, say).

    An index whose fields another release wrote is rebuilt whole, and so is the index of an engine
    the store was not last indexed by: its marks describe another engine's index, and an index
    left from before a switch could still hold text withheld since. An index whose terms another
    analysis made (index.analysis.VERSION) is rebuilt too: queries would miss what it holds.
    """
    with index_lock(engine.data_dir):  # re-checked under the lock: another process may have done it
        if needs_rebuild(engine, store):
            return rebuild(engine, store)
        return update(engine, store, store.pending_index())


def problems(engine: Engine, store) -> list[str]:
    """Return what differs between the index and the store, one line each."""
    found = []
    if needs_rebuild(engine, store):  # other fields, engine or analysis: queries would miss what it holds
        found.append(f"the index was made by {store.indexed_by() or 'nothing yet'} or an older release; the portal"
                     f" searches with {index_mark(engine)}: run `flask --app app reindex`")
    found += [f"record {rid} is not indexed at its current version" for rid in store.pending_index()]
    indexed = engine.indexed()
    stored = set(store.record_ids())
    found += [f"record {rid} is in the index but not in the store" for rid in sorted(set(indexed) - stored)]
    found += [f"record {rid} is in the store but not in the index" for rid in sorted(stored - set(indexed))]
    return found


def search(engine: Engine, store, req: SearchRequest) -> dict:
    """Return one page of results with facet counts, a year histogram and snippets from public text."""
    tree = lang.parse(req.q)
    req.page = min(max(req.page, 1), MAX_PAGE)
    matches = engine.search(tree, req)
    body_words, title_words = Asked(lang.surfaces(tree, "body")), Asked(lang.surfaces(tree, "title"))
    results = []
    for hit in matches.hits:
        record = store.get(hit.id)
        if record is None or record.version != hit.version:
            continue  # the index is behind the store: show nothing rather than a stale entry
        results.append(_result(record, store, body_words, title_words))
    return {
        "total": matches.total,
        "page": req.page,
        "page_size": req.page_size,
        "pages": max(1, -(-matches.total // req.page_size)),
        "results": results,
        "facets": matches.facets,
        "histogram": sorted(matches.facets.get("year", [])),
        "partial": matches.partial,
        "resolved": resolved(tree),  # agency:부산시 read as agency:부산광역시, said
    }


def _result(record, store, body_words: Asked, title_words: Asked) -> dict:
    view = public_view(record)
    body, sources = public_body(record, store.text_of)
    text, attachment = snippet(body, sources, body_words)
    if attachment is None and view["summary"]:
        text, _ = snippet(view["summary"], [], body_words)
    return {
        "id": view["id"],
        "title": view["title"],
        "title_html": mark(view["title"], title_words),
        "agency": view["agency"],
        "department": view["department"] or None,
        "kind": view["kind"] or None,
        "produced": view["produced"],
        "disclosure": view["disclosure"]["level"],
        "grounds": view["disclosure"]["grounds"],
        "snippet": text,
        "matched_attachment": attachment,
    }


def related(engine: Engine, store, record, limit: int = 5) -> list[dict]:
    """Up to `limit` records like this one, chosen from its public text only.

    The engine's more-like-this over the public view's title and summary and the public
    attachments' text (the index holds nothing else), best score first, a record of the same
    classification first among equal scores; when it finds fewer, records of
    the same classification (its whole path, and below it) fill the list.
    """
    view = public_view(record)
    body, _ = public_body(record, store.text_of)
    text = " ".join(filter(None, [view["title"], view["summary"] or "", body]))
    chosen: dict[str, str] = {}
    candidates = []  # (score, same classification, engine's order, id, title); a few spare for ties
    for order, (record_id, score) in enumerate(engine.more_like(record.id, text, limit + 5) if limit > 0 else []):
        other = store.get(record_id)
        if other is not None and other.id != record.id:
            other_view = public_view(other)
            same = bool(view["classification"]) and other_view["classification"] == view["classification"]
            candidates.append((-round(score, 4), not same, order, other.id, other_view["title"]))
    for *_, other_id, title in sorted(candidates)[:limit]:  # equal scores: the same classification first
        chosen.setdefault(other_id, title)
    if len(chosen) < limit and view["classification"]:
        _, same = store.by_classification(view["classification"], limit + len(chosen) + 1, 0)
        for other in same:
            if other.id != record.id and len(chosen) < limit:
                chosen.setdefault(other.id, public_view(other)["title"])
    return [{"id": rid, "title": title} for rid, title in list(chosen.items())[:limit]]


# -- results cached per index generation: a commit or a swap makes a new one ------------------

_results: OrderedDict = OrderedDict()
_results_lock = Lock()
RESULT_CACHE = 512


def cached_search(engine: Engine, store, req: SearchRequest) -> dict:
    """Search, answering a repeated question from the cache while the index has not changed."""
    return _cached(engine, store, ("search", req.key()), lambda: search(engine, store, req))


def cached_related(engine: Engine, store, record, limit: int = 5) -> list[dict]:
    """`related`, cached like a search: every record page asks for it, and a more-like-this over a
    long public text is a search of many terms (a crawler walking the record pages would pay it each time)."""
    return _cached(engine, store, ("related", record.id, record.version, limit),
                   lambda: related(engine, store, record, limit))


def _cached(engine: Engine, store, question: tuple, answer: Callable):
    # both generations read before answering: an answer newer than its key is harmless, an older
    # one would not be (a withhold moves the store's public generation, a commit the engine's)
    key = (engine.name, str(engine.data_dir), engine.generation(), store.public_generation(), question)
    with _results_lock:
        if key in _results:
            _results.move_to_end(key)
            return _results[key]
    data = answer()
    with _results_lock:
        _results[key] = data
        while len(_results) > RESULT_CACHE:
            _results.popitem(last=False)
    return data
