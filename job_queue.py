"""The job queue (issue 18): Huey queues job ids and runs them in `flask --app app worker`.

With the SQLite store, Huey's SQLite storage (`jobs-queue.sqlite3` beside the store); with a
PostgreSQL store, Huey's storage in that database (archive/store/job_queue.py), one queue per
node: an upload's file is in its node's folder, so only that node's worker may run it. What a job
is and does is jobs.py; this module only queues, resumes and runs them. Huey is imported here only.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from pathlib import Path

import services
from archive.store import JobState, Store
from jobs import _worker, job_dir, recover, sweep, sweep_exports, tend, worker_name

log = logging.getLogger("yeollam.jobs")


# -- the queue: Huey over the store's database ----------------------------------------------

_queues: dict[str, tuple] = {}
_queues_lock = threading.Lock()
QUEUE_NAME_FILE = "jobs-queue-name"


def queue_name(data_dir: Path) -> str:
    """This node's queue on a shared database: made once per data folder, kept in it.

    Not the host name (a container's changes when it is recreated, which would strand the jobs
    queued under the old one) nor the folder's path alone (every node may mount /var/lib/yeollam):
    the uploads a job reads are in this folder, so the folder names its queue.
    """
    path = Path(data_dir) / QUEUE_NAME_FILE
    if not path.exists():
        draft = path.with_name(f".{QUEUE_NAME_FILE}-{os.getpid()}")
        draft.write_text(f"yeollam:{socket.gethostname()}:{Path(data_dir).resolve()}:{uuid.uuid4().hex[:12]}\n")
        try:
            os.link(draft, path)  # whole or not at all; a second process that loses the race reads the winner's
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def _huey(data_dir: Path):
    from huey import Huey, SqliteHuey

    store = Store(data_dir)  # the store decides (Store.__new__), and its migrations make the queue's tables
    try:
        # a PgStore's URL (an AttributeError, not a quiet SQLite file, should that attribute go)
        url = None if type(store) is Store else store.url
    finally:
        store.close()
    if not url:
        return SqliteHuey("yeollam", filename=str(data_dir / "jobs-queue.sqlite3"), results=False, utc=True)
    from archive.store.job_queue import PgQueueStorage

    return Huey(queue_name(data_dir), results=False, utc=True, storage_class=PgQueueStorage, url=url)


def queue(data_dir: Path) -> tuple:
    """This store's Huey queue and its tasks (one per data folder and process; huey is imported only here)."""
    key = str(Path(data_dir).resolve())
    with _queues_lock:
        if key not in _queues:
            from huey import crontab

            huey = _huey(Path(key))
            tasks = {"job": huey.task(name="job")(_job_task), "tend_now": huey.task(name="tend_now")(_tend_task)}
            huey.periodic_task(crontab(minute="*"), name="tend")(_tend_task)
            _queues[key] = (huey, tasks)
        return _queues[key]


def enqueue(data_dir: Path, job_id: int) -> None:
    """Put a recorded job's id on the queue (a second copy of an id is harmless: claiming is atomic)."""
    queue(data_dir)[1]["job"](job_id)


def _context() -> tuple:
    app = _worker["app"]
    data_dir = Path(app.config["DATA_DIR"])
    return Store(data_dir), app.extensions["search_engine"], data_dir, dict(app.config)


def _job_task(job_id: int) -> None:
    store, engine, data_dir, settings = _context()
    try:
        services.run_job(store, engine, data_dir, job_id, settings, worker_name())
    finally:
        store.close()


def _tend_task() -> None:
    store, engine, data_dir, settings = _context()
    try:
        tend(store, engine, data_dir, settings, worker_name())
        sweep_exports(store, data_dir, settings)
        services.collect_garbage(store, data_dir)  # when no ingest has for a while
    finally:
        store.close()


def _prepare(app) -> tuple:
    """Before a worker runs anything: resume dead workers' jobs, re-queue what the queue lost."""
    _worker["app"] = app
    data_dir = Path(app.config["DATA_DIR"])
    huey, tasks = queue(data_dir)
    store = Store(data_dir)
    shared = hasattr(huey.storage, "every_queue_items")  # one database, every node's queue in it
    try:
        queued_ids = _queued_ids(huey, shared)
        for job_id in recover(store, data_dir):
            enqueue(data_dir, job_id)
            queued_ids.add(job_id)
        for job in store.unfinished_jobs():  # queued in the store, lost from the queue (a crash between)
            # in no node's queue: an upload is re-queued by the node holding its folder, and only there
            mine = not shared or job.kind != "ingest" or job_dir(data_dir, job.id).is_dir()
            if job.state is JobState.QUEUED and job.id not in queued_ids and mine:
                enqueue(data_dir, job.id)
        sweep(store, data_dir)
        sweep_exports(store, data_dir, app.config)
    finally:
        store.close()
    return huey, tasks


def _queued_ids(huey, shared: bool) -> set[int]:
    """The job ids waiting in this node's queue, or with a shared database in any node's (not lost, then)."""
    tasks = [] if shared else huey.pending()
    for data in huey.storage.every_queue_items() if shared else ():
        try:
            tasks.append(huey.deserialize_task(data))
        except Exception:  # noqa: BLE001 - a node of another release queued a task this one does not know
            continue
    return {t.args[0] for t in tasks if t.name == "job" and t.args}

def drain(app) -> int:
    """Run every queued job in this process, then catch the index up; return how many ran (`worker --drain`)."""
    huey, _ = _prepare(app)
    run_task = huey.execute  # Huey's: runs a task as its consumer does (no SQL here)
    ran = 0
    while (task := huey.dequeue()) is not None:
        run_task(task)
        ran += task.name == "job"
    _tend_task()
    return ran


def work(app) -> None:
    """Run jobs until stopped (`flask --app app worker`): SIGTERM after the job under way (up to 60 s), SIGINT at once.

    A job cut short is resumed by the next worker to start (recover).
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    huey, tasks = _prepare(app)
    tasks["tend_now"]()  # catch up now, not at the next minute
    # one job at a time per process: the index lock is re-entrant within a process, so threads of
    # one worker would not keep each other out; run more worker processes for more at once
    consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=True, initial_delay=0.05,
                                    max_delay=0.5, graceful_signal="TERM", shutdown_timeout=60)
    log.info("worker %s: jobs of %s", worker_name(), app.config["DATA_DIR"])
    consumer.run()
