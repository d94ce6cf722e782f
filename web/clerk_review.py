"""The workspace's review pages (issue 14): pending changes to approve or reject, orphaned holds,
withdrawing and restoring a record, withholding from a search in bulk, the audit log as CSV (admins)."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

import review_services
from archive import accounts
from archive.accounts import NotPermitted
from archive.changes import ChangeRefused, NeedsConfirmation
from archive.review import MAX_BULK, ReviewRefused
from index.lang import QueryRefused
from index.selection import matching_ids

from . import errors
from .context import data_dir, get_engine, get_store
from .forms import WithholdForm
from .i18n import refusal_text
from .public import search_request

bp = Blueprint("clerk_review", __name__, url_prefix="/clerk")
REFUSED = (ChangeRefused, ReviewRefused, NeedsConfirmation)


class TokenForm(FlaskForm):
    """A button: only the CSRF token."""


class ReasonForm(FlaskForm):
    reason = TextAreaField(validators=[DataRequired(), Length(max=2000)])


class OrphanForm(ReasonForm):
    sha256 = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])
    record_id = HiddenField(validators=[DataRequired(), Length(max=64)])


class BulkForm(WithholdForm):
    records = SelectMultipleField(choices=[], validate_choice=False)
    name = StringField(validators=[Length(max=255)])
    whole = BooleanField()


@bp.before_request
@login_required
def require_login():
    """Every page here needs a logged-in clerk."""


@bp.errorhandler(NotPermitted)
def not_permitted(exc: NotPermitted):
    return errors._answer(403, "Forbidden: not an agency this clerk acts for", refusal_text(exc))


def _scope() -> list[str] | None:
    user = current_user.user
    return list(user.agencies) if user.scoped else None


def _four_eyes() -> bool:
    return bool(current_app.config["FOUR_EYES"])


@bp.get("/review")
def review():
    store = get_store()
    page = {"pending": store.pending_changes(agencies=_scope()), "orphans": store.orphan_holds(agencies=_scope()),
            "four_eyes": _four_eyes(), "me": current_user.name,
            "admin": current_user.role is accounts.Role.ADMIN}
    return render_template("clerk/review.html", page=page, form=ReasonForm(formdata=None),
                           orphan_form=OrphanForm(formdata=None))


def _done(message: str):
    flash(message, "info")
    return redirect(url_for("clerk_review.review"), 303)


def _refused(exc: Exception, back: str):
    flash(_("바꾸지 못했습니다: %(why)s", why=refusal_text(exc)), "error")
    return redirect(back, 303)


@bp.post("/review/<int:change_id>/approve")
def approve(change_id: int):
    if not TokenForm().validate():
        abort(400)
    try:
        review_services.approve(get_store(), get_engine(), data_dir(), change_id, current_user.name)
    except REFUSED as exc:
        return _refused(exc, url_for("clerk_review.review"))
    return _done(_("변경 #%(id)s을 승인했습니다.", id=change_id))


@bp.post("/review/<int:change_id>/reject")
def reject(change_id: int):
    form = ReasonForm()
    if not form.validate():
        return _refused(_("이유를 적으십시오."), url_for("clerk_review.review"))
    try:
        review_services.reject(get_store(), change_id, current_user.name, form.reason.data)
    except REFUSED as exc:
        return _refused(exc, url_for("clerk_review.review"))
    return _done(_("변경 #%(id)s을 반려했습니다.", id=change_id))


@bp.post("/orphans/release")
def release_orphan():
    form = OrphanForm()
    if not form.validate():
        return _refused(_("이유를 적으십시오."), url_for("clerk_review.review"))
    try:
        pending = review_services.release_orphan(get_store(), get_engine(), data_dir(), form.sha256.data,
                                                 form.record_id.data, current_user.name, form.reason.data,
                                                 four_eyes=_four_eyes())
    except REFUSED as exc:
        return _refused(exc, url_for("clerk_review.review"))
    if pending is not None:
        return _done(_("요청 #%(id)s이 다른 담당자의 승인을 기다립니다.", id=pending.id))
    return _done(_("고아 보류를 해제했습니다."))


@bp.post("/records/<record_id>/withdraw")
def withdraw(record_id: str):
    form = ReasonForm()
    back = url_for("clerk.record", record_id=record_id)
    if not form.validate():
        return _refused(_("이유를 적으십시오."), back)
    try:
        review_services.withdraw(get_store(), get_engine(), data_dir(), record_id, current_user.name,
                                 form.reason.data)
    except REFUSED as exc:
        return _refused(exc, back)
    flash(_("기록을 철회했습니다: 공개된 모든 곳에서 내려갔습니다."), "info")
    return redirect(back, 303)


@bp.post("/records/<record_id>/restore")
def restore(record_id: str):
    form = ReasonForm()
    back = url_for("clerk.record", record_id=record_id)
    if not form.validate():
        return _refused(_("이유를 적으십시오."), back)
    try:
        pending = review_services.restore(get_store(), get_engine(), data_dir(), record_id, current_user.name,
                                          form.reason.data, four_eyes=_four_eyes())
    except REFUSED as exc:
        return _refused(exc, back)
    flash(_("복원 요청 #%(id)s이 다른 담당자의 승인을 기다립니다.", id=pending.id) if pending
          else _("기록을 복원했습니다."), "info")
    return redirect(back, 303)


@bp.get("/records/<record_id>/withdrawal")
def withdrawal(record_id: str):
    """The withdraw (or restore) form of one record."""
    store = get_store()
    record = store.get(record_id, withdrawn=True)
    if record is None:
        abort(404)
    accounts.authorize(store, current_user.user, record.agency, "view", record.id)
    return render_template("clerk/withdrawal.html", record=record, withdrawn=store.withdrawal(record_id),
                           form=ReasonForm(formdata=None), four_eyes=_four_eyes())


@bp.route("/bulk", methods=["GET", "POST"])
def bulk():
    """A search (public text and metadata, as the index holds), then one withhold over its selection."""
    req = search_request(request.args)
    found, selection = [], None
    if req.q or req.filters:
        try:
            selection = matching_ids(get_engine(), req, MAX_BULK)
        except QueryRefused as exc:
            flash(refusal_text(exc), "error")
        else:
            store = get_store()
            found = [r for r in (store.get(i, withdrawn=True) for i in selection.ids[:MAX_BULK]) if r is not None]
    form = BulkForm()
    if request.method == "POST":
        if not form.validate():
            flash(_("비공개 사유와 이유를 모두 적으십시오."), "error")
        elif not form.whole.data and not (form.name.data or "").strip():
            flash(_("첨부파일 이름을 적거나 기록 전체를 고르십시오."), "error")
        else:
            try:
                count = review_services.bulk_withhold(
                    get_store(), get_engine(), data_dir(), current_user.name, list(form.records.data),
                    None if form.whole.data else form.name.data, [int(g) for g in form.grounds.data],
                    form.reason.data)
            except REFUSED as exc:
                flash(_("바꾸지 못했습니다: %(why)s", why=refusal_text(exc)), "error")
            else:
                flash(_("첨부 %(n)s건을 한 번에 비공개로 바꾸었습니다.", n=count), "info")
                return redirect(url_for("clerk_review.bulk", **request.args), 303)
    return render_template("clerk/bulk.html", req=req, found=found, selection=selection, form=form,
                           limit=MAX_BULK, args=request.args)


@bp.get("/audit.csv")
def audit_csv():
    """Admins only: the whole audit log (level changes, requests, decisions, withdrawals) as CSV."""
    if current_user.role is not accounts.Role.ADMIN:
        abort(403)
    rows = get_store().audit_rows(record_id=request.args.get("record") or None,
                                  clerk=request.args.get("clerk") or None, since=request.args.get("since") or None)
    out = io.StringIO()
    writer = csv.writer(out)
    fields = ["at", "clerk", "record", "attachment", "action", "from", "to", "grounds", "reason"]
    writer.writerow(fields)
    for row in rows:
        data = row.as_json()
        data["grounds"] = " ".join(str(g) for g in data["grounds"])
        # a cell a spreadsheet would run as a formula (=, +, -, @) is quoted as text
        writer.writerow([_cell(data[f]) for f in fields])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
