"""The default engine: tantivy (its official Python bindings). The only module that imports tantivy.

Analysis stays index.analysis's (no tantivy tokenizer yields its bigrams, lone syllables and
bridges: bench/tantivy_tokens.py). Every full-text field reaches tantivy as those terms joined by
spaces, which its whitespace tokenizer splits again (a term holds no space; positions are the
terms' order): one string per field, not a Python object per term. Offsets are not kept (snippets
come from the store's text); queries are built from index.lang's tokens, never parsed by tantivy.

Only the id and the version are stored: what a reader sees is built from the store's public view
above the engine. The index lives in `data_dir/tantivy-<ns>-<pid>`, reached through the symlink
`data_dir/search-tantivy`; a rebuild fills a fresh folder and swaps the link.

Purging. tantivy marks a deleted document and drops its terms only when a merge rewrites its segment,
and the bindings expose no merge. Their merge policy (LogMergePolicy: eight segments of one size
level merge) is what is left to drive: next to each segment that holds deletions, seven segments of
empty "filler" documents of the same size are committed, which makes its level merge; the fillers
are deleted after, and the segments that held the deletions are checked to be gone (`_purge`).
Fillers have no field, so only the all-documents query finds them; "every record" is `exists(version)`.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import tantivy

from .analysis import joined_terms
from .engine import MAX_PAGE, Matches, SearchRequest
from .kept_terms import terms_of
from .lang import TEXT_FIELDS
from .locking import fresh_folder, index_lock, read_mark, swap_in, write_mark
from .tantivy_search import (
    KEYWORDS,
    _by_day,
    _by_score,
    _count,
    _like,
    _Translator,
    everything,
)

Q = tantivy.Query
MUST, SHOULD, MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot

FIELDS = ("id", "version", *TEXT_FIELDS, "exact", *KEYWORDS, "produced")
WRITE_HEAP = 64_000_000
REBUILD_HEAP = 256_000_000
COUNTING_THREADS = 4  # counting passes of concurrent searches in one process; more wait their turn
PARALLEL_FROM = 200  # documents in one write from which a second indexing thread pays off
INDEXED_PAGE = 10_000
# tantivy's LogMergePolicy, as the bindings leave it (not configurable from Python)
MERGE_LEVEL_SEGMENTS = 8
MERGE_MIN_LAYER = 10_000
PURGE_ATTEMPTS = 2
TERMS = "yeollam_terms"  # the text fields' tokenizer: splits index.analysis's terms at the spaces joining them
FILLERS = "fillers.json"  # per segment: how many of its deleted documents are fillers (no text)


def make_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("version", stored=True, fast=True)
    for name in TEXT_FIELDS:  # index.analysis's terms, joined by spaces (the module's docstring)
        sb.add_text_field(name, tokenizer_name=TERMS, index_option="position")
    sb.add_text_field("exact", tokenizer_name="raw", index_option="basic")
    for name in KEYWORDS:
        sb.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_integer_field("produced", indexed=True, fast=True)  # YYYYMMDD
    return sb.build()


# -- index documents --------------------------------------------------------------------


def open_index(folder: Path) -> tantivy.Index:
    """The index in a folder, with the tokenizer its text fields are written with."""
    index = tantivy.Index.open(str(folder))
    index.register_tokenizer(TERMS, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
    return index


def day_of(iso: str) -> int:
    """YYYY-MM-DD as the integer YYYYMMDD (0 when unreadable)."""
    digits = "".join(ch for ch in (iso or "")[:10] if ch.isdigit())
    return int(digits) if len(digits) == 8 else 0


def to_document(doc: dict) -> tantivy.Document:
    out = tantivy.Document()
    out.add_text("id", doc["id"])
    out.add_integer("version", int(doc["version"]))
    for name in TEXT_FIELDS:
        if name == "body" and doc.get("body_parts") is not None:
            # the terms of each file's text, as an ingest's read-ahead may have made them already
            # (index.analysis.terms_of): the same terms as the whole body's, the separator ends each
            terms = " ".join(t for t in map(terms_of, doc["body_parts"]) if t)
        else:
            terms = joined_terms(doc[name]) if doc.get(name) else ""
        if terms:
            out.add_text(name, terms)
    for value in dict.fromkeys(x.strip().lower() for x in doc.get("exact") or ()):
        if value:
            out.add_text("exact", value)
    for name in KEYWORDS:
        values = doc.get(name)
        for value in dict.fromkeys(values if isinstance(values, list) else [values]):
            if value:
                out.add_text(name, str(value))
    out.add_integer("produced", day_of(doc.get("produced") or ""))
    return out


def _fillers() -> tantivy.Query:
    return Q.boolean_query([(MUST, Q.all_query()), (MUST_NOT, everything())])


# -- the folder -------------------------------------------------------------------------


def _meta(folder: Path) -> dict:
    with open(folder / "meta.json", encoding="utf-8") as handle:
        return json.load(handle)


class _Held:
    """The index open for reading in this process, and the commit it was last loaded at."""

    def __init__(self, folder: Path, opstamp: int):
        self.folder = folder
        self.index = tantivy.Index.open(str(folder))
        self.index.config_reader("Manual")  # reloaded by _reader when meta.json moves: no watcher thread
        self.opstamp = opstamp


class TantivyEngine:
    name = "tantivy"
    takes_terms = True

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.link = self.data_dir / "search-tantivy"
        self._lock = threading.Lock()  # guards _held only; searches run outside it
        self._held: _Held | None = None

    def _folder(self) -> Path:
        """The current index folder (resolved once), creating the first, empty index."""
        if not self.link.exists():
            with index_lock(self.data_dir):
                if not self.link.exists():  # another process may have made it while we waited
                    self._swap_in(self._fresh_folder())
        return self.link.resolve()

    def _fresh_folder(self) -> Path:
        folder = fresh_folder(self.data_dir, "tantivy")
        tantivy.Index(make_schema(), path=str(folder), reuse=False)
        return folder

    def _swap_in(self, folder: Path) -> None:
        swap_in(self.data_dir, "tantivy", folder)

    # -- writing ------------------------------------------------------------------------

    def write(self, documents: Iterable[dict], remove: Iterable[str] = (), purge: bool = False) -> None:
        documents, remove = list(documents), list(remove)
        if not documents and not remove and not purge:
            return
        with index_lock(self.data_dir):
            folder = self._folder()
            index = open_index(folder)
            threads = 2 if len(documents) >= PARALLEL_FROM else 1
            writer = index.writer(heap_size=WRITE_HEAP, num_threads=threads)
            try:
                for record_id in remove:
                    writer.delete_documents_by_term("id", record_id)
                for doc in documents:
                    writer.delete_documents_by_term("id", doc["id"])
                    writer.add_document(to_document(doc))
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()  # merges end here, not abandoned with the writer
            if purge:
                _purge(index, folder)

    def rebuild(self, documents: Iterable[dict], progress: Callable[[int], None] | None = None,
                mark: dict | None = None) -> int:
        with index_lock(self.data_dir):  # no write may land in the old index while this builds
            folder = self._fresh_folder()
            try:
                n = _fill(folder, documents, progress)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            if mark is not None:
                write_mark(folder, mark)  # with the folder: the swap brings index and mark in at once
            self._swap_in(folder)
        return n

    def mark(self) -> dict | None:
        return read_mark(self._folder())

    def set_mark(self, mark: dict) -> None:
        with index_lock(self.data_dir):
            write_mark(self._folder(), mark)

    def is_current(self) -> bool:
        """The folder's fields are this release's, in an index format this tantivy reads."""
        folder = self._folder()
        try:
            fields = {field["name"]: field for field in _meta(folder)["schema"]}
            # an index of the first format (pre-tokenized text under "raw") would take joined terms whole
            written = all(fields[name]["options"]["indexing"]["tokenizer"] == TERMS for name in TEXT_FIELDS)
            return set(fields) == set(FIELDS) and written and tantivy.Index.is_compatible(str(folder))
        except (OSError, ValueError, KeyError, TypeError):
            return False

    # -- reading ------------------------------------------------------------------------

    def _reader(self) -> tuple[tantivy.Searcher, tantivy.Schema, tuple]:
        """A searcher over the index as last committed, its schema, and its generation (folder, opstamp).

        The schema is the folder's own (field ids are its, not this release's), taken with the searcher.
        """
        for attempt in (1, 2):
            folder = self._folder()
            try:
                opstamp = _meta(folder)["opstamp"]  # read before loading: what is loaded is at least this
                break
            except FileNotFoundError:  # swapped out twice since resolved: resolve again
                if attempt == 2:
                    raise
        with self._lock:
            held = self._held
            if held is None or held.folder != folder:
                held = self._held = _Held(folder, opstamp)
            elif held.opstamp != opstamp:
                held.index.reload()
                held.opstamp = opstamp
            searcher, schema = held.index.searcher(), held.index.schema
        return searcher, schema, (folder.name, opstamp)

    def generation(self) -> tuple:
        return self._reader()[2]

    def search(self, tree, req: SearchRequest) -> Matches:
        searcher, schema, _ = self._reader()
        query = _Translator(schema, searcher).request(tree, req)
        # The count-and-facets pass and the page's pass read the same matches; tantivy lets go of
        # the GIL in both, so they run at once on two cores (a common word at 100,000 records spends
        # its time in these two passes, about evenly). A page past the last match comes back empty.
        counting = _counter().submit(_count, searcher, query)
        try:
            page = min(max(req.page, 1), MAX_PAGE)
            size = max(req.page_size, 1)
            start = (page - 1) * size
            if tree is None or req.sort in ("newest", "oldest"):
                hits = _by_day(searcher, schema, query, start, size, oldest=req.sort == "oldest")
            else:
                hits = _by_score(searcher, query, start, size)
        finally:
            total, facets = counting.result()
        return Matches(total=total, hits=hits, facets=facets, partial=False)

    def more_like(self, record_id: str, text: str, limit: int,
                  exclude: frozenset[str] = frozenset()) -> list[tuple[str, float]]:
        searcher, schema, _ = self._reader()
        query = _like(schema, searcher, record_id, text, exclude)
        if query is None or limit <= 0:
            return []
        found = searcher.search(query, limit + 1, count=False).hits
        scored = [(searcher.doc(address).get_first("id"), score) for score, address in found]
        return [(x, score) for x, score in scored if x != record_id][:limit]

    def indexed(self) -> dict[str, int]:
        searcher, _, _ = self._reader()
        out: dict[str, int] = {}
        offset = 0
        while True:
            # equal scores: tantivy orders by document address, the same order on every page
            found = searcher.search(everything(), INDEXED_PAGE, count=False, offset=offset).hits
            for _, address in found:
                doc = searcher.doc(address)
                out[doc.get_first("id")] = int(doc.get_first("version"))
            if len(found) < INDEXED_PAGE:
                return out
            offset += INDEXED_PAGE

    def lexicon(self) -> set[str]:
        searcher, _, _ = self._reader()
        return {term for name in TEXT_FIELDS for term, _ in searcher.terms_with_prefix(name, "")}


_pool: tuple[int, ThreadPoolExecutor] | None = None  # one per process, shared by its engines
_pool_lock = threading.Lock()


def _counter() -> ThreadPoolExecutor:
    """This process's threads for counting passes (made again after a fork: threads do not survive it)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(COUNTING_THREADS, thread_name_prefix="tantivy-count"))
        return _pool[1]


