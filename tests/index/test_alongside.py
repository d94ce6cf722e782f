"""An ingest's records are searchable while it runs (index/alongside.py), and its end indexes the rest.

A clerk uploading thousands of records, and a reader waiting for one, expect to find what is
stored while the batch is still going in; and whatever the indexing thread could not do, the
ingest's own last catch-up must do, so that nothing stored stays unfindable.
"""

from __future__ import annotations

import time
from pathlib import Path

import services
from archive.store import Store
from index import alongside
from index.engine import SearchRequest
from index.service import search
from tests.builders import batch, record
from tests.conftest import make_app

WORD = "물재이용"


def records(root: Path, n: int) -> Path:
    return batch(root, *[(record(id=f"A-{i:03d}", title=f"{WORD} 계획 {i}"), {"본문.txt": f"{WORD} 본문 {i}"})
                         for i in range(n)])


def found(app, store: Store) -> set[str]:
    return {hit["id"] for hit in search(app.extensions["search_engine"], store, SearchRequest(q=WORD))["results"]}


def test_records_are_found_while_their_ingest_still_runs(tmp_path, monkeypatch, engine_name):
    monkeypatch.setattr(alongside, "INDEX_EVERY", 0.05)
    app = make_app(tmp_path / "store", SEARCH_ENGINE=engine_name)
    store, engine = Store(tmp_path / "store"), app.extensions["search_engine"]
    seen_during: set[str] = set()

    def each(folders, label):
        for i, folder in enumerate(folders):
            if i == 4:
                time.sleep(0.6)  # the group of the first four is due when the fifth is read: committed
            if i == 5:  # the ingest waits here: only a thread beside it can index what it stored
                deadline = time.monotonic() + 20
                while not found(app, store) and time.monotonic() < deadline:
                    time.sleep(0.05)
                seen_during.update(found(app, store))
            yield folder

    report = services.ingest_batch(store, engine, tmp_path / "store", [records(tmp_path / "b", 8)],
                                   "command line", each=each)
    assert len(report.changed) == 8
    assert {"A-000", "A-001", "A-002", "A-003"} <= seen_during
    assert "A-007" not in seen_during  # not stored yet then
    assert len(found(app, store)) == 8  # and the rest by the ingest's own last catch-up


def test_what_the_thread_could_not_index_the_ingest_indexes_at_its_end(tmp_path, monkeypatch, caplog):
    def broken(engine, store):
        raise OSError("disk full")

    monkeypatch.setattr(alongside, "INDEX_EVERY", 0.05)
    monkeypatch.setattr(alongside, "catch_up", broken)
    app = make_app(tmp_path / "store")
    store = Store(tmp_path / "store")

    def each(folders, label):
        for folder in folders:
            time.sleep(0.1)  # time for the thread to try (and fail)
            yield folder

    services.ingest_batch(store, app.extensions["search_engine"], tmp_path / "store", [records(tmp_path / "b", 3)],
                          "command line", each=each)
    assert "could not catch up during the ingest" in caplog.text
    assert len(found(app, store)) == 3


def test_terms_made_by_the_read_ahead_child_index_each_record_as_its_own_text(tmp_path, engine_name):
    # a batch this size is read ahead (archive/ingest_ahead.py): its child analyses each text too
    from archive.ingest_ahead import AHEAD_FROM
    from index import kept_terms

    n = AHEAD_FROM + 8
    root = batch(tmp_path / "b", *[(record(id=f"R-{i:03d}"), {"본문.txt": f"{WORD} 본문 token{i:03d} 끝{i}번"})
                                   for i in range(n)])
    app = make_app(tmp_path / "store", SEARCH_ENGINE=engine_name)
    store, engine = Store(tmp_path / "store"), app.extensions["search_engine"]
    kept = []
    real_keep = kept_terms.keep_terms

    def keep(text, terms):
        kept.append(text)
        real_keep(text, terms)

    kept_terms.keep_terms = keep
    try:
        services.ingest_batch(store, engine, tmp_path / "store", [root], "command line")
    finally:
        kept_terms.keep_terms = real_keep
    assert len(kept) == (n if engine.takes_terms else 0)
    assert not kept_terms._kept  # nothing left over after the ingest
    for _ in ("as ingested", "rebuilt"):
        for i in range(n):
            hits = search(engine, store, SearchRequest(q=f"token{i:03d}"))["results"]
            assert [h["id"] for h in hits] == [f"R-{i:03d}"], i
        assert cli_reindex(app)


def cli_reindex(app) -> bool:
    return app.test_cli_runner().invoke(args=["reindex"]).exit_code == 0


def test_what_is_kept_for_the_index_is_bounded_by_the_texts_too(monkeypatch):
    # a withheld file's terms are never asked for: kept until the ingest ends, so they must count,
    # and so must their text (a text of dots has no terms)
    from index import analysis, kept_terms

    monkeypatch.setattr(kept_terms, "KEEP_CHARS", 1000)
    try:
        for i in range(50):
            kept_terms.keep_terms("." * 300 + str(i), "")
        assert len(kept_terms._kept) == 3 and kept_terms._kept_chars <= 1000
        long = "가나" * 100
        kept_terms.keep_terms(long, "wrong")  # past the bound: not kept, so made when asked
        assert long not in kept_terms._kept
        assert kept_terms.terms_of(long) == analysis.joined_terms(long)
    finally:
        kept_terms.forget_kept()
    assert kept_terms._kept_chars == 0
