"""The second step of a login (a TOTP code) and enrolment of a TOTP factor.

/clerk/login/code and /clerk/login/enrol serve a half-done login (web/login_state.py): the
password proved right a moment ago, nothing else is open to it. /clerk/2fa lets a logged-in
clerk enrol by choice. The rules (single-use codes, limits, confirmation) are in archive/totp.py.
"""

from __future__ import annotations

import math

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from archive import sessions, totp
from archive.accounts import AccountError

from . import login_state
from .auth import trusted_device
from .context import get_store
from .i18n import refusal_text

bp = Blueprint("second_factor", __name__, url_prefix="/clerk")

ENROL_TAG = "totp_enrol"  # which pending secret this browser was shown (archive.totp.secret_tag)


class CodeForm(FlaskForm):
    code = StringField(_l("인증 코드"), validators=[DataRequired(), Length(max=12)])


def _refused(result) -> tuple[int, dict]:
    """Flash why a code was refused; the status and headers to answer with."""
    if result.wait:
        minutes = math.ceil(result.wait / 60)
        flash(_("인증 코드 시도가 너무 많습니다. %(minutes)s분 뒤 다시 시도하십시오.", minutes=minutes), "error")
        return 429, {"Retry-After": str(math.ceil(result.wait))}
    flash(_("인증 코드가 맞지 않거나 이미 쓴 코드입니다."), "error")
    return 401, {}


def _expired():
    flash(_("로그인을 처음부터 다시 하십시오."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/login/code", methods=["GET", "POST"])
def code():
    """The second step: the code of the account's authenticator."""
    user = login_state.pending()
    if user is None:
        return _expired()
    store = get_store()
    if totp.state(store, user.name) is not totp.State.ACTIVE:
        return redirect(url_for("second_factor.enrol"))
    form = CodeForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        device = trusted_device(user.name)
        result = totp.verify(store, user.name, form.code.data, request.remote_addr or "?", device)
        if result.ok:
            return login_state.complete(user, device, second_factor=True)
        status, headers = _refused(result)
    return render_template("clerk/totp_code.html", form=form, name=user.name), status, headers


def _enrolment_page(name: str, form: CodeForm, action: str, status: int = 200, headers: dict | None = None):
    try:
        enrolment = totp.enrolment(get_store(), name, session.get(ENROL_TAG))
    except AccountError as exc:
        flash(refusal_text(exc), "error")
        return redirect(url_for("clerk.dashboard"))
    session[ENROL_TAG] = enrolment.tag
    page = {"name": name, "secret": enrolment.secret, "uri": enrolment.uri, "qr": enrolment.qr_svg(),
            "action": action, "forced": action == url_for("second_factor.enrol")}
    return render_template("clerk/totp.html", form=form, page=page), status, headers or {}


def _confirm(name: str, form: CodeForm):
    """The first code of the secret this browser was shown: an Attempt."""
    return totp.confirm(get_store(), name, form.code.data, session.get(ENROL_TAG) or "",
                        request.remote_addr or "?", trusted_device(name))


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol():
    """Enrolment right after the password, when 2FA is required and the account has no factor yet."""
    user = login_state.pending()
    if user is None:
        return _expired()
    if totp.state(get_store(), user.name) is totp.State.ACTIVE:
        return redirect(url_for("second_factor.code"))
    form = CodeForm()
    if form.validate_on_submit():
        result = _confirm(user.name, form)
        if result.ok:
            session.pop(ENROL_TAG, None)
            flash(_("2단계 인증을 켰습니다. 다음 로그인부터 인증 코드를 함께 넣으십시오."), "info")
            return login_state.complete(user, trusted_device(user.name), second_factor=True)
        return _enrolment_page(user.name, form, url_for("second_factor.enrol"), *_refused(result))
    return _enrolment_page(user.name, form, url_for("second_factor.enrol"))


@bp.route("/2fa", methods=["GET", "POST"])
@login_required
def own():
    """A logged-in clerk's own factor: its state, or enrolment."""
    store = get_store()
    name = current_user.name
    if totp.state(store, name) is totp.State.ACTIVE:
        return render_template("clerk/totp.html", form=None, page={"name": name, "active": True})
    form = CodeForm()
    if form.validate_on_submit():
        result = _confirm(name, form)
        if result.ok:
            session.pop(ENROL_TAG, None)
            # this session has now shown a code: a new server-side session that says so
            sessions.end(store, session.get(login_state.TOKEN))
            session[login_state.TOKEN] = sessions.begin(store, name, login_state.idle_seconds(), True)
            flash(_("2단계 인증을 켰습니다. 다음 로그인부터 인증 코드를 함께 넣으십시오."), "info")
            return redirect(url_for("second_factor.own"), 303)
        return _enrolment_page(name, form, url_for("second_factor.own"), *_refused(result))
    return _enrolment_page(name, form, url_for("second_factor.own"))