def _fill(folder: Path, documents: Iterable[dict], progress: Callable[[int], None] | None) -> int:
    index = open_index(folder)
    writer = index.writer(heap_size=REBUILD_HEAP, num_threads=2)
    n = 0
    try:
        for doc in documents:
            writer.add_document(to_document(doc))
            n += 1
            if progress:
                progress(1)
        writer.commit()
    except BaseException:
        writer.rollback()
        raise
    finally:
        writer.wait_merging_threads()
    return n


# -- purging ----------------------------------------------------------------------------


def _recorded_fillers(folder: Path) -> dict[str, int]:
    try:
        with open(folder / FILLERS, encoding="utf-8") as handle:
            return {str(k): int(v) for k, v in json.load(handle).items()}
    except (OSError, ValueError, AttributeError):
        return {}  # unknown: every deletion counts as a real one (more merging, never less)


def holding_deletions(folder: Path) -> dict[str, tuple[int, int]]:
    """Segments holding deleted documents other than fillers: {segment id: (live docs, max doc)}."""
    fillers = _recorded_fillers(folder)
    out = {}
    for segment in _meta(folder)["segments"]:
        deleted = (segment.get("deletes") or {}).get("num_deleted_docs", 0)
        if deleted > fillers.get(segment["segment_id"], 0):
            out[segment["segment_id"]] = (segment["max_doc"] - deleted, segment["max_doc"])
    return out


