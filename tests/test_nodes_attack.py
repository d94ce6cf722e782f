"""Attacks on the index feed across nodes (issue 15 review): orderings the triggers must survive.

The threat: a node catches up between two commits and records a position after which the
withhold that just committed feeds not the record whose entry it made stale.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psycopg

from archive.store import Store
from tests.builders import batch, record
from tests.conftest import make_app


def _seq(url: str, record_id: str) -> int:
    with psycopg.connect(url, autocommit=True) as db:
        return db.execute("SELECT seq FROM index_feed WHERE record_id = %s", (record_id,)).fetchone()[0]


def test_a_withhold_racing_a_commit_that_gives_its_bytes_to_another_record_feeds_that_record(
        pg_cluster, tmp_path, monkeypatch):
    url = pg_cluster.new_database()
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", url)
    monkeypatch.setenv("ARCHIVE_BLOB_DIR", str(tmp_path / "shared-blobs"))
    app = make_app(tmp_path / "node-a", FOLLOW_SECONDS=0)
    folder = batch(tmp_path / "batch",
                   (record(id="R-1", title="하나", agency="가시"), {"본문.txt": "비밀 본문 노드경합낱말"}),
                   (record(id="R-2", title="둘", agency="나시"), {"본문.txt": "다른 본문"}))
    assert app.test_cli_runner().invoke(args=["ingest", str(folder)]).exit_code == 0
    store = Store(app.config["DATA_DIR"])
    secret = store.get("R-1").attachments[0].sha256
    store.close()

    # T2 (node B, an operator or a re-send): R-2's attachment becomes the same bytes; not committed yet
    with psycopg.connect(url) as t2, psycopg.connect(url) as t1:
        _race(url, secret, t1, t2)


def _race(url: str, secret: str, t1, t2) -> None:
    t2.execute("UPDATE attachments SET sha256 = %s WHERE record_id = 'R-2'", (secret,))
    # T1 (node A's clerk): withholds those bytes in R-1; its trigger runs while T2 holds the feed's counter
    errors: list[BaseException] = []
    go = threading.Event()

    def withhold():
        try:
            t1.execute("INSERT INTO clerk_withheld (sha256, record_id, grounds) VALUES (%s, 'R-1', '[6]')", (secret,))
            go.wait(10)  # T1 commits only once the other node has caught up between the two commits
            t1.commit()
        except BaseException as error:  # noqa: BLE001 - said below
            errors.append(error)

    thread = threading.Thread(target=withhold)
    thread.start()
    time.sleep(0.5)  # T1's statement is now waiting on the counter row
    t2.commit()
    # a node catching up now reads R-2 holding the bytes still public (T1 has not committed):
    # its index gets R-2 with the text and its mark R-2's position
    caught_up_to = _seq(url, "R-2")
    go.set()
    thread.join(10)
    assert not errors and not thread.is_alive()
    # the withhold must feed R-2 again, or that node's entry of R-2 holds withheld text for good
    assert _seq(url, "R-2") > caught_up_to


def test_a_node_whose_own_change_catches_it_up_still_purges_another_nodes_withheld_rendition(
        pg_cluster, tmp_path, monkeypatch):

    from tests.conftest import CLERK, PASSWORD
    from tests.test_nodes import two_records, wait_for

    monkeypatch.setenv("ARCHIVE_DATABASE_URL", pg_cluster.new_database())
    monkeypatch.setenv("ARCHIVE_BLOB_DIR", str(tmp_path / "shared-blobs"))
    a = make_app(tmp_path / "node-a", FOLLOW_SECONDS=0)
    b = make_app(tmp_path / "node-b", FOLLOW_SECONDS=0)
    assert a.test_cli_runner().invoke(args=["ingest", str(two_records(tmp_path / "batch"))]).exit_code == 0
    public_b = b.test_client()
    b.test_cli_runner().invoke(args=["reindex"])
    assert public_b.get("/records/N-1/attachments/1/pdf").status_code == 200  # B caches a rendition
    cache = Path(b.config["DATA_DIR"]) / "renditions"
    wait_for(lambda: list(cache.glob("*.pdf")))
    for app in (a, b):
        users = app.test_cli_runner().invoke(args=["users", "create", CLERK, "--role", "clerk", "--password-stdin"],
                                             input=PASSWORD + "\n")
        assert users.exit_code == 0 or "exists" in users.output, users.output
    withhold = ["disclose", "N-1", "1", "--withhold", "--ground", "6", "--reason", "개인정보", "--clerk", CLERK]
    assert a.test_cli_runner().invoke(args=withhold).exit_code == 0
    # B's own clerk changes another record: B's index catches up past A's withhold in that command
    other = ["disclose", "N-2", "1", "--withhold", "--ground", "6", "--reason", "다른", "--clerk", CLERK]
    assert b.test_cli_runner().invoke(args=other).exit_code == 0, "B's change"
    import services

    store = Store(Path(b.config["DATA_DIR"]))
    services.follow(store, b.extensions["search_engine"], Path(b.config["DATA_DIR"]))  # B's follower's round
    sha = store.get("N-1", withdrawn=True).attachment(1).sha256
    store.close()
    # the text of the file A withheld must not stay in B's rendition cache
    assert not list(cache.glob(f"{sha}-*.pdf"))


def test_an_ingest_that_catches_its_node_up_past_another_nodes_withhold_purges_the_rendition_as_it_passes(
        pg_cluster, tmp_path, monkeypatch):
    """Found in review: an ingest's catch-ups (the thread beside it) moved B's index past A's withhold
    without purging B's cached rendition of the file; it stayed on B's disk for the whole ingest."""
    import services
    from archive.ingest import Limits
    from index import alongside
    from tests.test_review_races import rendered_on_b_then_withheld_on_a

    monkeypatch.setenv("ARCHIVE_DATABASE_URL", pg_cluster.new_database())
    monkeypatch.setenv("ARCHIVE_BLOB_DIR", str(tmp_path / "shared-blobs"))
    monkeypatch.setattr(alongside, "INDEX_EVERY", 0.05)
    a = make_app(tmp_path / "node-a", FOLLOW_SECONDS=0)
    b = make_app(tmp_path / "node-b", FOLLOW_SECONDS=0)
    cache, _ = rendered_on_b_then_withheld_on_a(a, b, tmp_path)  # B caches a rendition; A withholds its file
    data_b = Path(b.config["DATA_DIR"])

    seen: list[bool] = []  # mid-ingest, once B's index has passed A's withhold: is the rendition still there?

    def decided(outcome) -> None:
        if not seen:
            seen.append(wait_for_gone())

    def wait_for_gone() -> bool:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and list(cache.glob("*.pdf")):
            time.sleep(0.05)
        return not list(cache.glob("*.pdf"))

    store = Store(data_b)
    try:
        folder = batch(tmp_path / "other", (record(id="B-1", title="다른 기록", agency="가시"), {"본문.txt": "글"}))
        services.ingest_batch(store, b.extensions["search_engine"], data_b, [folder], "command line",
                              limits=Limits(on_outcome=decided))
    finally:
        store.close()
    assert seen == [True], "B's rendition of the file A withheld stayed on B's disk while B's ingest ran"


def test_an_index_ahead_of_the_store_feed_a_restored_backup_is_not_trusted(tmp_path):
    """The store restored from a backup taken before the index's position: the feed's counter
    starts again below it, so a withhold made after the restore has a position the index claims
    to have caught up to already, and its entry would keep the withheld text for good."""
    from tests.test_nodes import CANARY, two_records

    app = make_app(tmp_path / "node")
    assert app.test_cli_runner().invoke(args=["ingest", str(two_records(tmp_path / "batch"))]).exit_code == 0
    client = app.test_client()
    assert client.get("/api/search", query_string={"q": CANARY}).get_json()["total"] == 1
    store = Store(Path(app.config["DATA_DIR"]))
    try:
        with store.transaction():  # what a restore of an older backup does to the counter
            store.db.execute("UPDATE feed_state SET seq = 1 WHERE id = 1")
            store.db.execute("UPDATE index_feed SET seq = 1")
        with store.transaction():  # then, on the restored store, an operator withholds the file
            store.db.execute("UPDATE attachments SET disclosure = 'withheld', grounds = '[6]' "
                             "WHERE record_id = 'N-1' AND n = 1")
    finally:
        store.close()
    response = client.get("/api/search", query_string={"q": CANARY})
    assert response.status_code == 503 or response.get_json()["total"] == 0, response.get_json()
