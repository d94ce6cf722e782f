"""Found in an attacker's review (jobs across nodes, the catch-up beside an ingest, garbage collection):
orderings that lost a clerk's review signal or left a withheld file's rendition on a node's disk. Each
test failed before its fix (tried): save's `kept` (archive/store/records.py), the renditions' own feed
position (services.follow_renditions), tend waiting only on this host's running jobs (jobs.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import psycopg

import services
from archive.store import Store
from index import service as search
from tests.builders import batch, record
from tests.conftest import CLERK, PASSWORD, make_app

PII_TEXT = "민원인 휴대전화 010-2345-6789 로 회신 바람"


def test_a_collection_between_its_file_sweep_and_its_text_sweep_loses_a_reingested_files_personal_data_flag(
        tmp_path):
    """collect_garbage removes an idle unreferenced file, then (after the rest of the folder) the texts of
    files gone from their hash. An ingest of the same bytes in between stages them anew (under blobs/tmp,
    not their hash), takes the cached text, and saves the record after the text sweep deleted it: a stored
    file with no text row, so no personal-data flag for any clerk."""
    app = make_app(tmp_path / "store")
    data_dir, engine = Path(app.config["DATA_DIR"]), app.extensions["search_engine"]
    store = Store(data_dir)
    try:
        first = batch(tmp_path / "b1", (record(id="G-1", title="첫 기록", agency="가시"), {"본문.txt": PII_TEXT}))
        services.ingest_batch(store, engine, data_dir, [first], "command line")
        sha = store.get("G-1").attachments[0].sha256
        assert store.personal_data(sha)
        # G-1 re-sent with other text: the first file is referenced by no record now (its text kept)
        again = batch(tmp_path / "b2", (record(id="G-1", title="첫 기록", agency="가시"), {"본문.txt": "다른 글"}))
        services.ingest_batch(store, engine, data_dir, [again], "command line")
        old = time.time() - 7200
        os.utime(store.blobs.path(sha), (old, old))  # an hour and more idle

        collector = Store(data_dir)  # another process's (the worker's minute, another node's ingest)
        try:
            # its sweep of the blob folder reaches the idle file ...
            assert collector.blobs.remove_if_idle(sha)

            def each(folders, label):
                yield from folders
                # ... the ingest has staged G-2's copy and read the cached text; the sweep goes on to the texts
                collector.collect_garbage()

            later = batch(tmp_path / "b3", (record(id="G-2", title="둘째 기록", agency="가시"), {"본문.txt": PII_TEXT}))
            services.ingest_batch(store, engine, data_dir, [later], "command line", each=each)
        finally:
            collector.close()
        assert store.get("G-2").attachments[0].sha256 == sha and store.blobs.exists(sha)
        assert store.extraction(sha) is not None, "G-2's file is stored with no text row"
        assert store.uncleared_personal_data("G-2") == ["본문.txt"], "no clerk is told of its personal data"
    finally:
        store.close()


def two_nodes(pg_cluster, tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", url := pg_cluster.new_database())
    monkeypatch.setenv("ARCHIVE_BLOB_DIR", str(tmp_path / "shared-blobs"))
    a = make_app(tmp_path / "node-a", FOLLOW_SECONDS=0)
    b = make_app(tmp_path / "node-b", FOLLOW_SECONDS=0)
    return url, a, b


def rendered_on_b_then_withheld_on_a(a, b, tmp_path) -> tuple[Path, str]:
    from tests.test_nodes import two_records, wait_for

    assert a.test_cli_runner().invoke(args=["ingest", str(two_records(tmp_path / "batch"))]).exit_code == 0
    b.test_cli_runner().invoke(args=["reindex"])
    assert b.test_client().get("/records/N-1/attachments/1/pdf").status_code == 200
    cache = Path(b.config["DATA_DIR"]) / "renditions"
    wait_for(lambda: list(cache.glob("*.pdf")))
    users = a.test_cli_runner().invoke(args=["users", "create", CLERK, "--role", "clerk", "--password-stdin"],
                                       input=PASSWORD + "\n")
    assert users.exit_code == 0, users.output
    withhold = ["disclose", "N-1", "1", "--withhold", "--ground", "6", "--reason", "개인정보", "--clerk", CLERK]
    assert a.test_cli_runner().invoke(args=withhold).exit_code == 0
    store = Store(Path(a.config["DATA_DIR"]))
    sha = store.get("N-1", withdrawn=True).attachment(1).sha256
    store.close()
    return cache, sha


def test_a_process_starting_on_a_node_catches_its_index_past_a_withhold_without_purging_its_rendition(
        pg_cluster, tmp_path, monkeypatch):
    """app._repair_index (every `flask --app app ...` command, every gunicorn worker's boot) runs
    catch_up with no `changed`: B's index moves past A's withhold, B's follower then finds nothing
    behind, and B's rendition of the withheld file stays on B's disk."""
    _, a, b = two_nodes(pg_cluster, tmp_path, monkeypatch)
    cache, sha = rendered_on_b_then_withheld_on_a(a, b, tmp_path)
    b2 = make_app(tmp_path / "node-b", FOLLOW_SECONDS=0)  # `flask --app app jobs` on B, say
    store = Store(Path(b2.config["DATA_DIR"]))
    try:
        services.follow(store, b2.extensions["search_engine"], Path(b2.config["DATA_DIR"]))  # B's follower's round
    finally:
        store.close()
    assert not list(cache.glob(f"{sha}-*.pdf")), "B's rendition of the file A withheld stayed on B's disk"


def test_an_upload_queued_on_a_node_whose_worker_is_down_keeps_every_other_nodes_worker_from_catching_up(
        pg_cluster, tmp_path, monkeypatch):
    """tend waits on any unfinished job but another host's *running* one: a *queued* upload of node A
    (A's worker down or busy; only A may run it) stops B's worker catching up, and with it B's purge of
    the rendition of a file A withheld, for as long as A's worker is away."""
    from tests.test_jobs import cli, job_batch, post
    from tests.test_jobs_pg import clerk_of

    url, a, b = two_nodes(pg_cluster, tmp_path, monkeypatch)
    cache, sha = rendered_on_b_then_withheld_on_a(a, b, tmp_path)
    assert post(clerk_of(a, create=False), job_batch(tmp_path / "up", 1, "U")).status_code == 303  # queued on A
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM jobs WHERE state = 'queued'").fetchone()[0] == 1
    result = cli(b, "worker", "--drain")  # B's worker (its minute's tend does the same)
    assert result.exit_code == 0, result.output
    store = Store(Path(b.config["DATA_DIR"]))
    try:
        assert not search.behind(b.extensions["search_engine"], store), "B's worker did not catch B up"
    finally:
        store.close()
    assert not list(cache.glob(f"{sha}-*.pdf")), "B's rendition of the file A withheld stayed on B's disk"
