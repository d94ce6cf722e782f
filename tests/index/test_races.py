"""An index write racing a withhold in another process or thread must not bring the text back.

The write builds its entries from the store; if it read the store before taking the index lock,
a withhold committed in between (index purged, store committed, lock released) would be undone
by the stale entry it then wrote -- and, the record's version unchanged, marked indexed for good.
"""

from __future__ import annotations

import threading
import time

import services
from archive.changes import Change
from archive.store import Store
from index import service
from index.locking import index_lock
from tests.builders import batch, record
from tests.conftest import CLERK, PASSWORD, make_app

CANARY = "RACECANARY7788"


def test_an_index_write_waiting_for_a_withhold_writes_what_the_store_says_after_it(engine_name, tmp_path):
    data_dir = tmp_path / "store"
    app = make_app(data_dir, SEARCH_ENGINE=engine_name)
    runner = app.test_cli_runner()
    root = batch(tmp_path / "b", (record(id="RACE-1"), {"본문.txt": f"경합 본문 {CANARY}"}))
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    created = runner.invoke(args=["users", "create", CLERK, "--role", "clerk", "--password-stdin"],
                            input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    engine = app.extensions["search_engine"]
    holding, go = threading.Event(), threading.Event()

    def clerk_withholds():  # as another process would: lock held across index write and commit
        store = Store(data_dir)
        try:
            with index_lock(engine.data_dir):
                holding.set()
                go.wait(10)
                services.change_disclosure(store, engine, data_dir, Change(
                    "RACE-1", 1, withhold=True, reason="경합", clerk=CLERK, grounds=[6]))
        finally:
            store.close()

    def ingest_indexes():  # an ingest's index update of the same record, started meanwhile
        store = Store(data_dir)
        try:
            service.update(engine, store, ["RACE-1"])
        finally:
            store.close()

    clerk = threading.Thread(target=clerk_withholds)
    clerk.start()
    assert holding.wait(10)
    writer = threading.Thread(target=ingest_indexes)
    writer.start()
    time.sleep(0.5)  # the writer has read what it reads before the lock, and waits for it
    go.set()
    clerk.join(30)
    writer.join(30)
    assert CANARY.lower() not in engine.lexicon(), "the withheld text came back into the index"
    found = app.test_client().get("/api/search", query_string={"q": CANARY}).get_json()
    assert found["total"] == 0
