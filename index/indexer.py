"""Write the index: per record on ingest, or rebuilt whole into a fresh folder, then swapped."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.reading import SegmentReader

from archive.records import public_text_of, public_view
from archive.store import Store

from .locking import index_lock
from .schema import make_schema

WRITER_TIMEOUT = 60.0  # seconds to wait for Whoosh's write lock held by another writer
PARALLEL_FROM = 200  # records in one update from which two indexing processes pay off
BODY_SEPARATOR = "\n\n"


def index_link(data_dir: Path) -> Path:
    """Return the path readers open: a symlink to the current index folder."""
    return Path(data_dir) / "index"


def open_index(data_dir: Path):
    """Open the current index, creating an empty one on first use."""
    link = index_link(data_dir)
    if not link.exists():
        with index_lock(data_dir):
            if not link.exists():  # another process may have made it while we waited
                _swap_in(data_dir, _fresh_folder(data_dir))
    return whoosh_index.open_dir(str(link.resolve()))


def document_of(store: Store, record_id: str) -> dict | None:
    """Return the index document of a record, built from its public view only."""
    record = store.get(record_id)
    if record is None:
        return None
    view = public_view(record)
    texts, sources, offset = [], [], 0
    for att, text in public_text_of(record, store.text_of):
        if text:
            sources.append((att.n, att.name, offset, offset + len(text)))
            texts.append(text)
            offset += len(text) + len(BODY_SEPARATOR)
    classification = view["classification"]
    return {
        "id": view["id"],
        "title": view["title"],
        "numbers": " ".join(x for x in (view["id"], view["doc_number"], view["policy_number"]) if x),
        "exact": ",".join(x.strip().lower() for x in (view["id"], view["doc_number"], view["policy_number"])
                          if x and "," not in x),
        "summary": view["summary"] or "",
        "body": BODY_SEPARATOR.join(texts),
        "body_sources": sources,
        "names": " ".join(a["name"] for a in view["attachments"]),
        "agency": view["agency"],
        "department": view["department"] or "",
        "kind": view["kind"] or "",
        "classification": ",".join("/".join(classification[: i + 1]) for i in range(len(classification))),
        "produced": view["produced"],
        "year": view["produced"][:4],
        "level": view["disclosure"]["level"],
        "grounds": ",".join(str(g) for g in view["disclosure"]["grounds"]),
        "licences": ",".join(lic["code"] for lic in view["licences"]),
    }


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


def write(store: Store, data_dir: Path, record_ids: Iterable[str], purge: bool = False) -> dict[str, int]:
    """Write the index entries of these records as the store's connection sees them now.

    Returns {record id: version} without marking the store, so that a caller may write the
    index from a transaction it has not committed yet (withholding: index first). `purge`
    rewrites the segments that held the replaced entries, so their old text leaves the disk.
    """
    record_ids = list(record_ids)
    with index_lock(data_dir):
        return _write(store, data_dir, record_ids, purge)


def _write(store: Store, data_dir: Path, record_ids: list[str], purge: bool) -> dict[str, int]:
    ix = open_index(data_dir)
    versions = {}
    parallel = {"procs": 2, "multisegment": True, "limitmb": 128} if len(record_ids) >= PARALLEL_FROM else {}
    try:
        writer = ix.writer(timeout=WRITER_TIMEOUT, **parallel)
        try:
            for record_id in record_ids:
                writer.delete_by_term("id", record_id)
                doc = document_of(store, record_id)
                if doc is not None:
                    writer.add_document(**doc)
                    versions[record_id] = store.digest_of(record_id)[1]
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=purge_deleted if purge else None)
    finally:
        ix.close()
    return versions


def remove(data_dir: Path, record_ids: list[str]) -> None:
    """Take records out of the index, rewriting the segments that held them."""
    with index_lock(data_dir):
        ix = open_index(data_dir)
        try:
            writer = ix.writer(timeout=WRITER_TIMEOUT)
            for record_id in record_ids:
                writer.delete_by_term("id", record_id)
            writer.commit(mergetype=purge_deleted)
        finally:
            ix.close()


def update(store: Store, data_dir: Path, record_ids: Iterable[str]) -> int:
    """Bring the index entries of these records in line with the store; return how many."""
    ids = list(record_ids)
    if not ids:
        return 0
    store.mark_indexed(write(store, data_dir, ids))
    return len(ids)


def catch_up(store: Store, data_dir: Path) -> int:
    """Index every record the index is missing or holds stale (after a crash, say).

    An index made by an earlier release with other fields is rebuilt whole.
    """
    with index_lock(data_dir):  # re-checked under the lock: another process may have done it
        if not schema_is_current(data_dir):
            return rebuild(store, data_dir)
        return update(store, data_dir, store.pending_index())


def schema_is_current(data_dir: Path) -> bool:
    """Return whether the index has the fields this release writes."""
    ix = open_index(data_dir)
    try:
        return set(ix.schema.names()) == set(make_schema().names())
    finally:
        ix.close()


def rebuild(store: Store, data_dir: Path, progress=None) -> int:
    """Rebuild the whole index into a fresh folder, then swap it in atomically.

    Readers keep the old index until the swap; they never see a half-built one.
    """
    with index_lock(data_dir):  # no record write may land in the old index while this builds
        folder = _fresh_folder(data_dir)
        ix = whoosh_index.open_dir(str(folder))
        ids = store.record_ids()
        versions = {}
        with ix.writer(procs=2, multisegment=True, limitmb=128) as writer:
            for record_id in ids:
                doc = document_of(store, record_id)
                if doc is not None:
                    writer.add_document(**doc)
                    versions[record_id] = store.digest_of(record_id)[1]
                if progress:
                    progress(1)
        ix.close()
        _swap_in(data_dir, folder)
    store.mark_indexed(versions)
    return len(ids)


def _fresh_folder(data_dir: Path) -> Path:
    folder = Path(data_dir) / f"index-{time.time_ns()}-{os.getpid()}"
    folder.mkdir(parents=True)
    whoosh_index.create_in(str(folder), make_schema())
    return folder


def _swap_in(data_dir: Path, folder: Path) -> None:
    link = index_link(data_dir)
    previous = link.resolve() if link.exists() else None
    tmp = link.with_name(f".index-link-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(folder.name)
    os.replace(tmp, link)  # atomic: a reader sees the old index or the new, nothing between
    # The index just replaced stays one more generation: a reader that opened it a moment
    # ago may still be reading its segments.
    for old in Path(data_dir).glob("index-*"):
        if old not in (folder, previous) and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
