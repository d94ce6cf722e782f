"""Long work as background jobs (issue 18): web uploads, reindex, index catch-up, exports and OCR.

What a job is and how far it got lives in the store (archive/store/jobs.py), read by the
dashboard, `jobs --json` and a PostgreSQL store through the store's seam. Huey only queues job ids
and runs them in `flask --app app worker` (SqliteHuey, `jobs-queue.sqlite3` beside a SQLite store;
with a PostgreSQL store, that database: archive/store/job_queue.py, one queue per node); its
periodic task resumes jobs whose worker died and catches the index up with the store.

A kind of job is one function registered by name, `@kind("export") def export(run: Run) -> dict`
(run.store, .engine, .folder, .settings, .job; `run.progress(done, total)` as it goes; returns the
report kept as JSON), started with `services.submit_job(store, data_dir, "export", who, ...)`.
Raise JobFailed (a Refusal: Korean msgid and params, worded on the job's page) for a clean failure.
A job may run more than once (its worker was killed: resumed up to MAX_ATTEMPTS times), so a kind
must be safe to run again from the start; ingest is (stored records come back `unchanged`).
`run.folder`, the job's own folder under DATA_DIR/uploads, is removed when the job ends.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import services
from archive import ocr as scan_reader
from archive.ingest import Limits, Outcome, Status
from archive.messages import Refusal
from archive.store import Job, JobState, Store
from archive.store import jobs as said
from archive.validate import Problem
from index import service as search
from index.engine import Engine

log = logging.getLogger("yeollam.jobs")

UPLOAD_NAME = "batch.zip"
MAX_ATTEMPTS = 3  # a job whose worker died this many times fails (it may be what kills it)
STALE = 600  # seconds without a heartbeat after which another host's job counts as abandoned
PROGRESS_EVERY = 0.5  # seconds between progress writes


class JobFailed(Refusal, Exception):
    """A job that cannot go on: `JobFailed(N_("…%(x)s…"), x=…)`, shown to the clerk in the clerk's language.

    The store keeps its msgid and params (archive.store.jobs.JobMessage); a parameter may be a refusal
    itself (a BatchError), worded with it. `str()`: the Korean, then the English, as `jobs --json` prints.
    """

    cli = "both"


@dataclass
class Run:
    """One attempt at a job, handed to its kind's function."""

    store: Store
    engine: Engine
    data_dir: Path
    job: Job
    settings: dict
    done: int = 0
    total: int | None = None
    rejected: int = 0
    _written: float = field(default=0.0, repr=False)

    @property
    def folder(self) -> Path:
        return job_dir(self.data_dir, self.job.id)

    def progress(self, done: int | None = None, total: int | None = None, rejected: int | None = None,
                 force: bool = False) -> None:
        """Say how far the job got; written at most every PROGRESS_EVERY seconds (also the heartbeat)."""
        self.done = self.done if done is None else done
        self.total = self.total if total is None else total
        self.rejected = self.rejected if rejected is None else rejected
        if force or time.monotonic() - self._written >= PROGRESS_EVERY:
            self.store.job_progress(self.job.id, self.done, self.total, self.rejected)
            self._written = time.monotonic()


KINDS: dict[str, Callable[[Run], dict]] = {}


def kind(name: str):
    """Register a kind of job (see the module's docstring)."""
    def register(fn: Callable[[Run], dict]) -> Callable[[Run], dict]:
        KINDS[name] = fn
        return fn
    return register


def job_dir(data_dir: Path, job_id: int) -> Path:
    return Path(data_dir) / "uploads" / f"job-{job_id}"


# -- the kinds of today --------------------------------------------------------------------

