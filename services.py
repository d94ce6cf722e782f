"""One function per change: the CLI and the web call these, never the parts behind them.

Each owns every side effect of its change, in the order that fails closed: the search index,
the cached PDF renditions, garbage collection and the ingest log. A caller that wired the parts
itself could forget one (before this module, only the clerk form purged a withheld file's
cached rendition, so a withhold made by ingest left a PDF of withheld text on disk).
"""

from __future__ import annotations

import gc
import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from archive import audit
from archive.accounts import NotPermitted, User, authorize
from archive.changes import Change
from archive.changes import change_disclosure as _change_disclosure
from archive.ingest import Limits, Outcome, Report, Status, ingest_paths
from archive.ingest_ahead import Derived
from archive.messages import N_, Refusal
from archive.rendition import forget
from archive.store import Store
from index import kept_terms
from index import service as search
from index.alongside import Alongside
from index.analysis import joined_terms
from index.engine import Engine
from index.locking import index_lock

Each = Callable[[list[Path], str], Iterable[Path]]


def _as_is(folders: list[Path], label: str) -> Iterable[Path]:
    return folders


def renditions_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "renditions"


def purge_renditions(store: Store, data_dir: Path, hashes: Iterable[str] | None = None) -> int:
    """Delete cached renditions of files that are not public in every record holding them.

    `hashes` names the files a change touched; None sweeps the whole cache (after an ingest,
    whose withholds — the same-bytes rule, a re-send held for review — can touch any file).
    Downloads check the level before they read the cache, so this is the second wall, not the
    first: the text of a withheld file must not stay on disk where a backup or a bug could reach it.
    """
    cache = renditions_dir(data_dir)
    if hashes is None:
        hashes = {p.name.split("-", 1)[0] for p in cache.glob("*.pdf")} if cache.is_dir() else set()
    wanted = sorted(set(hashes))
    removed = 0
    for i in range(0, len(wanted), 500):  # bounded statements: a cache of 20,000 PDFs is past SQLite's variables
        chunk = set(wanted[i : i + 500])
        # a file only withdrawn records hold is no public file either (issue 14)
        doomed = store.withheld_anywhere(chunk) | (chunk - store.public_hashes(among=chunk))
        removed += sum(forget(cache, sha) for sha in sorted(doomed))
    return removed


GC_EVERY = 900  # seconds: how often an ingest (or the worker's minute) sweeps the blob folder at most


def collect_garbage(store: Store, data_dir: Path, every: float = GC_EVERY) -> int:
    """Remove originals and texts no record refers to, if the last sweep is `every` seconds old.

    A sweep lists every stored file (0.6 s at 100,000) and removes only those idle for an hour, so
    sweeping after every ingest bought nothing but time: an unreferenced file is unreachable by
    every public path (downloads go through a record's attachments), and waits no longer for it.
    """
    marker = Path(data_dir) / ".garbage-collected"
    try:
        if time.time() - marker.stat().st_mtime < every:
            return 0
    except FileNotFoundError:
        pass
    removed = store.collect_garbage()
    marker.touch()
    return removed


def follow(store: Store, engine: Engine, data_dir: Path) -> int:
    """This node catches up with what any node changed: cached renditions first, then the index.

    Another node's withhold purged its own cache only; a PDF this node rendered before it would
    stay on this node's disk (downloads check the level first: this is the second wall). An index
    with no position is rebuilt, and the whole cache swept, since nothing says what it missed.
    """
    follow_renditions(store, data_dir)
    # purged chunk by chunk inside the catch-up too: a list read before it would miss what commits meanwhile
    return search.catch_up(engine, store, partial(_purge_changed, data_dir, store))


RENDITIONS_POSITION = ".feed-position"  # in the cache folder: the feed position its purges have followed to


def follow_renditions(store: Store, data_dir: Path) -> int:
    """Purge this node's cached renditions of what changed on any node since the cache last followed
    the store's feed; return how many PDFs went.

    The cache keeps a feed position of its own, moved only here and only past what was purged: an
    index catch-up run anywhere (a command's start, a clerk's review, an OCR job) moves the index's
    position, never this one, so no path can carry this node past another node's withhold with the
    PDF of the withheld file left on its disk. Anything fed since: every cached file is checked
    against the store as it is now, not only the files the fed records hold now (a record re-sent
    without the file a clerk had withheld in it no longer names that file). No position (a new cache,
    an older release's, a store restored from an older backup): the same whole sweep.
    """
    cache = renditions_dir(data_dir)
    head = store.feed_head()  # read first: whatever commits later is after it, and followed next time
    seq = _renditions_position(cache)
    if seq is not None and seq <= head and not store.feed_since(seq, 1, whole=False):
        return 0
    # a PDF written after this sweep's listing is checked by its request after it is written (web/downloads.py)
    removed = purge_renditions(store, data_dir)
    _set_renditions_position(cache, head, removed)
    return removed


