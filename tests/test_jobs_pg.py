"""The job queue in the PostgreSQL store (issue 15): no SQLite file, one queue per node, each task taken once.

The threats: a node with ARCHIVE_DATABASE_URL set still writing a SQLite file beside its store
(the queue's); one node's worker taking another node's job, whose upload is not in its folder (it
would fail the clerk's upload as "file gone"); two workers running one task.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import psycopg
import pytest

import services
from archive.store import JobState, Store
from archive.store.job_queue import PgQueueStorage
from tests.conftest import CLERK, PASSWORD, log_in, make_app
from tests.test_jobs import WORD, cli, job_batch, post, wait_for, worker


@pytest.fixture
def url(pg_cluster, monkeypatch) -> str:
    url = pg_cluster.new_database()
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", url)
    return url


def node(data_dir: Path):
    return make_app(data_dir, FOLLOW_SECONDS=0)  # the worker's catch-up only, no thread of its own


def clerk_of(app, create: bool = True):
    if create:
        result = app.test_cli_runner().invoke(args=["users", "create", CLERK, "--role", "clerk", "--password-stdin"],
                                              input=PASSWORD + "\n")
        assert result.exit_code == 0, result.output
    client = app.test_client()
    log_in(client)
    return client


def queued_in_database(url: str) -> list[tuple[str, int]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT queue, count(*) FROM job_queue GROUP BY queue ORDER BY queue").fetchall()


def test_with_a_database_url_the_queue_is_in_postgresql_and_no_sqlite_file_is_written(url, tmp_path):
    data_dir = tmp_path / "store"
    app = node(data_dir)
    client = clerk_of(app)
    response = post(client, job_batch(tmp_path / "b", 3))
    assert response.status_code == 303
    assert not list(data_dir.rglob("*.sqlite3*")), list(data_dir.rglob("*.sqlite3*"))  # the web's enqueue wrote none
    name = (data_dir / "jobs-queue-name").read_text().strip()
    assert queued_in_database(url) == [(name, 1)]  # the web's upload queued its job id in the database

    result = cli(app, "worker", "--drain")
    assert result.exit_code == 0 and "ran 1 job" in result.output, result.output
    assert Store(data_dir).job(1).state is JobState.DONE
    assert app.test_client().get(f"/api/search?q={WORD}").get_json()["total"] == 3
    assert queued_in_database(url) == []
    assert not list(data_dir.rglob("*.sqlite3*")), list(data_dir.rglob("*.sqlite3*"))


def test_a_running_worker_takes_an_upload_from_the_database_and_stops_cleanly(url, tmp_path):
    data_dir = tmp_path / "store"
    app = node(data_dir)
    client = clerk_of(app)
    with worker(data_dir) as proc:  # a real `flask worker`: Huey's consumer polling PgQueueStorage
        assert post(client, job_batch(tmp_path / "b", 2)).status_code == 303
        store = Store(data_dir)
        wait_for(lambda: store.job(1).state is JobState.DONE, timeout=60)
        store.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=90) == 0  # (its tend task may still wait in the queue: stopped before it)
    assert not list(data_dir.rglob("*.sqlite3*")), list(data_dir.rglob("*.sqlite3*"))


def test_two_nodes_on_one_database_each_run_only_their_own_jobs(url, tmp_path):
    a, b = node(tmp_path / "node-a"), node(tmp_path / "node-b")
    client_a, client_b = clerk_of(a), clerk_of(b, create=False)  # one store: one account for both
    assert post(client_a, job_batch(tmp_path / "ba", 2, "A")).status_code == 303  # job 1, on a
    store = Store(tmp_path / "node-a")
    services.submit_job(store, tmp_path / "node-a", "reindex", CLERK)  # job 2, on a: its index
    assert post(client_b, job_batch(tmp_path / "bb", 2, "B")).status_code == 303  # job 3, on b
    # job 4: a's upload lost from the queue (a web worker killed between the store's commit and the
    # queue): in no queue, its folder on a
    lost = store.create_job("ingest", CLERK, "lost.zip")
    (tmp_path / "node-a" / "uploads" / f"job-{lost}").mkdir(parents=True)
    (tmp_path / "node-a" / "uploads" / f"job-{lost}" / "batch.zip").write_bytes(job_batch(tmp_path / "bl", 1, "L"))
    assert len(queued_in_database(url)) == 2  # a's queue and b's

    result = cli(b, "worker", "--drain")
    assert result.exit_code == 0 and "ran 1 job" in result.output, result.output
    states = {j.id: j.state for j in store.unfinished_jobs()}
    assert states == {1: JobState.QUEUED, 2: JobState.QUEUED, lost: JobState.QUEUED}  # a's, left to a
    assert store.job(3).state is JobState.DONE and store.job(3).report["counts"]["added"] == 2

    result = cli(a, "worker", "--drain")
    assert result.exit_code == 0 and "ran 3 job" in result.output, result.output
    for job_id in (1, 2, lost):
        assert store.job(job_id).state is JobState.DONE, store.job(job_id)
    assert store.job(lost).report["counts"]["added"] == 1
    assert queued_in_database(url) == []
    store.close()


def test_two_workers_take_each_task_once(url):
    items = [f"task-{i}".encode() for i in range(400)]
    PgQueueStorage("node", url=url).enqueue(b"another node's")
    producer = PgQueueStorage("here", url=url)
    for item in items:
        producer.enqueue(item)
    got: list[list[bytes]] = [[], []]
    start = threading.Barrier(2)

    def consume(mine: list[bytes]) -> None:
        storage = PgQueueStorage("here", url=url)  # a connection of its own, as another process has
        start.wait()
        while (data := storage.dequeue()) is not None:
            mine.append(data)
        storage.close()

    threads = [threading.Thread(target=consume, args=(g,)) for g in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(got[0] + got[1]) == sorted(items)  # every task once: none twice, none left behind
    assert got[0] and got[1]  # both took part
    assert producer.queue_size() == 0 and PgQueueStorage("node", url=url).queue_size() == 1
    producer.close()


def test_the_schedule_and_the_keys_are_per_queue_too(url):
    from datetime import datetime, timedelta

    here, there = PgQueueStorage("here", url=url), PgQueueStorage("there", url=url)
    now = datetime.now()
    here.add_to_schedule(b"due", now - timedelta(seconds=1))
    here.add_to_schedule(b"later", now + timedelta(hours=1))
    there.add_to_schedule(b"theirs", now - timedelta(seconds=1))
    assert here.read_schedule(now) == [b"due"] and here.read_schedule(now) == []  # read once, then gone
    assert here.scheduled_items() == [b"later"] and there.schedule_size() == 1
    assert here.put_if_empty("lock", b"1") and not here.put_if_empty(b"lock", b"2")
    assert there.put_if_empty("lock", b"3")  # another node's lock is not ours
    assert here.peek_many(["lock", "none"]) == {"lock": b"1"} and here.pop_data("lock") == b"1"
    assert not here.has_data_for_key("lock") and there.peek_data("lock") == b"3"
    here.flush_all()
    assert there.schedule_size() == 1 and there.result_store_size() == 1
    for storage in (here, there):
        storage.close()


def test_a_down_nodes_upload_waits_for_it_and_is_not_failed_by_another_node(url, tmp_path):
    """Found in review: B's worker took A's running upload over (A silent past jobs.STALE, a reboot) and
    failed it "file gone" (the file is on A's disk); A, back, had nothing to resume."""
    a, b = node(tmp_path / "node-a"), node(tmp_path / "node-b")
    assert post(clerk_of(a), job_batch(tmp_path / "ba", 2, "A")).status_code == 303  # job 1, its upload on A
    store = Store(tmp_path / "node-a")
    assert store.claim_job(1, "node-a-host:4242") is not None  # A's worker took it, then A went down
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE jobs SET heartbeat_at = now() - interval '20 minutes' WHERE id = 1")
        conn.execute("DELETE FROM job_queue")  # A's worker had dequeued it
    result = cli(b, "worker", "--drain")  # B's worker starts (its minute's tend does the same)
    job = store.job(1)
    assert job.state is JobState.RUNNING and job.owner == "node-a-host:4242", (job, result.output)
    assert (tmp_path / "node-a" / "uploads" / "job-1" / "batch.zip").is_file()
    # and B's worker still keeps B's index caught up meanwhile (its tend does not wait on A's job)
    job_batch(tmp_path / "bc", 1, "C")
    assert cli(a, "ingest", str(tmp_path / "bc")).exit_code == 0
    engine_b = b.extensions["search_engine"]
    assert services.search.behind(engine_b, store)
    cli(b, "worker", "--drain")
    assert not services.search.behind(engine_b, store)

    assert cli(a, "worker", "--drain").exit_code == 0  # A is back: its worker resumes its own upload
    job = store.job(1)
    assert job.state is JobState.DONE and job.report["counts"]["added"] == 2, job

    # an upload whose node never came back (a day) is failed, so that it does not block every tend
    assert post(clerk_of(a, create=False), job_batch(tmp_path / "bb", 1, "B")).status_code == 303
    second = max(job.id for job in store.unfinished_jobs() if job.kind == "ingest")
    assert store.claim_job(second, "node-a-host:4242") is not None
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE jobs SET heartbeat_at = now() - interval '25 hours' WHERE id = %s", (second,))
        conn.execute("DELETE FROM job_queue")
    cli(b, "worker", "--drain")
    assert store.job(second).state is JobState.FAILED


def test_an_upload_queued_on_a_node_that_never_starts_it_is_given_up_after_a_day(url, tmp_path):
    """Found in review: a queued upload is every node's to see but only its node's to run; its node
    gone for good, it held one of MAX_JOBS' places for ever (four such refuse every clerk's upload)."""
    a, b = node(tmp_path / "node-a"), node(tmp_path / "node-b")
    assert post(clerk_of(a), job_batch(tmp_path / "ba", 1, "A")).status_code == 303  # queued on A
    store = Store(tmp_path / "node-a")
    job_id = store.unfinished_jobs()[0].id
    cli(b, "worker", "--drain")  # an hour old: A may be busy or rebooting; it stays A's
    assert store.job(job_id).state is JobState.QUEUED
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE jobs SET created_at = to_char(now() - interval '25 hours', "
                     "'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"') WHERE id = %s", (job_id,))
    cli(b, "worker", "--drain")
    job = store.job(job_id)
    assert job.state is JobState.FAILED and "하루" in str(job.message), job
    assert job.message is not None
    store.close()
