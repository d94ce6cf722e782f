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
import time
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
ABANDONED = 86400  # seconds after which another host's upload is given up (that node is not coming back)
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
_worker: dict[str, object] = {}  # the app of a `flask worker` process (job_queue.py)


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
    if job.heartbeat_at and _silent_for(job) > STALE:
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


def _other_host(job: Job) -> bool:
    return job.state is JobState.RUNNING and (job.owner or "").rpartition(":")[0] not in ("", socket.gethostname())


def _elsewhere(job: Job, data_dir: Path) -> bool:
    """An upload waiting on another host's disk: its node resumes it when it is back (PostgreSQL's jobs are
    every node's to see). Taken over, it would fail for want of the file; after ABANDONED it fails here."""
    return (job.kind == "ingest" and _other_host(job) and not job_dir(data_dir, job.id).is_dir()
            and _silent_for(job) < ABANDONED)


def _under_way_here(job: Job, data_dir: Path) -> bool:
    if job.state is JobState.RUNNING:
        return not _other_host(job)
    if job.kind == "ingest" and not job_dir(data_dir, job.id).is_dir():
        return False  # its upload is on another node's disk: only that node's worker runs it
    return _quiet_for(job) < STALE


def _quiet_for(job: Job) -> float:
    """Seconds since a queued job was queued, or last ran (queued again after its worker died)."""
    last = max(job.created_at, job.heartbeat_at or "")  # both now_iso(), in either store: they sort as times
    return (datetime.now(UTC) - datetime.fromisoformat(last)).total_seconds()


def _stranded(job: Job, data_dir: Path) -> bool:
    """An upload queued on another node (its folder is there) that has not started for ABANDONED: that
    node is not coming back for it. Left queued, it would hold one of MAX_JOBS' places for good."""
    return (job.kind == "ingest" and job.state is JobState.QUEUED and not job_dir(data_dir, job.id).is_dir()
            and _quiet_for(job) > ABANDONED)


def _silent_for(job: Job) -> float:
    if not job.heartbeat_at:
        return float("inf")
    return (datetime.now(UTC) - datetime.fromisoformat(job.heartbeat_at)).total_seconds()


def recover(store: Store, data_dir: Path) -> list[int]:
    """Resume the jobs of dead workers (or fail them after MAX_ATTEMPTS); return the ids queued again."""
    again = []
    for job in store.unfinished_jobs():
        if _stranded(job, data_dir) and store.give_up_queued_job(job.id, JobFailed(said.UPLOAD_STRANDED)):
            log.warning("job %s (ingest): queued a day on another node, never started; given up", job.id)
            continue
        if job.state is not JobState.RUNNING or not _gone(job) or _elsewhere(job, data_dir):
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
    from job_queue import enqueue  # the queue runs tend: imported when it does

    for job_id in recover(store, data_dir):
        enqueue(data_dir, job_id)
    # whatever moved this node's index (a command's start, a review), the cache follows the feed itself
    services.follow_renditions(store, data_dir)
    # a job this node runs (or is about to) indexes as it goes: no catch-up beside it. Not another host's
    # running job (it writes the store, not this node's index), an upload queued on another node, nor a
    # queued job no worker has taken for STALE: waited on, a node down for good would keep this node's
    # index behind, and its renditions of what another node withheld on its disk, for as long
    if any(_under_way_here(job, data_dir) for job in store.unfinished_jobs()):
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
