"""The clerks' workspace: dashboard, a record's disclosure forms and audit trail, web ingest."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

import review_services
import services
from archive import accounts
from archive.accounts import NotPermitted
from archive.blobs import Damaged
from archive.changes import Change, ChangeRefused, NeedsConfirmation, release_findings
from archive.disclosure import GROUNDS, grounds_info
from archive.extract import REASONS, format_name
from archive.pii import KINDS

from . import errors
from .context import data_dir, get_engine, get_store
from .downloads import send_file_named as send_downloaded
from .forms import ReleaseForm, StartJobForm, UploadForm, WithholdForm
from .i18n import refusal_text
from .uploads import keep

bp = Blueprint("clerk", __name__, url_prefix="/clerk")


@bp.before_request
@login_required
def require_login():
    """Every clerk page needs a logged-in clerk; anonymous visitors go to the login page."""


@bp.errorhandler(NotPermitted)
def not_permitted(exc: NotPermitted):
    """Another agency's record (or another clerk's job): 403 with the service layer's message (issue 19)."""
    return errors._answer(403, "Forbidden: not an agency this clerk acts for", refusal_text(exc))


@bp.get("/")
def dashboard():
    store = get_store()
    lists = services.clerk_lists(store, current_user.user)  # the clerk's agencies only
    records = {}
    flagged = []
    for f in lists["flagged"]:
        record = records.get(f.record_id) or records.setdefault(f.record_id, store.get(f.record_id, withdrawn=True))
        # the level visitors get: a public row whose bytes are withheld elsewhere is withheld
        level = record.effective(record.attachment(f.n))[0]
        flagged.append({"record_id": f.record_id, "title": f.title, "n": f.n, "name": f.name,
                        "disclosure": level.value, "findings": [(KINDS[k], masked) for k, masked in f.pii]})
    held = [{**h, "label": h["hold"].label} for h in lists["held"]]
    page = {"ingests": lists["ingests"], "flagged": flagged, "held": held, "changes": lists["changes"],
            "jobs": lists["jobs"], "start_form": StartJobForm(formdata=None),
            "pending_scans": store.count_pending_scans(),
            "agencies": current_user.user.agencies if current_user.user.scoped else ()}
    return render_template("clerk/dashboard.html", page=page)


def _workspace(record_id: str, forms: dict | None = None, findings: dict | None = None):
    store = get_store()
    record = services.clerk_record(store, current_user.user, record_id)  # withheld parts: its agency's clerks only
    if record is None:
        abort(404)
    attachments = []
    for att in record.attachments:
        level, grounds = record.effective(att)
        reason = REASONS.get(att.text_reason or "")
        attachments.append({
            "n": att.n, "name": att.name, "level": level.value, "own_level": att.disclosure.value,
            # public by its own row, withheld because the same bytes are withheld elsewhere
            "covered": record.withheld_as_a_copy(att),
            "held_here": store.clerk_withheld_here(att.sha256, record.id),
            "hold": att.hold.value if att.hold else None, "hold_label": att.hold.label if att.hold else None,
            "grounds": grounds_info(grounds), "size": att.size, "sha256": att.sha256,
            "format": format_name(att.name), "pages": att.pages,
            "text": store.text_of(att.sha256), "no_text_reason": reason[0] if reason else None,
            "personal_data": [(KINDS[k], m) for k, m in release_findings(store, att.sha256)],
            "withhold_form": (forms or {}).get(("withhold", att.n)) or WithholdForm(formdata=None),
            "release_form": (forms or {}).get(("release", att.n)) or ReleaseForm(formdata=None),
            "needs_confirmation": (findings or {}).get(att.n),
        })
    page = {"record": record, "level": record.level.value, "grounds": grounds_info(record.grounds),
            "whole": bool(record.withheld_grounds), "attachments": attachments,
            "audit": store.audit_of_record(record.id), "grounds_table": GROUNDS}
    return render_template("clerk/record.html", page=page)


@bp.get("/records/<record_id>")
def record(record_id: str):
    return _workspace(record_id)


def _apply(record_id: str, n: int, form, change: Change, until: str | None = None):
    store = get_store()
    try:  # under four eyes a release waits for a second clerk (review_services.disclose)
        done = review_services.disclose(store, get_engine(), data_dir(), change,
                                        four_eyes=current_app.config["FOUR_EYES"], until=until)
    except NeedsConfirmation as exc:
        flash(refusal_text(exc), "error")
        return _workspace(record_id, {(("withhold" if change.withhold else "release"), n): form},
                          {n: [(KINDS[k], m) for k, m in exc.findings]}), 409
    except ChangeRefused as exc:
        flash(_("바꾸지 못했습니다: %(why)s", why=refusal_text(exc)), "error")
        return _workspace(record_id, {(("withhold" if change.withhold else "release"), n): form}), 400
    if done.pending is not None:
        flash(_("첨부 %(n)s: 공개 요청 #%(id)s이 다른 담당자의 승인을 기다립니다.", n=n, id=done.pending.id), "info")
        return redirect(url_for("clerk.record", record_id=record_id))
    flash(_("첨부 %(n)s: 비공개로 바꾸었습니다.", n=n) if change.withhold else _("첨부 %(n)s: 공개했습니다.", n=n),
          "info")
    return redirect(url_for("clerk.record", record_id=record_id))


