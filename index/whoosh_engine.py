"""The pure-Python engine: Whoosh (whoosh-reloaded). The only module, with whoosh_query, that imports it.

Slower than tantivy by two orders of magnitude on common words at scale (bench/search.py), so
every search runs with a time budget (TIME_BUDGET): past it the engine answers what it found so
far, marked partial, instead of tying up a web worker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh import sorting
from whoosh.collectors import FilterCollector, TimeLimit, TimeLimitCollector
from whoosh.reading import SegmentReader

from .engine import FACETS, MAX_PAGE, Hit, Matches, SearchRequest
from .locking import fresh_folder, index_lock, read_mark, swap_in, write_mark
from .whoosh_query import check_expansion, ranked, translate
from .whoosh_schema import make_schema

WRITER_TIMEOUT = 60.0  # seconds to wait for Whoosh's write lock held by another writer
PARALLEL_FROM = 200  # records in one write from which two indexing processes pay off
TIME_BUDGET = 2.0  # seconds a search may run before it answers partially


def purge_deleted(writer, segments):
    """Merge policy: rewrite every segment holding deleted documents, leave the rest.

    Whoosh only marks a deleted document; its terms and stored text stay in the segment
    until a merge rewrites it. After a withhold the old entry must be gone from disk too.
    """
    kept = []
    for segment in segments:
        if segment.has_deletions():
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)  # copies the live documents only
            reader.close()
        else:
            kept.append(segment)
    return kept


def _fields(doc: dict) -> dict:
    """An index document as Whoosh fields: lists joined as its KEYWORD fields read them."""
    out = {k: v for k, v in doc.items() if k not in ("version", "body_parts")}  # the body whole is there
    for name in ("exact", "classification", "grounds", "licences"):
        out[name] = ",".join(x for x in doc[name] if "," not in x)
    out["version"] = doc["version"]
    return out


class WhooshEngine:
    name = "whoosh"
    takes_terms = False  # its own analyzer reads the text

    def __init__(self, data_dir: Path, time_budget: float = TIME_BUDGET):
        self.data_dir = Path(data_dir)
        self.link = self.data_dir / "search-whoosh"
        self.time_budget = time_budget
        self._local = threading.local()  # one searcher per thread: searches never wait on each other

    # -- the folder ---------------------------------------------------------------------

    def _open(self):
        if not self.link.exists():
            with index_lock(self.data_dir):
                if not self.link.exists():  # another process may have made it while we waited
                    self._swap_in(self._fresh_folder())
        return whoosh_index.open_dir(str(self.link.resolve()))

    def _fresh_folder(self) -> Path:
        folder = fresh_folder(self.data_dir, "whoosh")
        whoosh_index.create_in(str(folder), make_schema())
        return folder

    def _swap_in(self, folder: Path) -> None:
        swap_in(self.data_dir, "whoosh", folder)

    # -- writing ------------------------------------------------------------------------

    def write(self, documents: Iterable[dict], remove: Iterable[str] = (), purge: bool = False) -> None:
        documents, remove = list(documents), list(remove)
        with index_lock(self.data_dir):
            ix = self._open()
            parallel = {"procs": 2, "multisegment": True, "limitmb": 128} if len(documents) >= PARALLEL_FROM else {}
            try:
                writer = ix.writer(timeout=WRITER_TIMEOUT, **parallel)
                try:
                    for record_id in remove:
                        writer.delete_by_term("id", record_id)
                    for doc in documents:
                        writer.delete_by_term("id", doc["id"])
                        writer.add_document(**_fields(doc))
                except BaseException:
                    writer.cancel()
                    raise
                writer.commit(mergetype=purge_deleted if purge else None)
            finally:
                ix.close()

    def rebuild(self, documents: Iterable[dict], progress: Callable[[int], None] | None = None,
                mark: dict | None = None) -> int:
        with index_lock(self.data_dir):  # no write may land in the old index while this builds
            folder = self._fresh_folder()
            ix = whoosh_index.open_dir(str(folder))
            n = 0
            with ix.writer(procs=2, multisegment=True, limitmb=128) as writer:
                for doc in documents:
                    writer.add_document(**_fields(doc))
                    n += 1
                    if progress:
                        progress(1)
            ix.close()
            if mark is not None:
                write_mark(folder, mark)  # with the folder: the swap brings index and mark in at once
            self._swap_in(folder)
        return n

    def mark(self) -> dict | None:
        return read_mark(self._open_folder())

    def set_mark(self, mark: dict) -> None:
        with index_lock(self.data_dir):
            write_mark(self._open_folder(), mark)

    def is_current(self) -> bool:
        ix = self._open()
        try:
            return set(ix.schema.names()) == set(make_schema().names())
        finally:
            ix.close()

    # -- reading ------------------------------------------------------------------------

    def _searcher(self):
        """This thread's searcher, renewed when the index moved (a swap) or changed (a commit)."""
        folder = self._open_folder()
        held = getattr(self._local, "held", None)
        if held is not None and (held[0] != folder or not held[2].up_to_date()):
            # a fresh searcher, not refresh(): refresh reuses segment readers and was seen to
            # keep counting a document deleted since (a withheld entry resurfacing in totals)
            held[2].close()
            held[1].close()
            held = None
        if held is None:
            ix = whoosh_index.open_dir(str(folder))
            held = (folder, ix, ix.searcher())
            self._local.held = held
        return held[2]

    def _open_folder(self) -> Path:
        if not self.link.exists():
            self._open().close()  # makes the first, empty index
        return self.link.resolve()  # resolved once: a swap between two would pair a name with another folder

    def generation(self) -> tuple:
        searcher = self._searcher()
        return (str(self._open_folder()), searcher.reader().generation())

    def search(self, tree, req: SearchRequest) -> Matches:
        searcher = self._searcher()
        parsed = translate(tree, searcher.schema)
        query = ranked(parsed, req.q) if parsed is not None else Q.Every()
        check_expansion(query, searcher.reader())  # what Whoosh is handed, prefixes and ranges expanded
        page = min(max(req.page, 1), MAX_PAGE)
        browsing = tree is None or req.sort in ("newest", "oldest")
        facets = {name: sorting.FieldFacet(name, allow_overlap=name in ("grounds", "licences"), maptype=sorting.Count)
                  for name in FACETS}
        sortedby = [sorting.FieldFacet("produced", reverse=req.sort != "oldest"), sorting.FieldFacet("id")] \
            if browsing else None
        collector = searcher.collector(limit=page * req.page_size, sortedby=sortedby, groupedby=facets)
        timed = TimeLimitCollector(collector, timelimit=self.time_budget, use_alarm=False)
        allow = _filter(req)
        restrict = Q.Or([Q.Term("id", rid) for rid in sorted(req.exclude)]) if req.exclude else None
        outer = FilterCollector(timed, allow=allow, restrict=restrict) if allow is not None or restrict else timed
        partial = False
        try:
            searcher.search_with_collector(query, outer)
        except TimeLimit:
            partial = True
        results = outer.results()
        start = (page - 1) * req.page_size
        hits = [Hit(hit["id"], hit["version"]) for hit in list(results)[start:start + req.page_size]]
        counts = {name: sorted(((k, v) for k, v in results.groups(name).items() if k), key=lambda kv: (-kv[1], kv[0]))
                  for name in FACETS}
        return Matches(total=results.scored_length() if partial else len(results), hits=hits, facets=counts,
                       partial=partial)

    def more_like(self, record_id: str, text: str, limit: int,
                  exclude: frozenset[str] = frozenset()) -> list[tuple[str, float]]:
        searcher = self._searcher()
        docnum = searcher.document_number(id=record_id)
        found = searcher.more_like(docnum if docnum is not None else -1, "body", text=text[:20_000],
                                   top=limit + 1 + len(exclude), numterms=12)
        left_out = {record_id, *exclude}
        return [(hit["id"], hit.score) for hit in found if hit["id"] not in left_out][:limit]

    def indexed(self) -> dict[str, int]:
        ix = self._open()
        try:
            with ix.searcher() as searcher:
                return {fields["id"]: fields["version"] for fields in searcher.all_stored_fields()}
        finally:
            ix.close()

    def lexicon(self) -> set[str]:
        ix = self._open()
        try:
            with ix.searcher() as searcher:
                return {t.decode("utf-8", "replace") for f, t in searcher.reader().all_terms()
                        if f in ("title", "numbers", "summary", "body", "names", "classification_text")}
        finally:
            ix.close()


def _filter(req: SearchRequest) -> Q.Query | None:
    parts: list[Q.Query] = [Q.Term(name, value) for name, value in req.filters.items() if value]
    if req.date_from or req.date_to:
        parts.append(Q.TermRange("produced", req.date_from, req.date_to))
    return Q.And(parts) if parts else None
