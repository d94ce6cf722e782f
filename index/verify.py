"""Check the index against the store: every record indexed, at its current version."""

from __future__ import annotations

from pathlib import Path

from archive.store import Store

from .indexer import open_index


def problems(store: Store, data_dir: Path) -> list[str]:
    """Return what differs between the index and the store, one line each."""
    found = [f"record {rid} is not indexed at its current version" for rid in store.pending_index()]
    ix = open_index(data_dir)
    try:
        with ix.searcher() as searcher:
            indexed = {fields["id"] for fields in searcher.all_stored_fields()}
    finally:
        ix.close()
    stored = set(store.record_ids())
    found += [f"record {rid} is in the index but not in the store" for rid in sorted(indexed - stored)]
    found += [f"record {rid} is in the store but not in the index" for rid in sorted(stored - indexed)]
    return found
