"""The index feed (archive/store/feed.py): every change to what an index document is made of feeds the
records it touches, whichever code path (or psql session) makes it, on both stores."""

from __future__ import annotations

from pathlib import Path

from archive.store import Store
from index import service
from index.engine import SearchRequest
from tests.builders import batch, record
from tests.conftest import CLERK, PASSWORD
from tests.pg import ON_BOTH_STORES

pytestmark = ON_BOTH_STORES

SHARED = "두 기록이 함께 가진 같은 파일 피드시험"


def setup(app, tmp_path) -> Store:
    root = batch(tmp_path / "b",
                 (record(id="F-1"), {"본문.txt": SHARED}),
                 (record(id="F-2", attachments=[{"file": "같은것.txt", "disclosure": "public"},
                                                 {"file": "다른것.txt", "disclosure": "public"}]),
                  {"같은것.txt": SHARED, "다른것.txt": "F-2만의 본문"}),
                 (record(id="F-3"), {"본문.txt": "상관없는 기록"}))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    made = runner.invoke(args=["users", "create", CLERK, "--role", "clerk", "--password-stdin"], input=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    return Store(Path(app.config["DATA_DIR"]))


def fed_after(store: Store, seq: int) -> list[str]:
    return sorted({rid for rid, _ in store.feed_since(seq)})


def test_every_change_feeds_the_records_it_touches_and_no_other(app, tmp_path):
    store = setup(app, tmp_path)
    runner = app.test_cli_runner()
    try:
        engine = app.extensions["search_engine"]
        assert service.behind(engine, store) == []  # the ingest caught this node up
        head = store.feed_head()
        done = runner.invoke(args=["disclose", "F-1", "1", "--withhold", "--ground", "6", "--reason", "r",
                                   "--clerk", CLERK])
        assert done.exit_code == 0, done.output
        assert fed_after(store, head) == ["F-1", "F-2"]  # the same bytes are withheld in F-2 too
        assert service.behind(engine, store) == []  # and the command caught this node up

        head = store.feed_head()
        done = runner.invoke(args=["withdraw", "F-3", "--reason", "잘못 보냄", "--clerk", CLERK])
        assert done.exit_code == 0, done.output
        assert fed_after(store, head) == ["F-3"]

        head = store.feed_head()
        with store.transaction():  # a write no service made (an operator's SQL): the triggers see it too
            store.db.execute("UPDATE extractions SET text = 'x' WHERE sha256 = ?",
                             (store.get("F-2").attachment(2).sha256,))
        assert fed_after(store, head) == ["F-2"]
        assert service.behind(engine, store) == ["F-2"]

        head = store.feed_head()
        with store.transaction():  # F-2 withheld whole: its bytes are withheld in F-1 too
            store.db.execute("UPDATE records SET withheld_grounds = '[6]' WHERE id = 'F-2'")
        assert fed_after(store, head) == ["F-1", "F-2"]
        assert service.catch_up(engine, store) == 2 and service.behind(engine, store) == []
    finally:
        store.close()


def test_a_search_leaves_out_what_changed_since_the_index_caught_up(app, tmp_path):
    store = setup(app, tmp_path)
    try:
        engine = app.extensions["search_engine"]
        everything = service.search(engine, store, SearchRequest(q="피드시험"))
        assert everything["total"] == 2
        with store.transaction():  # as another node's change, this node's index not written
            store.db.execute("UPDATE records SET title = title WHERE id = 'F-2'")
        found = service.search(engine, store, SearchRequest(q="피드시험"))  # F-2 and its twin F-1 left out
        assert found["results"] == [] and found["total"] == 0
        assert sum(n for _, n in found["facets"]["agency"]) == 0
        assert [r["id"] for r in service.search(engine, store, SearchRequest(q="상관없는"))["results"]] == ["F-3"]
        service.catch_up(engine, store)
        assert service.search(engine, store, SearchRequest(q="피드시험"))["total"] == 2
    finally:
        store.close()
