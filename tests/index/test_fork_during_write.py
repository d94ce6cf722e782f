"""A process that forks while another of its threads writes the index keeps writing afterwards.

An ingest forks (its read-ahead child, the extraction guard) while its indexing thread writes
(index/alongside.py), and a web worker forks for a rendition while its follower catches up. A
child forked with the engine's writer open inherits its lock file; a clerk's withhold would then
fail until the child exits. index/locking.py makes the fork wait for the write instead.
(tantivy keeps its lock until the last copy closes; Whoosh unlocks with LOCK_UN, which frees every
copy, so its variant holds the contract rather than the bug.)
"""

from __future__ import annotations

import multiprocessing
import threading
import time

from archive.store import Store
from index import service, tantivy_engine, whoosh_engine
from index.documents import document_of
from tests.builders import batch, record
from tests.conftest import make_app


def test_a_write_after_a_fork_in_the_middle_of_another_threads_write_succeeds(tmp_path, engine_name, monkeypatch):
    app = make_app(tmp_path / "store", SEARCH_ENGINE=engine_name)
    root = batch(tmp_path / "b", (record(id="F-1"), {"본문.txt": "첫 본문"}),
                 (record(id="F-2"), {"본문.txt": "둘째 본문"}))
    assert app.test_cli_runner().invoke(args=["ingest", str(root)]).exit_code == 0
    engine, store = app.extensions["search_engine"], Store(tmp_path / "store")
    docs = {rid: document_of(store, rid) for rid in ("F-1", "F-2")}

    inside = threading.Event()
    slow_module, slow_name = ((tantivy_engine, "to_document") if engine_name == "tantivy"
                              else (whoosh_engine, "_fields"))
    real = getattr(slow_module, slow_name)

    def slow(doc):
        if doc["id"] == "F-1":
            inside.set()
            time.sleep(1.0)  # the writer is open meanwhile
        return real(doc)

    monkeypatch.setattr(slow_module, slow_name, slow)
    writing = threading.Thread(target=engine.write, args=([docs["F-1"]],))
    writing.start()
    assert inside.wait(10)
    child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(8,))
    child.start()  # as the read-ahead child and the extraction guard do, from the main thread
    try:
        writing.join()
        engine.write([docs["F-2"]])  # the child lives on: this must not find the writer's lock held
        assert {"F-1", "F-2"} <= set(engine.indexed())
    finally:
        child.kill()
        child.join()
        store.close()
    assert service.problems(engine, Store(tmp_path / "store")) == []
