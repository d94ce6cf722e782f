"""Readers' comments over HTTP: the record page's form (POST) and the clerks' moderation (/clerk/comments).

The rules live in archive/comments.py; this module turns requests into its calls. The client address
is `request.remote_addr`, which honours ARCHIVE_TRUSTED_PROXIES (werkzeug's ProxyFix, set in app.py).
`ARCHIVE_COMMENTS=0` turns the public side off: no form, POST 404, no `comments` in the record JSON
(absent rather than empty: an empty list would say no one commented). Clerks' pages stay, so that
what was published before can still be removed.
"""

from __future__ import annotations

import os

from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from archive import comments
from archive.accounts import NotPermitted
from archive.comments import CommentRefused, CommentState

from . import errors, pages
from .context import get_store
from .i18n import refusal_text

bp = Blueprint("comments", __name__)
clerk_bp = Blueprint("clerk_comments", __name__, url_prefix="/clerk/comments")


class CommentForm(FlaskForm):
    """The fields are checked by archive.comments.check (one rule for every door); this form brings CSRF."""

    display_name = StringField()
    email = StringField()
    body = TextAreaField()


class DecisionForm(FlaskForm):
    reason = TextAreaField()


def enabled() -> bool:
    return bool(current_app.config.get("COMMENTS"))


@bp.post("/records/<record_id>/comments")
def submit(record_id: str):
    if not enabled():
        abort(404)
    form = CommentForm()  # the CSRF token is checked before this view (CSRFProtect): 400 without it
    try:
        comments.submit(get_store(), record_id, form.display_name.data, form.email.data, form.body.data,
                        request.remote_addr or "")
    except CommentRefused as exc:
        if exc.status in (404, 410):
            abort(exc.status, description=refusal_text(exc))
        data = pages.record_html_page(get_store(), record_id)
        if data is None:
            abort(404)
        g.comment_form, g.comment_error = form, refusal_text(exc)
        response = current_app.make_response((render_template("record.html", page=data), exc.status))
        if exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    flash(_("댓글을 받았습니다. 담당자가 확인한 뒤 게시됩니다."), "info")
    return redirect(url_for("public.record", record_id=record_id, _anchor="comments"), 303)


@clerk_bp.before_request
@login_required
def require_login():
    """Moderation is for logged-in clerks only."""


@clerk_bp.errorhandler(NotPermitted)
def not_permitted(exc: NotPermitted):
    return errors._answer(403, "Forbidden: not an agency this clerk acts for", refusal_text(exc))


@clerk_bp.get("/")
def moderation():
    state = request.args.get("state", CommentState.PENDING.value)
    if state not in {s.value for s in CommentState}:
        abort(400, description=_("알 수 없는 상태입니다."))
    user = current_user.user
    page = {"state": state, "states": [s.value for s in CommentState],
            "comments": comments.for_clerk(get_store(), user, CommentState(state)),
            "log": get_store().comment_log(30, list(user.agencies) if user.scoped else None),
            "form": DecisionForm(formdata=None), "enabled": enabled()}
    return render_template("clerk/comments.html", page=page)


def _decide(comment_id: int, act, done: str):
    form = DecisionForm()
    if not form.validate():
        abort(400)
    try:
        comment = act(comment_id, form.reason.data or "")
    except CommentRefused as exc:
        if exc.status == 404:
            abort(404)
        flash(refusal_text(exc), "error")
        return redirect(url_for("clerk_comments.moderation"), 303)
    flash(done % {"id": comment.id}, "info")
    back = request.args.get("back", "")
    return redirect(url_for("clerk_comments.moderation", **({"state": back} if back in set(CommentState) else {})),
                    303)


@clerk_bp.post("/<int:comment_id>/approve")
def approve(comment_id: int):
    return _decide(comment_id, lambda i, _reason: comments.approve(get_store(), current_user.user, i),
                   _("댓글 %(id)s을(를) 게시했습니다."))


@clerk_bp.post("/<int:comment_id>/remove")
def remove(comment_id: int):
    return _decide(comment_id, lambda i, reason: comments.remove(get_store(), current_user.user, i, reason),
                   _("댓글 %(id)s을(를) 내렸습니다."))


def _setting() -> bool:
    raw = os.environ.get("ARCHIVE_COMMENTS", "1").strip()
    if raw not in ("", "0", "1"):
        raise RuntimeError(f"ARCHIVE_COMMENTS is {raw!r}; it must be 0 (comments off) or 1 (on)")
    return raw != "0"


def init_app(app: Flask) -> None:
    app.config.setdefault("COMMENTS", _setting())
    app.register_blueprint(bp)
    app.register_blueprint(clerk_bp)

    @app.context_processor
    def _comment_form():
        # a callable: only the record page's comment section makes a form (and its CSRF token)
        return {"comment_form": lambda: g.get("comment_form") or CommentForm(formdata=None),
                "comment_error": g.get("comment_error")}
