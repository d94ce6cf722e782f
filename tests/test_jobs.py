"""Background jobs (issue 18): uploads, reindex and catch-up run by a real `flask worker`; limits; a killed worker."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from archive.store import JobState, Store
from index.service import behind
from tests.builders import batch, record
from tests.conftest import CLERK, PASSWORD, PROJECT, csrf_token, log_in, make_app
from tests.web.uploading import upload

CANARY = "CANARYJOB7313"
WORD = "작업검사"


def job_batch(root: Path, n: int, prefix: str = "J") -> bytes:
    """A zip of n small records, each with a public text and a withheld one holding the canary."""
    folder = batch(root, *[(record(id=f"{prefix}-{i:04d}", disclosure="partial", attachments=[
        {"file": "본문.txt", "disclosure": "public"}, {"file": "명부.txt", "disclosure": "withheld", "grounds": [6]}]),
        {"본문.txt": f"{i}번 공개 본문 {WORD}", "명부.txt": f"{CANARY} 참석자 명부 {i}"}) for i in range(n)])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder))
    return buffer.getvalue()


def clerk(app):
    result = app.test_cli_runner().invoke(args=["users", "create", CLERK, "--role", "clerk", "--password-stdin"],
                                          input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    client = app.test_client()
    log_in(client)
    return client


def post(client, data: bytes, name: str = "b.zip"):
    token = csrf_token(client, "/clerk/ingest")
    return client.post("/clerk/ingest", content_type="multipart/form-data",
                       data={"csrf_token": token, "batch": (io.BytesIO(data), name)})


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


# -- the job layer, run as the worker runs it (`worker --drain`) ---------------------------

def test_an_upload_is_stored_first_then_a_job_shows_progress_and_the_report(app, tmp_path):
    client = clerk(app)
    data = job_batch(tmp_path / "b", 3)
    response = post(client, data)
    assert response.status_code == 303
    job_url = response.headers["Location"]
    stored = Path(app.config["DATA_DIR"]) / "uploads" / "job-1" / "batch.zip"
    assert stored.read_bytes() == data  # streamed to disk under DATA_DIR/uploads, whole
    page = client.get(job_url).get_data(as_text=True)
    assert 'role="status"' in page and "대기" in page and "jobs.js" in page
    assert client.get(job_url + ".json").get_json()["state"] == "queued"
    assert Store(Path(app.config["DATA_DIR"])).count() == 0  # nothing ingested before the worker runs it

    result = cli(app, "worker", "--drain")
    assert result.exit_code == 0 and "ran 1 job" in result.output
    page = client.get(job_url).get_data(as_text=True)
    assert "끝남" in page and "추가 3" in page and "J-0002" in page and "3 / 3" in page
    assert app.test_client().get(f"/api/search?q={WORD}").get_json()["total"] == 3
    assert not stored.parent.exists()  # the upload (withheld files and all) is gone with the job
    dashboard = client.get("/clerk/").get_data(as_text=True)
    assert "공개 묶음 수집" in dashboard and "b.zip" in dashboard

    rows = json.loads(cli(app, "jobs", "--json").output)
    assert [{k: r[k] for k in ("id", "kind", "state", "done", "total")} for r in rows] == [
        {"id": 1, "kind": "ingest", "state": "done", "done": 3, "total": 3}]
    assert set(rows[0]) == {"id", "kind", "state", "done", "total", "started_at", "finished_at",
                            "rejected", "who", "source", "message"}
    assert rows[0]["started_at"] and rows[0]["finished_at"] and rows[0]["who"] == CLERK


def test_reindex_from_the_workspace_is_a_job(app, tmp_path):
    client = clerk(app)
    upload(client, app, job_batch(tmp_path / "b", 4))
    token = csrf_token(client, "/clerk/")
    response = client.post("/clerk/jobs/reindex", data={"csrf_token": token})
    assert response.status_code == 303
    assert cli(app, "worker", "--drain").exit_code == 0
    job = client.get(response.headers["Location"] + ".json").get_json()
    assert (job["kind"], job["state"], job["done"], job["total"]) == ("reindex", "done", 4, 4)
    assert "색인한 기록 4건" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.post("/clerk/jobs/reindex", data={}).status_code == 400  # no CSRF token, no job


def test_the_worker_catches_the_index_up_and_verify_reports_the_lag(app, tmp_path):
    client = clerk(app)
    upload(client, app, job_batch(tmp_path / "b", 5))
    store = Store(Path(app.config["DATA_DIR"]))
    store.mark_pending(store.record_ids())  # as a killed ingest leaves them: stored, not indexed
    result = cli(app, "verify")
    assert result.exit_code == 1 and "index lag: 5 record(s) stored but not yet searchable" in result.output
    assert cli(app, "worker", "--drain").exit_code == 0
    assert behind(app.extensions["search_engine"], store) == []
    assert cli(app, "verify").exit_code == 0
    (catch_up,) = [j for j in store.recent_jobs() if j.kind == "catch_up"]
    assert catch_up.state is JobState.DONE and (catch_up.done, catch_up.total) == (5, 5)
    assert cli(app, "worker", "--drain").exit_code == 0
    assert len(store.recent_jobs()) == 2  # the upload and the catch-up; nothing behind now, no empty job listed
    store.close()


def test_a_dead_workers_job_is_resumed_then_failed_after_three_attempts(app, tmp_path):
    client = clerk(app)
    post(client, job_batch(tmp_path / "b", 2))
    store = Store(Path(app.config["DATA_DIR"]))
    dead = f"{os.uname().nodename}:{2**22 + 12345}"  # above pid_max: no such process
    assert store.claim_job(1, dead) is not None  # as a worker killed mid-job leaves it
    assert cli(app, "worker", "--drain").exit_code == 0
    job = store.job(1)
    assert job.state is JobState.DONE and job.attempts == 2 and job.report["resumed"] == 1
    assert "처음부터 다시" in client.get("/clerk/jobs/1").get_data(as_text=True)

    post(client, job_batch(tmp_path / "c", 2, "K"))
    for _ in range(2):  # killed twice and resumed, then killed a third time
        assert store.claim_job(2, dead) is not None
        store.requeue_job(2, dead)
    store.claim_job(2, dead)
    assert cli(app, "worker", "--drain").exit_code == 0
    job = store.job(2)
    assert job.state is JobState.FAILED and "3번 멈춰" in job.message
    assert not (Path(app.config["DATA_DIR"]) / "uploads" / "job-2").exists()
    store.close()


# -- limits ---------------------------------------------------------------------------------

def test_an_upload_past_the_size_limit_is_refused_in_korean_not_a_500(tmp_path):
    # under 500 KB, where the test client keeps the body in memory (a larger one it spools to a
    # file it never closes when the server refuses before reading)
    app = make_app(tmp_path / "store", MAX_CONTENT_LENGTH=256 * 1024)
    client = clerk(app)
    response = post(client, os.urandom(300 * 1024))
    page = response.get_data(as_text=True)
    assert response.status_code == 413 and "0.25 MB까지" in page and "ARCHIVE_MAX_UPLOAD_MB" in page
    assert not list((tmp_path / "store" / "uploads").glob("*"))


def test_the_upload_limit_is_a_setting_in_megabytes(tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHIVE_MAX_UPLOAD_MB", "3")
    assert make_app(tmp_path / "s").config["MAX_CONTENT_LENGTH"] == 3 * 1024 * 1024
    monkeypatch.setenv("ARCHIVE_MAX_JOBS", "many")
    with pytest.raises(RuntimeError, match="ARCHIVE_MAX_JOBS"):
        make_app(tmp_path / "s")


def test_past_the_concurrent_jobs_limit_an_upload_is_refused_with_a_message(tmp_path):
    app = make_app(tmp_path / "store", MAX_JOBS=1)
    client = clerk(app)
    assert post(client, job_batch(tmp_path / "a", 1)).status_code == 303
    response = post(client, job_batch(tmp_path / "b", 1, "K"))
    assert response.status_code == 429 and "이미 작업 1건이" in response.get_data(as_text=True)
    assert [p.name for p in (tmp_path / "store" / "uploads").iterdir()] == ["job-1"]  # the refused one is gone
    assert cli(app, "worker", "--drain").exit_code == 0
    assert post(client, job_batch(tmp_path / "b", 1, "K")).status_code == 303  # room again


def test_a_batch_past_the_records_limit_fails_its_job_with_a_message(tmp_path):
    app = make_app(tmp_path / "store", MAX_BATCH_RECORDS=2)
    client = clerk(app)
    page = upload(client, app, job_batch(tmp_path / "a", 3)).get_data(as_text=True)
    assert "실패" in page and "3건: 한 묶음에 2건까지" in page
    assert Store(tmp_path / "store").count() == 0


# -- a real worker process, killed mid-job -----------------------------------------------

@contextmanager
def worker(data_dir: Path):
    """A real `flask --app app worker` process; killed at the end if the test has not stopped it."""
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir), "ARCHIVE_SECRET_KEY": "k" * 40}
    with subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], cwd=PROJECT, env=env,
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
        try:
            yield proc
        finally:
            if proc.poll() is None:  # a test that failed before it stopped the worker
                proc.kill()


def indexed_position(data_dir: Path) -> int:
    """How far the node's index has caught up with the store's feed (the mark in its folder)."""
    try:
        return json.loads((data_dir / "search-tantivy" / "yeollam-mark.json").read_text())["seq"]
    except (OSError, ValueError, KeyError):
        return 0


def read(data_dir: Path, sql: str, args: tuple = ()) -> list:
    db = sqlite3.connect(f"file:{data_dir / 'archive.sqlite3'}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def wait_for(predicate, timeout: float = 180, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(every)
    raise AssertionError("timed out")


@pytest.mark.slow
def test_a_worker_killed_mid_upload_resumes_and_leaves_nothing_withheld_findable(tmp_path, capsys):
    n = 300
    data_dir = tmp_path / "store"
    app = make_app(data_dir)
    client = clerk(app)
    assert post(client, job_batch(tmp_path / "b", n)).status_code == 303

    stored_at: dict[str, float] = {}
    searchable_at: dict[str, float] = {}

    def watch():  # when each record is first seen stored, and first seen marked indexed (after its commit)
        now = time.monotonic()
        for rid, indexed in read(data_dir, "SELECT f.record_id, f.seq <= ? FROM index_feed f",
                                 (indexed_position(data_dir),)):
            stored_at.setdefault(rid, now)
            if indexed:
                searchable_at.setdefault(rid, now)
        return read(data_dir, "SELECT done, total, state FROM jobs WHERE id = 1")[0]

    with worker(data_dir) as proc:
        # on the store's count, not the job's: ingest commits records in groups and the job writes
        # its progress every PROGRESS_EVERY, so its count can trail the store by most of a batch
        wait_for(lambda: watch() and len(stored_at) >= n // 3)
        proc.send_signal(signal.SIGKILL)
    done, total, state = read(data_dir, "SELECT done, total, state FROM jobs WHERE id = 1")[0]
    assert done < total == n and state == "running", (done, total, state)  # the kill landed mid-job
    assert read(data_dir, "SELECT count(*) FROM records")[0][0] < n  # and mid-store
    watch()
    orphans = [r for r in stored_at if r not in searchable_at]  # stored, never indexed: the kill's leftovers

    restart = time.monotonic()
    with worker(data_dir) as proc:
        row = wait_for(lambda: watch()[2] in ("done", "failed")
                       and read(data_dir, "SELECT state, message FROM jobs WHERE id = 1")[0])
        wait_for(lambda: watch() and not read(data_dir, "SELECT 1 FROM index_feed WHERE seq > ?",
                                             (indexed_position(data_dir),)))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=90) == 0  # a clean stop
    assert row[0] == "done" or row[1], row
    # lag of records the resumed upload stored: from the store's commit to searchable
    lags = [searchable_at[r] - stored_at[r] for r in stored_at if stored_at[r] > restart]
    caught = max((searchable_at[r] - restart for r in orphans), default=0.0)
    with capsys.disabled():
        print(f"\nupload of {n} records by a worker: store commit -> searchable, {len(lags)} records: median "
              f"{statistics.median(lags):.2f} s, max {max(lags):.2f} s; killed at {done}/{total} with "
              f"{len(orphans)} stored and not indexed, all searchable {caught:.2f} s after the restart; {row[0]}")

    fresh = make_app(data_dir)
    assert cli(fresh, "verify").exit_code == 0
    public = fresh.test_client()
    assert public.get(f"/api/search?q={WORD}").get_json()["total"] == n  # every stored record searchable
    assert Store(data_dir).count() == n
    for probe in (CANARY, "참석자", "CANARYJOB"):  # words of the withheld text only (its name, 명부.txt, is public)
        assert public.get(f"/api/search?q={probe}").get_json()["total"] == 0, probe
    for rid in ("J-0000", f"J-{done:04d}", f"J-{n - 1:04d}"):
        for path in (f"/records/{rid}", f"/api/records/{rid}", f"/records/{rid}/attachments/2/text"):
            assert CANARY not in public.get(path).get_data(as_text=True), path
    # nothing of the upload is left on disk: neither the zip nor what the killed attempt unpacked
    assert not list((data_dir / "uploads").glob("*")), list((data_dir / "uploads").rglob("*"))
    assert not list(data_dir.rglob("yeollam-batch-*"))