@bp.post("/records/<record_id>/attachments/<int:n>/withhold")
def withhold(record_id: str, n: int):
    form = WithholdForm()
    if not form.validate():
        flash(_("비공개 사유와 이유를 모두 적으십시오."), "error")
        return _workspace(record_id, {("withhold", n): form}), 400
    change = Change(record_id, n, True, form.reason.data, current_user.name, [int(g) for g in form.grounds.data])
    return _apply(record_id, n, form, change, form.until.data.isoformat() if form.until.data else None)


@bp.post("/records/<record_id>/attachments/<int:n>/release")
def release(record_id: str, n: int):
    form = ReleaseForm()
    if not form.validate():
        flash(_("이유를 적으십시오."), "error")
        return _workspace(record_id, {("release", n): form}), 400
    change = Change(record_id, n, False, form.reason.data, current_user.name,
                    confirm_personal_data=form.confirm_personal_data.data)
    return _apply(record_id, n, form, change)


@bp.get("/records/<record_id>/attachments/<int:n>/original")
def original(record_id: str, n: int):
    """Clerks may open every attachment, withheld ones included."""
    record = services.clerk_record(get_store(), current_user.user, record_id, f"open original {n}")
    att = record.attachment(n) if record else None
    if att is None:
        abort(404)
    try:
        path = get_store().blobs.verified_path(att.sha256)
    except Damaged:
        abort(503, description=_("보관된 원본이 손상되었습니다 (SHA-256 무결성 검사 실패)."))
    return send_downloaded(path, att.media_type, att.name)


def _limits() -> dict:
    config = current_app.config
    return {"upload_mb": config["MAX_CONTENT_LENGTH"] / 1024 / 1024, "records": config["MAX_BATCH_RECORDS"],
            "jobs": config["MAX_JOBS"]}


@bp.route("/ingest", methods=["GET", "POST"])
def ingest():
    """The upload is stored (streamed to disk), then ingested by the worker; the clerk goes to the job's page."""
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("clerk/ingest.html", form=form, limits=_limits()), 400 if form.errors else 200
    upload = keep(form.batch.data)
    try:
        job_id = services.submit_job(get_store(), data_dir(), "ingest", current_user.name,
                                     source=form.batch.data.filename or "upload.zip", upload=upload,
                                     max_jobs=current_app.config["MAX_JOBS"])
    except services.JobRefused as exc:
        flash(refusal_text(exc), "error")
        return render_template("clerk/ingest.html", form=form, limits=_limits()), 429
    return redirect(url_for("clerk.job", job_id=job_id), 303)


def _start(kind: str):
    """Queue a job of `kind` for the clerk (its page shows the progress); refused past MAX_JOBS."""
    if not StartJobForm().validate():
        abort(400)
    try:
        job_id = services.submit_job(get_store(), data_dir(), kind, current_user.name,
                                     max_jobs=current_app.config["MAX_JOBS"])
    except services.JobRefused as exc:
        flash(refusal_text(exc), "error")
        return redirect(url_for("clerk.dashboard"), 303)
    return redirect(url_for("clerk.job", job_id=job_id), 303)


@bp.post("/jobs/reindex")
def start_reindex():
    return _start("reindex")


@bp.post("/jobs/ocr")
def start_ocr():
    """Read the scans waiting for OCR, as a job (issue 16): its page shows files done of total."""
    return _start("ocr")


def _job_or_404(job_id: int):
    job = services.clerk_job(get_store(), current_user.user, job_id)
    if job is None:
        abort(404)
    return job


@bp.get("/jobs/<int:job_id>")
def job(job_id: int):
    return render_template("clerk/job.html", job=_job_or_404(job_id))


@bp.get("/jobs/<int:job_id>.json")
def job_json(job_id: int):
    """What the job page polls (static/jobs.js) to update its progress without a reload."""
    from .clerk_export import job_message

    found = _job_or_404(job_id)
    # message: a failure in the reader's language (?lang=, cookie, Accept-Language; Korean by default)
    return {**found.as_dict(), "message": job_message(found), "label": found.state.label_ko,
            "finished": found.state.finished}


class AgenciesForm(FlaskForm):
    agencies = TextAreaField(_l("담당 기관 (한 줄에 하나, 비우면 전체)"),
                             validators=[Length(max=4000)])


@bp.post("/accounts/<name>/agencies")
def set_agencies(name: str):
    """Admins only: the agencies a clerk acts for (one a line; none: all)."""
    if current_user.role is not accounts.Role.ADMIN:
        abort(403)
    form = AgenciesForm()
    if not form.validate():
        abort(400, description=_("기관 목록을 읽을 수 없습니다."))
    try:
        from archive.account_admin import Admin, set_agencies  # audited in the account log (issue 14)

        store = get_store()
        names = set_agencies(store, Admin.of(store, current_user.user), name, (form.agencies.data or "").splitlines())
    except accounts.AccountError as exc:
        abort(400, description=_("바꾸지 못했습니다: %(why)s", why=refusal_text(exc)))
    flash(_("%(name)s: 담당 기관 %(agencies)s.", name=name, agencies=", ".join(names) if names else _("전체")), "info")
    return redirect(url_for("auth.account_list"), 303)
