"""One function per change: the CLI and the web call these, never the parts behind them.

Each owns every side effect of its change, in the order that fails closed: the search index,
the cached PDF renditions, garbage collection and the ingest log. A caller that wired the parts
itself could forget one (before this module, only the clerk form purged a withheld file's
cached rendition, so a withhold made by ingest left a PDF of withheld text on disk).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from archive import audit
from archive.changes import Change
from archive.changes import change_disclosure as _change_disclosure
from archive.ingest import Report, ingest_paths
from archive.rendition import forget
from archive.store import Store
from index import service as search
from index.engine import Engine
from index.locking import index_lock

Each = Callable[[list[Path], str], Iterable[Path]]


def _as_is(folders: list[Path], label: str) -> Iterable[Path]:
    return folders


def renditions_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "renditions"


def purge_renditions(store: Store, data_dir: Path, hashes: Iterable[str] | None = None) -> int:
    """Delete cached renditions of files that are not public in every record holding them.

    `hashes` names the files a change touched; None sweeps the whole cache (after an ingest,
    whose withholds — the same-bytes rule, a re-send held for review — can touch any file).
    Downloads check the level before they read the cache, so this is the second wall, not the
    first: the text of a withheld file must not stay on disk where a backup or a bug could reach it.
    """
    cache = renditions_dir(data_dir)
    if hashes is None:
        hashes = {p.name.split("-", 1)[0] for p in cache.glob("*.pdf")} if cache.is_dir() else set()
    hashes = set(hashes)
    doomed = store.withheld_anywhere(hashes) | (hashes - store.referenced_hashes())
    return sum(forget(cache, sha) for sha in sorted(doomed))


def ingest_batch(store: Store, engine: Engine, data_dir: Path, paths: list[Path], who: str,
                 source: str | None = None, each: Each = _as_is) -> Report:
    """Ingest batches: store, index, purge renditions, collect garbage, log; the report."""
    data_dir = Path(data_dir)
    report = ingest_paths(store, list(paths), each=each,
                          drop_from_index=lambda ids: search.remove(engine, ids),
                          index_lock=lambda: index_lock(engine.data_dir))
    search.update(engine, store, report.changed)
    search.catch_up(engine, store)
    purge_renditions(store, data_dir)
    store.collect_garbage()
    store.log_ingest(who, source or ", ".join(Path(p).name for p in paths), report.as_dict()["counts"])
    return report


def change_disclosure(store: Store, engine: Engine, data_dir: Path, change: Change) -> audit.Entry:
    """Withhold or release one attachment: index (first, on a withhold), store, audit, renditions."""
    data_dir = Path(data_dir)
    entry = _change_disclosure(store, change, lambda ids, purge: search.write(engine, store, ids, purge),
                               lambda: index_lock(engine.data_dir))
    att = store.get(change.record_id).attachment(change.n)
    purge_renditions(store, data_dir, {att.sha256})
    return entry
