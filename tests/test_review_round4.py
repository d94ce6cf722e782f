"""Attacker's review, round 4 (renditions' own feed position, the collector's move aside, tend's
`_stranded`): orderings the commits before still lost. Each test failed on 21e2855 (tried): fixed by
follow_renditions sweeping the whole cache when anything was fed, blobs.restore_moved_aside, and
_stranded reading the job's last sign of life."""

from __future__ import annotations

import os
import time
from pathlib import Path

import services
from archive.store import Store
from tests.builders import batch, record
from tests.conftest import CLERK, PASSWORD, make_app
from tests.test_review_races import two_nodes


def test_a_file_withheld_then_left_out_of_its_record_keeps_its_rendition_on_another_nodes_disk(
        pg_cluster, tmp_path, monkeypatch):
    """follow_renditions purges store.hashes_of(the fed records) read *now*: once N-1 is re-sent without
    the file a clerk withheld in it, N-1's feed row (moved to the re-send) names only its new files, and
    no other record holds the withheld one, so B never purges its PDF of it (B's ingest-less cache)."""
    from tests.test_nodes import two_records, wait_for

    _, a, b = two_nodes(pg_cluster, tmp_path, monkeypatch)
    assert a.test_cli_runner().invoke(args=["ingest", str(two_records(tmp_path / "batch"))]).exit_code == 0
    b.test_cli_runner().invoke(args=["reindex"])
    assert b.test_client().get("/records/N-1/attachments/1/pdf").status_code == 200
    b_dir = Path(b.config["DATA_DIR"])
    cache = b_dir / "renditions"
    wait_for(lambda: list(cache.glob("*.pdf")))
    store_b = Store(b_dir)
    try:
        services.follow_renditions(store_b, b_dir)  # B's cache has a position now (the file is public)
        sha = store_b.get("N-1").attachment(1).sha256
        assert list(cache.glob(f"{sha}-*.pdf"))
        users = a.test_cli_runner().invoke(args=["users", "create", CLERK, "--role", "clerk", "--password-stdin"],
                                           input=PASSWORD + "\n")
        assert users.exit_code == 0, users.output
        withhold = ["disclose", "N-1", "1", "--withhold", "--ground", "6", "--reason", "개인정보", "--clerk", CLERK]
        assert a.test_cli_runner().invoke(args=withhold).exit_code == 0
        # within B's next minute, the agency re-sends N-1 without that file
        again = batch(tmp_path / "again", (record(id="N-1", title="다시 보낸 첫째", agency="가시",
                                                  attachments=[{"file": "부록.txt", "disclosure": "public"}]),
                                           {"부록.txt": "부록은 늘 공개입니다"}))
        result = a.test_cli_runner().invoke(args=["ingest", str(again)])
        assert result.exit_code == 0, result.output
        assert sha not in {att.sha256 for att in store_b.get("N-1").attachments}
        services.follow(store_b, b.extensions["search_engine"], b_dir)  # B's follower's round
    finally:
        store_b.close()
    assert not list(cache.glob(f"{sha}-*.pdf")), "B keeps its PDF of the file A's clerk withheld"


def test_an_upload_its_own_node_queued_again_after_its_worker_died_is_not_failed_by_another_node(tmp_path):
    """_stranded reads created_at alone: an upload created a day ago that ran until its worker was killed
    (heartbeat a minute ago), queued again by its node's recover for its worker's next turn, is failed by
    the first other node whose minute comes first ("never started")."""
    import jobs
    from archive.store import JobState

    store = Store(tmp_path / "node-a")
    try:
        job_id = store.create_job("ingest", CLERK, "upload.zip")
        old = "2026-01-01T00:00:00+00:00"
        with store.transaction():
            store.db.execute("UPDATE jobs SET created_at = ? WHERE id = ?", (old, job_id))
        assert store.claim_job(job_id, "node-a.example:4242")  # ran, beating its heart ...
        store.job_progress(job_id, 10, 100, 0)
        assert store.requeue_job(job_id, "node-a.example:4242")  # ... killed; node A queued it again
        jobs.recover(store, tmp_path / "node-b")  # node B's minute: the upload's folder is on A's disk
        assert store.job(job_id).state is JobState.QUEUED, "node B failed an upload node A is about to run"
    finally:
        store.close()


def test_a_file_the_collector_moved_aside_before_a_crash_is_swept_later(tmp_path):
    """remove_if_idle renames to `.<sha>.doomed` and then looks; killed in between, the file stays there for
    good: all_hashes skips dot files and clear_temporaries reads only tmp/ (an unreferenced original,
    withheld maybe, kept on disk; and if an ingest had touched it, its record names a file that is gone)."""
    store = Store(tmp_path / "store")
    try:
        sha, _ = store.blobs.put(_file(tmp_path, "버린 원본"))
        doomed = store.blobs.path(sha).with_name(f".{sha}.doomed")
        os.rename(store.blobs.path(sha), doomed)  # where a kill after remove_if_idle's rename leaves it
        old = time.time() - 7200
        os.utime(doomed, (old, old))
        store.collect_garbage(idle=0)  # (a leftover a minute old is put back; its ctime is now: no grace here)
        assert not doomed.exists(), "a doomed file outlives every sweep"
        assert not store.blobs.exists(sha)  # put back, then swept as unreferenced
    finally:
        store.close()


def test_a_file_an_ingest_touched_left_aside_by_a_collector_killed_before_its_move_back_is_put_back(tmp_path):
    """remove_if_idle found the file touched after its rename (an ingest re-sending the bytes: its record
    commits naming them) and was killed before `os.rename(doomed, path)`: the record's file is gone from
    its name for good, its download a 503 (Damaged), and no sweep looks at `.<sha>.doomed` again."""
    app = make_app(tmp_path / "store")
    data_dir, engine = Path(app.config["DATA_DIR"]), app.extensions["search_engine"]
    store = Store(data_dir)
    try:
        folder = batch(tmp_path / "b", (record(id="D-1", title="맡긴 기록", agency="가시"),
                                        {"본문.txt": "보관할 본문"}))
        services.ingest_batch(store, engine, data_dir, [folder], "command line")
        sha = store.get("D-1").attachments[0].sha256
        os.rename(store.blobs.path(sha), store.blobs.path(sha).with_name(f".{sha}.doomed"))  # the kill's state
        store.collect_garbage(idle=0)
        assert store.blobs.exists(sha), "D-1 names a file no sweep puts back"
    finally:
        store.close()


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "f.txt"
    path.write_text(text, encoding="utf-8")
    return path
