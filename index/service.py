"""What the portal asks of search, engine-neutral: keep the index in line with the store, and search.

Readers see only what the store's public view shows now: an engine answers ids and versions;
titles, snippets and attachment names are built here from `public_view` and `public_text_of`,
and a hit whose version the store no longer holds is dropped rather than shown from a stale entry.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from threading import Lock

from archive.messages import N_
from archive.records import public_view

from . import lang
from .analysis import VERSION as ANALYSIS_VERSION
from .documents import document_of, public_body
from .engine import MAX_PAGE, Engine, SearchRequest
from .expansion import resolved
from .lang import QueryRefused
from .locking import index_lock
from .snippets import Asked, mark, snippet

__all__ = ["IndexBehind", "QueryRefused", "SearchRequest", "behind", "cached_search", "catch_up", "left_out",
           "problems", "rebuild", "search", "update", "write"]


def write(engine: Engine, store, record_ids: Iterable[str], purge: bool | None = False) -> dict[str, int]:
    """Write these records' entries as the store's connection sees them now; return their versions.

    The store is not marked, so that a caller may write the index from a transaction it has not
    committed yet (withholding: index first). `purge`: the replaced text leaves the index files;
    None: when any of them is gone or holds something withheld now (the catch-up of a change made
    elsewhere, which may have been a withhold: its text must leave this node's files too).
    """
    # The entries are read from the store under the lock: read before it, they could predate a
    # withhold that another process committed while we waited (it holds the lock from its index
    # write to its commit), and writing them would bring the withheld text back for good.
    docs, gone = [], []
    with index_lock(engine.data_dir):
        for record_id in record_ids:
            doc = document_of(store, record_id)
            (docs.append(doc) if doc is not None else gone.append(record_id))
        if purge is None:
            # cheap when this node withheld it itself: its entry was purged then, and lives in a small new segment
            purge = bool(gone) or any(doc["level"] != "public" for doc in docs)
        engine.write(docs, remove=gone, purge=purge)
    return {doc["id"]: doc["version"] for doc in docs}


def remove(engine: Engine, record_ids: list[str]) -> None:
    """Take records out of the index, their text out of its files (before a change withholds)."""
    engine.write([], remove=record_ids, purge=True)


FOLLOW_CHUNK = 2000  # records written per commit while catching up (bounded memory and lock time)
MAX_BEHIND = 5000  # records a search may leave out; further behind, this node refuses to answer


class IndexBehind(QueryRefused):
    """This node's index cannot answer safely yet: it was never built, or it lags too far behind the store."""

    status = 503
    retry_after = 5


def update(engine: Engine, store, record_ids: Iterable[str] = ()) -> int:
    """Bring the index in line with the store (the records changed are in the store's feed); return how many."""
    return catch_up(engine, store)


def index_mark(engine: Engine) -> str:
    """What an index folder's mark says made it: the engine and the analysis it indexed with."""
    return f"{engine.name} analysis-{ANALYSIS_VERSION}"


def position(engine: Engine) -> int | None:
    """How far this node's index follows the store's feed; None when it cannot say (rebuild it)."""
    mark = engine.mark()
    return mark["seq"] if mark is not None and mark.get("by") == index_mark(engine) else None


def needs_rebuild(engine: Engine, store=None) -> bool:
    """Whether the index must be rebuilt whole: other fields, another engine or analysis, or no position.

    An index with no position is one an older release made, or another engine's folder, or a copy:
    nothing says which withholds it missed, so it is rebuilt rather than trusted.
    """
    if not engine.is_current() or (seq := position(engine)) is None:
        return True
    # a position past the feed's head: the store was restored from an older backup (or the folder
    # is another store's); the counter counts those positions again, so nothing would be re-read
    return store is not None and seq > store.feed_head()


def behind(engine: Engine, store, limit: int | None = None, whole: bool = True) -> list[str] | None:
    """Ids of the records changed in the store (on any node) since this node's index caught up;
    None when the index has no position (every record then)."""
    seq = position(engine)
    if seq is None or seq > store.feed_head():  # ahead of the store: see needs_rebuild
        return None
    return sorted({record_id for record_id, _ in store.feed_since(seq, limit, whole)})


def rebuild(engine: Engine, store, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index into a fresh folder and swap it in, at the feed's position."""
    with index_lock(engine.data_dir):  # no record write may land in the old index while this builds
        # the position is read before the first record: whatever commits later has a later one
        head = store.feed_head()
        ids = store.record_ids()
        documents = (doc for doc in map(lambda rid: document_of(store, rid), ids) if doc is not None)
        engine.rebuild(documents, progress, mark={"by": index_mark(engine), "seq": head})
    return len(ids)


def catch_up(engine: Engine, store, changed: Callable[[list[str] | None], None] | None = None) -> int:
    """Index every record changed in the store since this node's index last caught up; return how many.

    Run after every change, by the worker, and by each node's follower (web/follower.py): what
    another node ingests or withholds reaches this node's index here. An index whose fields
    another release wrote, or that another engine or analysis made, or that carries no position,
    is rebuilt whole: it could still hold text withheld since.
    `changed` is told each chunk's ids (None before a rebuild) before the position moves past them:
    whatever else this node keeps of those records (cached renditions) must follow too, or a
    catch-up run for this node's own change would carry another node's withhold past it unseen.
    """
    done = 0
    with index_lock(engine.data_dir):  # re-checked under the lock: another process may have done it
        if needs_rebuild(engine, store):
            if changed is not None:
                changed(None)
            return rebuild(engine, store)
        while rows := store.feed_since(position(engine), FOLLOW_CHUNK):
            ids = sorted({record_id for record_id, _ in rows})
            if changed is not None:
                changed(ids)
            # read after the feed: each document is at least as new as the position written below
            write(engine, store, ids, purge=None)
            engine.set_mark({"by": index_mark(engine), "seq": max(seq for _, seq in rows)})
            done += len(ids)
    return done


def problems(engine: Engine, store) -> list[str]:
    """Return what differs between the index and the store, one line each."""
    found = []
    if needs_rebuild(engine, store):  # other fields, engine or analysis: queries would miss what it holds
        mark = engine.mark() or {}
        found.append(f"the index was made by {mark.get('by') or 'an older release'}; the portal searches with "
                     f"{index_mark(engine)}: run `flask --app app reindex`")
    found += [f"record {rid} changed in the store after the index last caught up"
              for rid in behind(engine, store) or []]
    indexed = engine.indexed()
    stored = set(store.record_ids())
    found += [f"record {rid} is in the index but not in the store" for rid in sorted(set(indexed) - stored)]
    found += [f"record {rid} is in the store but not in the index" for rid in sorted(stored - set(indexed))]
    return found


def left_out(engine: Engine, store) -> frozenset[str]:
    """The records a search on this node must leave out: every one changed since its index caught up.

    Another node's withhold is in force the moment its command returns; this node's index may
    still hold the text until its follower catches up. Left out of the query itself, such a
    record is neither matched, counted, faceted nor shown, whatever its stale entry holds.
    Raises IndexBehind when the index has no position or lags by more than MAX_BEHIND records.
    """
    stale = behind(engine, store, MAX_BEHIND, whole=False)  # MAX_BEHIND + 1 rows at most
    if stale is None:
        raise IndexBehind(N_("검색 색인을 만드는 중입니다. 잠시 뒤에 다시 검색해 주세요."))
    if len(stale) > MAX_BEHIND:
        raise IndexBehind(N_("검색 색인이 최신 기록을 따라잡는 중입니다. 잠시 뒤에 다시 검색해 주세요."))
    return frozenset(stale)


def search(engine: Engine, store, req: SearchRequest) -> dict:
    """Return one page of results with facet counts, a year histogram and snippets from public text."""
    tree = lang.parse(req.q)
    req.page = min(max(req.page, 1), MAX_PAGE)
    if not req.exclude:
        req.exclude = left_out(engine, store)
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
    try:
        stale = left_out(engine, store)
    except IndexBehind:
        return []  # no related records rather than ones matched on a stale entry
    liked = engine.more_like(record.id, text, limit + 5, stale) if limit > 0 else []
    for order, (record_id, score) in enumerate(liked):
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
    req.exclude = left_out(engine, store)  # before the key: what is left out is part of the question
    return _cached(engine, store, ("search", req.key()), lambda: search(engine, store, req))


def cached_related(engine: Engine, store, record, limit: int = 5) -> list[dict]:
    """`related`, cached like a search: every record page asks for it, and a more-like-this over a
    long public text is a search of many terms (a crawler walking the record pages would pay it each time)."""
    try:
        stale = left_out(engine, store)
    except IndexBehind:
        return []
    return _cached(engine, store, ("related", record.id, record.version, limit, tuple(sorted(stale))),
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