@kind("ingest")
def ingest(run: Run) -> dict:
    """A batch the web stored in the job's folder, ingested as `flask ingest` does, record by record."""
    upload = run.folder / UPLOAD_NAME
    if not upload.is_file():
        raise JobFailed(said.UPLOAD_GONE)
    for stale in run.folder.glob("yeollam-batch-*"):  # what a killed attempt had unpacked
        shutil.rmtree(stale, ignore_errors=True)

    def counted(folders: list[Path], label: str) -> list[Path]:
        run.progress(0, len(folders), 0, force=True)
        return folders

    def decided(outcome: Outcome) -> None:
        run.progress(run.done + 1, rejected=run.rejected + (outcome.status == Status.REJECTED))

    limits = Limits(max_records=run.settings.get("MAX_BATCH_RECORDS"), unpack_dir=run.folder, on_outcome=decided)
    report = services.ingest_batch(run.store, run.engine, run.data_dir, [upload], run.job.who,
                                   source=run.job.source, each=counted, limits=limits)
    if report.unreadable and not report.outcomes:  # one upload: one batch, refused whole
        why = getattr(report.unreadable[0], "refusal", None) if len(report.unreadable) == 1 else None
        raise JobFailed(said.BATCH_REFUSED, why=why or "; ".join(report.unreadable))
    data = report.as_dict()
    data["resumed"] = run.job.attempts - 1  # attempts before this one, cut short by a stopped worker
    # a rejected record's reasons as msgids and params too (archive.validate.Problem), for the job's page
    # to word in the reader's language: {record's index: [a reason's {"msgid", "params"}, or null]}
    data["problem_messages"] = {
        str(i): [p.as_json() if isinstance(p, Problem) else None for p in o.problems]
        for i, o in enumerate(report.outcomes) if any(isinstance(p, Problem) for p in o.problems)}
    return data


@kind("reindex")
def reindex(run: Run) -> dict:
    """The whole index rebuilt into a fresh folder and swapped in, as `flask reindex` does."""
    run.progress(0, run.store.count(), force=True)
    n = search.rebuild(run.engine, run.store, progress=lambda k: run.progress(run.done + k))
    run.progress(n, n, force=True)
    return {"indexed": n}


@kind("catch_up")
def catch_up(run: Run) -> dict:
    """Index what changed in the store since this node's index caught up (index.service.FOLLOW_CHUNK a commit)."""
    store, engine = run.store, run.engine
    if search.needs_rebuild(engine, store):
        return {**reindex(run), "rebuilt": True}
    pending = search.behind(engine, store) or []
    run.progress(0, len(pending), force=True)
    # FOLLOW_CHUNK records per commit, under the index lock; each chunk's cached renditions purged first
    done = services.follow(store, engine, run.data_dir)
    run.progress(done, max(done, len(pending)), force=True)
    return {"indexed": done, "rebuilt": False}


@kind("ocr")
def ocr(run: Run) -> dict:
    """The scans waiting for OCR read as `flask ocr` does (by files); run again, it resumes (archive/scans.py)."""
    from archive import scans

    def counted(pending: list, label: str):
        run.progress(0, len(pending), 0, force=True)
        for scan in pending:
            yield scan
            run.progress(run.done + 1)

    try:
        outcomes = services.read_scans(run.store, run.engine, each=counted, budget=scans.budget_from(run.settings),
                                       page_done=lambda: run.progress())  # a heartbeat between long pages
    except scans.Unavailable as exc:
        raise JobFailed(said.NO_TESSERACT, why=str(exc)) from exc
    failed = [o for o in outcomes if o.failed]
    run.progress(len(outcomes), rejected=len(failed), force=True)
    # file names and reasons only: a withheld scan's name is public anyway, its text never goes here
    return {"read": len(outcomes) - len(failed), "pages": sum(o.pages for o in outcomes),
            "failed": [{"name": o.name, "reason": o.failed} for o in failed],
            "personal_data": sum(o.personal_data for o in outcomes)}


@kind("export")
def export(run: Run) -> dict:
    """The `export` command's bag as a zip under DATA_DIR/exports, for the clerk who asked (web/clerk_export.py)."""
    from web import clerk_export

    return clerk_export.run_export(run, _worker.get("app"))


# -- running one job -----------------------------------------------------------------------