def _renditions_position(cache: Path) -> int | None:
    try:
        return int((cache / RENDITIONS_POSITION).read_text())
    except (OSError, ValueError):
        return None


def _set_renditions_position(cache: Path, seq: int, removed: int) -> None:
    """Write the position after the deletions it stands for are on disk: a crash must not keep a
    PDF that a position past its withhold says is gone."""
    cache.mkdir(parents=True, exist_ok=True)
    if removed:
        fd = os.open(cache, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    draft = cache / f"{RENDITIONS_POSITION}.{os.getpid()}.{threading.get_ident()}"
    draft.write_text(str(seq))
    os.replace(draft, cache / RENDITIONS_POSITION)


def _purge_changed(data_dir: Path, store: Store, ids: list[str] | None) -> int:
    """What a catch-up calls with each chunk's ids (None: everything) before it moves past them."""
    return purge_renditions(store, data_dir, store.hashes_of(ids) if ids is not None else None)


def _agency_in(folder: Path) -> tuple[str, str | None] | None:
    """The id and agency a record folder's record.json names; None when it cannot be read (ingest says why)."""
    try:
        data = json.loads((folder / "record.json").read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    agency = data.get("agency")
    return str(data.get("id") or folder.name), agency if isinstance(agency, str) else None


def _within_agencies(store: Store, user: User, each: Each, refused: list[Outcome], limits: Limits) -> Each:
    """Wrap `each` so that records of agencies the uploading clerk does not act for are rejected,
    each with its reason (and logged as a refusal): its own agency, and a stored record's it would replace."""
    def wrapped(folders: list[Path], label: str) -> Iterable[Path]:
        for folder in each(folders, label):
            found = _agency_in(folder)
            if found is not None:
                record_id, agency = found
                stored = store.agencies_of([record_id]).get(record_id)
                try:
                    for one in [agency] + ([stored] if stored is not None and stored != agency else []):
                        authorize(store, user, one, "upload", record_id)
                except NotPermitted as exc:
                    outcome = Outcome(record_id, Status.REJECTED, [f"agency: {exc}"])
                    refused.append(outcome)
                    if limits.on_outcome:
                        limits.on_outcome(outcome)
                    continue
            yield folder
    return wrapped


def ingest_batch(store: Store, engine: Engine, data_dir: Path, paths: list[Path], who: str,
                 source: str | None = None, each: Each = _as_is, limits: Limits | None = None) -> Report:
    """Ingest batches: store, index (as it goes), purge renditions, collect garbage, log; the report.

    When `who` names an account (a clerk's web upload), records of agencies it does not act for
    are rejected, each with its reason (issue 19); `who` naming no account (the CLI's "command
    line", an operator) ingests for every agency.
    """
    data_dir = Path(data_dir)
    limits = limits or Limits()
    refused: list[Outcome] = []
    user = store.account(who)
    if user is not None and user.scoped:
        each = _within_agencies(store, user, each, refused, limits)
    gc.freeze()  # the app's own objects (every module, template, catalog) left out of each collection
    try:
        # what is stored is searchable as it goes in (index/alongside.py); what other nodes changed meanwhile
        # (a withhold) purges this node's renditions as the catch-up passes it, as `follow` does
        with Alongside(engine, store, changed=partial(_purge_changed, data_dir)):
            report = ingest_paths(store, list(paths), each=each, drop_from_index=lambda ids: search.remove(engine, ids),
                                  index_lock=lambda: index_lock(engine.data_dir), limits=limits,
                                  derived=Derived(joined_terms, kept_terms.keep_terms)  # made ahead
                                  if engine.takes_terms else None)
        # every record the batch stored is on the feed: this indexes what the thread beside it left
        # (a withdrawn record has no entry: a replaced one left the index before its save)
        search.catch_up(engine, store, partial(_purge_changed, data_dir, store))
    finally:
        kept_terms.forget_kept()  # what the index did not ask for: a withheld file's, an unchanged record's
        gc.unfreeze()  # a worker lives on: what was frozen is collected again as it goes
    report.outcomes.extend(refused)
    purge_renditions(store, data_dir)
    collect_garbage(store, data_dir)
    report.run_id = store.log_ingest(who, source or ", ".join(Path(p).name for p in paths),
                                     report.as_dict()["counts"], report.changed)  # withdraw --run takes it
    return report


def change_disclosure(store: Store, engine: Engine, data_dir: Path, change: Change) -> audit.Entry:
    """Withhold or release one attachment: index (first, on a withhold), store, audit, renditions."""
    data_dir = Path(data_dir)
    entry = _change_disclosure(store, change, lambda ids, purge: search.write(engine, store, ids, purge),
                               lambda: index_lock(engine.data_dir))
    att = store.get(change.record_id, withdrawn=True).attachment(change.n)
    purge_renditions(store, data_dir, {att.sha256})
    follow(store, engine, data_dir)  # this node follows the change at once, another node's since too (issue 15)
    return entry


# -- what a clerk may read (issue 19): every read of a record's withheld parts goes through here

def clerk_record(store: Store, user: User, record_id: str, action: str = "view"):
    """The record, for a clerk who acts for its agency (NotPermitted, logged, otherwise); None: no such record."""
    record = store.get(record_id, withdrawn=True)  # clerks still see a withdrawn record
    if record is not None:
        authorize(store, user, record.agency, action, record.id)
    return record


def clerk_job(store: Store, user: User, job_id: int):
    """A job's state and report: a clerk scoped to agencies sees the jobs it started only."""
    job = store.job(job_id)
    if job is not None and user.scoped and job.who != user.name:
        authorize(store, user, None, f"job {job_id}", None,
                  message=f"다른 담당자가 시작한 작업입니다 (#{job_id}). Job {job_id} was started by another clerk.")
    return job


def clerk_lists(store: Store, user: User) -> dict:
    """The workspace's lists (warnings, held files, recent changes, jobs, ingests), of the clerk's agencies only."""
    # Filtered in the store's queries, not after them: a scoped clerk's newest items may lie
    # behind any number of other agencies' newer ones.
    agencies = list(user.agencies) if user.scoped else None
    who = user.name if user.scoped else None
    return {"flagged": store.flagged_attachments(agencies=agencies), "held": store.held_attachments(agencies=agencies),
            "changes": store.recent_audit(20, agencies=agencies), "jobs": store.recent_jobs(10, who=who),
            "ingests": store.recent_ingests(10, who=who)}


def read_scans(store: Store, engine: Engine, each=lambda scans, label: scans, budget=None,
               page_done: Callable[[], None] | None = None) -> list:
    """OCR every scan waiting for it (archive/scans.py); each file's records re-indexed as it is read.

    The index write runs under the index lock with the store's commit of the text, as ingest's does.
    Returns the outcomes (archive.scans.Outcome); raises scans.Unavailable without Tesseract.
    """
    from archive import scans

    return scans.read_pending(store, each, budget or scans.Budget(), lambda: index_lock(engine.data_dir),
                              lambda ids: search.update(engine, store, ids), page_done)


class JobRefused(Refusal, Exception):
    """A job the deployment's limits (or its kind) do not allow; the message says why (archive.messages)."""

    cli = "both"


def submit_job(store: Store, data_dir: Path, kind: str, who: str, *, source: str | None = None,
               upload: Path | None = None, max_jobs: int | None = None) -> int:
    """Record a background job and queue it for the worker; return its id.

    `upload` (a file already on disk, e.g. a web upload streamed under DATA_DIR/uploads) moves
    into the job's own folder, which the job removes when it ends however it ends. Refused
    (JobRefused, nothing recorded, the upload deleted) past `max_jobs` unfinished jobs.
    """
    import jobs

    try:
        if kind not in jobs.KINDS:
            raise JobRefused(N_("알 수 없는 작업 종류입니다: %(kind)s."), kind=kind)
        job_id = store.create_job(kind, who, source, max_unfinished=max_jobs)
        if job_id is None:
            raise JobRefused(N_("이미 작업 %(max)s건이 대기 중이거나 진행 중입니다. 끝난 뒤 다시 시도해 주십시오."),
                             max=max_jobs)
        if upload is not None:
            folder = jobs.job_dir(data_dir, job_id)
            folder.mkdir(parents=True, exist_ok=True)
            os.replace(upload, folder / jobs.UPLOAD_NAME)
    finally:
        if upload is not None and Path(upload).exists():
            Path(upload).unlink()
    import job_queue

    job_queue.enqueue(data_dir, job_id)
    return job_id


def run_job(store: Store, engine: Engine, data_dir: Path, job_id: int, settings: dict, owner: str):
    """Run one queued job to its end (the worker calls it): claim, run its kind, finish or fail, clean up."""
    import jobs

    return jobs.run(store, engine, Path(data_dir), job_id, settings, owner)
