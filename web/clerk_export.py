"""Exports as background jobs from the clerk workspace (issue 18): the `export` bag, as a zip under DATA_DIR.

A clerk starts one with the /search parameters (POST /clerk/jobs/export); the worker (jobs.py's
`export` kind, which calls `run_export`) selects and counts as the `export` command does
(web.export.prepare, public content only: a clerk's job gets exactly what a visitor's
/export.zip would, withheld files never) and writes archive.export's zip to
DATA_DIR/exports/.<id>.<random>.partial, renamed to DATA_DIR/exports/<id>.zip when whole. A
killed attempt leaves at most a `.partial`, which no page serves; the next attempt (the job is
resumed, from the start) and the sweep delete it. Only a logged-in clerk downloads the zip
(GET /clerk/jobs/<id>/export.zip).

Limits: EXPORT_JOB_MAX_RECORDS (ARCHIVE_EXPORT_JOB_MAX_RECORDS; default the command's own
bound, web.export.CLI_MAX_RECORDS = 50,000) and no bound on bytes beyond the disk, as for the
command; not the web's 500 records / 2 GiB. Zips are kept EXPORT_KEEP_HOURS
(ARCHIVE_EXPORT_KEEP_HOURS, default 168 = 7 days) after their job ended, then swept (the worker,
at start and each minute), as is a zip whose job row is gone or did not end done.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Blueprint, abort, current_app, flash, has_app_context, redirect, request, send_file, url_for
from flask_login import current_user, login_required

import services
from archive import export as bag
from archive.accounts import NotPermitted
from archive.messages import N_
from archive.store import JobState, Store
from index.lang import QueryRefused

from . import pages
from .context import data_dir, get_store
from .downloads import content_disposition
from .export import CLI_MAX_RECORDS, TooMany, prepare
from .forms import StartJobForm
from .i18n import refusal_text
from .public import search_params, search_request

bp = Blueprint("clerk_export", __name__, url_prefix="/clerk")

DEFAULTS = {
    "EXPORT_JOB_MAX_RECORDS": ("ARCHIVE_EXPORT_JOB_MAX_RECORDS", CLI_MAX_RECORDS),
    "EXPORT_KEEP_HOURS": ("ARCHIVE_EXPORT_KEEP_HOURS", 168),
}
PARAMS = ("q", "agency", "kind", "year", "from", "to")


@bp.record_once
def _defaults(state) -> None:
    for key, (env, default) in DEFAULTS.items():
        raw = os.environ.get(env)
        if raw is not None and not raw.isdigit():
            raise RuntimeError(f"{env} must be a whole number, not {raw!r}")
        state.app.config.setdefault(key, int(raw) if raw is not None else default)


def exports_dir(data: Path) -> Path:
    return Path(data) / "exports"


def zip_path(data: Path, job_id: int) -> Path:
    return exports_dir(data) / f"{job_id}.zip"


# -- the clerk's side ----------------------------------------------------------------------

@bp.before_request
@login_required
def require_login():
    """Every page here needs a logged-in clerk; anonymous visitors go to the login page."""


@bp.post("/jobs/export")
def start_export():
    """Queue an export of what /search?<these parameters> finds; the clerk goes to the job's page."""
    if not StartJobForm().validate():
        abort(400)
    req = search_request({k: request.form[k].strip() for k in PARAMS if request.form.get(k, "").strip()})
    query = {k: str(v) for k, v in search_params(req).items() if k != "page"}
    source = f"{request.host_url.rstrip('/')}/search?{urlencode(query)}"
    try:
        job_id = services.submit_job(get_store(), data_dir(), "export", current_user.name, source=source,
                                     max_jobs=current_app.config["MAX_JOBS"])
    except services.JobRefused as exc:
        flash(refusal_text(exc), "error")
        return redirect(url_for("clerk.dashboard"), 303)
    return redirect(url_for("clerk.job", job_id=job_id), 303)


@bp.get("/jobs/<int:job_id>/export.zip")
def download(job_id: int):
    try:  # a clerk scoped to agencies opens the jobs it started only (the refusal is logged)
        job = services.clerk_job(get_store(), current_user.user, job_id)
    except NotPermitted:
        abort(404)
    path = zip_path(data_dir(), job_id)
    if job is None or job.kind != "export" or job.state is not JobState.DONE or not path.is_file():
        abort(404)
    response = send_file(path, mimetype="application/zip", conditional=True)
    response.headers["Content-Disposition"] = content_disposition((job.report or {}).get("name", path.name))
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- the worker's side ---------------------------------------------------------------------

def _failed(msgid: str, **params):
    """A JobFailed: its msgid and params kept in the store, worded on the job's page in the clerk's language."""
    from jobs import JobFailed

    return JobFailed(msgid, **params)


