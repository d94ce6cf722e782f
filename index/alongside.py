"""An ingest's index, caught up in a thread beside it: the batch is searchable as it goes in.

The ingest stores records in groups; every `every` seconds this thread indexes what has been
committed so far (index.service.catch_up, through its own store connection), so a batch of
thousands is findable while it runs and a killed ingest leaves at most that much for the worker.
In a thread rather than between groups, the index's work overlaps the ingest's waits (fsync,
SQLite, tantivy's own threads): tantivy and SQLite let go of the GIL while they work.

Nothing here changes what may be indexed: catch_up reads each document from the store's public
view under the index lock, which also keeps it apart from a group that takes records out of the
index before replacing them (archive/ingest_group.py), in this process as in any other.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .engine import Engine
from .service import catch_up

log = logging.getLogger("yeollam.index")

INDEX_EVERY = 2.0  # seconds: how often an ingest makes what it has stored so far searchable


class Alongside:
    """`with Alongside(engine, store):` around an ingest; the caller catches up once more after it."""

    def __init__(self, engine: Engine, store, every: float | None = None,
                 changed: Callable[[object, list[str] | None], object] | None = None):
        """`changed(store, ids)`: catch_up's `changed`, given this thread's connection to read the ids with."""
        self.engine, self.every, self.changed = engine, every or INDEX_EVERY, changed
        self.store = store.another()  # this thread's own connection
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="index-alongside", daemon=True)

    def __enter__(self) -> Alongside:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join()

    def _run(self) -> None:
        try:
            while not self.stopping.wait(self.every):
                try:
                    catch_up(self.engine, self.store, self.changed and (lambda ids: self.changed(self.store, ids)))
                except Exception:  # noqa: BLE001 - the ingest's own catch-up after the batch indexes it, or says why
                    log.exception("index: could not catch up during the ingest")
        finally:
            self.store.close()