def _purge(index: tantivy.Index, folder: Path) -> None:
    """Rewrite every segment holding deleted documents, so that their terms leave the disk.

    Raises RuntimeError when tantivy's merge policy could not be brought to merge them.
    """
    stale = holding_deletions(folder)
    for attempt in range(PURGE_ATTEMPTS):
        if not stale:
            return
        _merge_with_fillers(index, stale, attempt)
        segments = {s["segment_id"]: s for s in _meta(folder)["segments"]}
        left = {sid: v for sid, v in stale.items() if sid in segments}
        fillers = {sid: n for sid, n in _recorded_fillers(folder).items() if sid in segments}
        for sid, segment in segments.items():  # every other deletion now is a filler's
            if sid not in left and segment.get("deletes"):
                fillers[sid] = segment["deletes"]["num_deleted_docs"]
        tmp = folder / f".{FILLERS}.{os.getpid()}"
        tmp.write_text(json.dumps(fillers), encoding="utf-8")
        os.replace(tmp, folder / FILLERS)
        stale = left
    if stale:
        raise RuntimeError(f"tantivy did not merge away the segments holding deletions: {sorted(stale)}")


def _merge_with_fillers(index: tantivy.Index, stale: dict[str, tuple[int, int]], attempt: int) -> None:
    writer = index.writer(heap_size=WRITE_HEAP, num_threads=1)  # one thread: one segment per commit
    try:
        for live, max_doc in stale.values():
            # segments below the policy's minimum layer share one level whatever their size
            size = 1 if live <= MERGE_MIN_LAYER else (live if attempt == 0 else max_doc)
            for _ in range(MERGE_LEVEL_SEGMENTS - 1):
                for _ in range(size):
                    writer.add_document(tantivy.Document())
                writer.commit()
    finally:
        writer.wait_merging_threads()
    writer = index.writer(heap_size=WRITE_HEAP, num_threads=1)
    try:
        writer.delete_documents_by_query(_fillers())
        writer.commit()
        writer.garbage_collect_files()
    finally:
        writer.wait_merging_threads()


# -- queries ----------------------------------------------------------------------------