def run_export(run, app) -> dict:
    """The `export` job's work (see the module's docstring); its report: records, files, bytes, size, name."""
    if app is None and has_app_context():
        app = current_app._get_current_object()
    if app is None:
        raise _failed(N_("내보내기는 워커(flask worker)에서만 돌 수 있습니다."))
    url = urlsplit(run.job.source or "")
    query = dict(parse_qsl(url.query))
    server = app.config.get("SERVER_NAME")
    portal = (f"{app.config['PREFERRED_URL_SCHEME']}://{server}" if server else
              f"{url.scheme}://{url.netloc}" if url.netloc else "http://localhost:5000")
    folder = exports_dir(run.data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    _remove_attempts(folder, run.job.id)  # a killed attempt's partial, a stale zip: this run starts over
    limit = app.config.get("EXPORT_JOB_MAX_RECORDS", CLI_MAX_RECORDS)
    with app.app_context(), app.test_request_context("/", base_url=portal):
        try:
            prepared = prepare(app.extensions["search_engine"], run.store, search_request(query), query, portal, limit)
        except QueryRefused as exc:
            raise _failed(N_("검색을 실행할 수 없습니다: %(why)s"), why=exc) from None
        except TooMany:
            raise _failed(N_("맞는 기록이 %(limit)s건보다 많습니다. 검색 조건을 좁히십시오."),
                          limit=f"{limit:,}") from None
        if not prepared.planned:
            raise _failed(N_("검색 조건에 맞는 기록이 없어 내보낼 것이 없습니다."))
        run.progress(0, len(prepared.planned), force=True)
        outcome = _write_zip(run, folder, prepared)
    size = zip_path(run.data_dir, run.job.id).stat().st_size
    return {"records": outcome.records, "files": outcome.files, "bytes": outcome.bytes, "size": size,
            "problems": outcome.problems, "partial": prepared.partial, "query": query,
            "name": f"yeollam-export-{prepared.info['Bagging-Date']}-job{run.job.id}.zip",
            "resumed": run.job.attempts - 1}


def _write_zip(run, folder: Path, prepared) -> bag.Outcome:
    """The bag's zip, written to a temporary name and renamed into place only when whole."""
    store: Store = run.store
    outcome = bag.Outcome()
    root = f"yeollam-export-{prepared.info['Bagging-Date']}"

    def record_json(record_id: str):
        run.progress(run.done + 1)  # one record under way
        return pages.record_json(store, record_id)

    fd, partial = tempfile.mkstemp(prefix=f".{run.job.id}.", suffix=".partial", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in bag.stream_bag(root, store, prepared.planned, record_json, prepared.info, outcome):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, zip_path(run.data_dir, run.job.id))
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    run.progress(len(prepared.planned), force=True)
    return outcome


def _remove_attempts(folder: Path, job_id: int) -> None:
    for path in [*folder.glob(f".{job_id}.*.partial"), folder / f"{job_id}.zip"]:
        path.unlink(missing_ok=True)


def sweep(store: Store, data: Path, keep_hours: float) -> list[str]:
    """Remove export zips past their time, or whose job is gone or did not end done; partials of no running job."""
    folder = exports_dir(data)
    if not folder.is_dir():
        return []
    removed = []
    now = datetime.now(UTC)
    for path in folder.iterdir():
        name = path.name
        digits = name[1:].split(".", 1)[0] if name.startswith(".") else name.removesuffix(".zip")
        job = store.job(int(digits)) if digits.isdigit() else None
        job = job if job is not None and job.kind == "export" else None
        if name.startswith("."):  # a partial: only a running attempt writes one
            doomed = job is None or job.state is not JobState.RUNNING
        else:  # a zip: kept while its job runs (it renames before it ends) and keep_hours after it ended done
            ended = datetime.fromisoformat(job.finished_at) if job and job.finished_at else None
            doomed = job is None or (job.state.finished and (
                job.state is JobState.FAILED or ended is None or (now - ended).total_seconds() > keep_hours * 3600))
        if doomed:
            path.unlink(missing_ok=True)
            removed.append(name)
    return removed


def job_message(job) -> str | None:
    """Why a job failed, in the reader's language (its stored msgid and params); an old plain message as it reads."""
    if job.notice is None:
        return job.message
    try:
        return refusal_text(job.notice)
    except (KeyError, ValueError, TypeError):  # a catalog wording whose placeholders disagree: never a 500
        return job.message


def job_problem(report: dict, record: int, problem: int, text: str) -> str:
    """A rejected record's reason in the reader's language, when its ingest job kept its msgid
    (`problem_messages`, jobs.py); else as the report reads (older jobs, reasons without a msgid)."""
    from archive.store.jobs import JobMessage

    kept = ((report.get("problem_messages") or {}).get(str(record)) or [])
    said = kept[problem] if problem < len(kept) else None
    try:
        return refusal_text(JobMessage.from_json(said)) if isinstance(said, dict) else text
    except (KeyError, TypeError, ValueError):  # a msgid and params that do not fit: the report's own words
        return text


@bp.app_context_processor
def _helpers() -> dict:
    """For the job pages: `export_available(job_id)` (whether the zip is still on disk), `job_message(job)`,
    `job_problem(report, record, problem, text)`."""
    return {"export_available": lambda job_id: zip_path(data_dir(), job_id).is_file(), "job_message": job_message,
            "job_problem": job_problem}