_running: set[int] = set()  # the jobs this process is running now


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run(store: Store, engine: Engine, data_dir: Path, job_id: int, settings: dict, owner: str) -> Job | None:
    """Claim a queued job, run its kind, finish or fail it; its folder goes, however it ends."""
    job = store.claim_job(job_id, owner)
    if job is None:  # taken by another worker, finished, or a duplicate of a resumed job's id
        return store.job(job_id)
    _running.add(job_id)
    attempt = Run(store, engine, data_dir, job, settings)
    try:
        report = KINDS[job.kind](attempt)
    except JobFailed as exc:
        attempt.progress(force=True)
        store.finish_job(job_id, JobState.FAILED, message=exc)
    except Exception as exc:  # noqa: BLE001 - a job's failure is reported, the worker goes on
        log.exception("job %s (%s) failed", job_id, job.kind)
        attempt.progress(force=True)
        store.finish_job(job_id, JobState.FAILED, message=JobFailed(
            said.BROKE, error=f"{type(exc).__name__}: {str(exc)[:300]}"))
    else:
        attempt.progress(force=True)
        store.finish_job(job_id, JobState.DONE, report=report)
    finally:
        _running.discard(job_id)
        shutil.rmtree(job_dir(data_dir, job_id), ignore_errors=True)
    services.follow(store, engine, data_dir)  # whatever a failure left behind, searchable now
    return store.job(job_id)


def _gone(job: Job) -> bool:
    """Whether a running job's worker is gone: a dead process of this host, or silent too long."""
    if job.heartbeat_at and (datetime.now(UTC) - datetime.fromisoformat(job.heartbeat_at)).total_seconds() > STALE:
        return True
    host, _, pid = (job.owner or ":").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return not job.owner
    if int(pid) == os.getpid():
        return job.id not in _running
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def recover(store: Store, data_dir: Path) -> list[int]:
    """Resume the jobs of dead workers (or fail them after MAX_ATTEMPTS); return the ids queued again."""
    again = []
    for job in store.unfinished_jobs():
        if job.state is not JobState.RUNNING or not _gone(job):
            continue
        if job.attempts >= MAX_ATTEMPTS:
            store.finish_job(job.id, JobState.FAILED,
                             message=JobFailed(said.WORKER_STOPPED, n=job.attempts))
            shutil.rmtree(job_dir(data_dir, job.id), ignore_errors=True)
        elif store.requeue_job(job.id, job.owner):
            log.warning("job %s (%s): its worker %s is gone; resumed", job.id, job.kind, job.owner)
            again.append(job.id)
    return again


def tend(store: Store, engine: Engine, data_dir: Path, settings: dict, owner: str) -> int | None:
    """The worker's periodic care: resume abandoned jobs; catch the index up when it is behind.

    The catch-up runs as a job of its own (listed with the others) only when there is something
    to do and no other job is under way (an ingest indexes as it goes, a reindex does it all).
    With the index caught up, scans waiting for OCR (a web upload's) are read the same way, as an
    "ocr" job of the worker's: nobody has to ask for them to become searchable (issue 16).
    """
    for job_id in recover(store, data_dir):
        enqueue(data_dir, job_id)
    if store.unfinished_jobs():
        return None
    if search.needs_rebuild(engine, store) or search.behind(engine, store, 1):
        job_kind = "catch_up"
    elif store.count_pending_scans() and scan_reader.available():  # without Tesseract they wait
        job_kind = "ocr"
    else:
        return None
    job_id = store.create_job(job_kind, "worker")
    run(store, engine, data_dir, job_id, settings, owner)
    return job_id


# -- the queue: Huey over the store's database ----------------------------------------------

_queues: dict[str, tuple] = {}
_queues_lock = threading.Lock()
_worker: dict[str, object] = {}  # the app of a `flask worker` process
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


def sweep(store: Store, data_dir: Path, idle: float = 3600) -> None:
    """Remove what no job will read again: folders of ended jobs, uploads of requests that died."""
    folder = Path(data_dir) / "uploads"
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.name.startswith("job-") and path.name[4:].isdigit():
            job = store.job(int(path.name[4:]))
            if job is None or job.state.finished:
                shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith("incoming-") and time.time() - path.stat().st_mtime > idle:
            path.unlink(missing_ok=True)  # a web worker killed mid-upload; a live upload keeps writing


def sweep_exports(store: Store, data_dir: Path, settings) -> None:
    """Export zips past EXPORT_KEEP_HOURS, of jobs gone or failed; partials of no running attempt."""
    from web import clerk_export

    clerk_export.sweep(store, data_dir, settings.get("EXPORT_KEEP_HOURS", 168))


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
