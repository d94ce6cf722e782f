"""Log in and out: POST only for changes, limited against guessing, never an open redirect.

The limits themselves (and why they are keyed as they are) are in archive/accounts.py. This
layer adds what only HTTP knows: the client's address (request.remote_addr, which ProxyFix
sets from X-Forwarded-For only when ARCHIVE_TRUSTED_PROXIES says a proxy in front may), and
the trusted-device cookie a browser gets at a successful login, which keeps that browser's
attempts apart from whatever anyone else does from the same address. A right password leads to
the second factor where there is one (web/login_state.py, web/second_factor.py).
"""

from __future__ import annotations

import math
import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer

from archive import accounts

from . import login_state
from .context import get_store
from .forms import LoginForm

bp = Blueprint("auth", __name__, url_prefix="/clerk")

DEVICE_COOKIE = "yeollam_device"
DEVICE_DAYS = 90


def safe_next(target: str | None) -> str:
    # Only our own clerk pages: a crafted ?next= must not send a clerk to another site.
    if (target and target.startswith("/clerk") and not target.startswith("//") and "\\" not in target
            and target.isprintable()):
        return target
    return url_for("clerk.dashboard")


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="yeollam-trusted-device")


def trusted_device(name: str) -> str | None:
    """The token of this browser's trusted-device cookie, when it was issued at a login to `name`."""
    value = request.cookies.get(DEVICE_COOKIE)
    if not value:
        return None
    try:
        data = _devices().loads(value, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return None
    if isinstance(data, dict) and data.get("name") == name and isinstance(data.get("device"), str):
        return data["device"]
    return None


def remember_device(response, name: str, device: str | None) -> None:
    value = _devices().dumps({"name": name, "device": device or secrets.token_urlsafe(16)})
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_DAYS * 86400, path="/clerk", httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("clerk.dashboard"))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        name = form.name.data
        device = trusted_device(name)
        # the login is noted once complete (after the second factor, where there is one)
        result = accounts.attempt_login(get_store(), name, form.password.data, request.remote_addr or "?",
                                        device=device, note=False)
        if result.user:
            return login_state.after_password(result.user, device, request.args.get("next"))
        if result.wait:
            minutes = math.ceil(result.wait / 60)
            flash(_("로그인 시도가 너무 많습니다. %(minutes)s분 뒤 다시 시도하십시오.", minutes=minutes), "error")
            status, headers = 429, {"Retry-After": str(math.ceil(result.wait))}
        else:
            flash(_("아이디나 비밀번호가 맞지 않습니다."), "error")
            status = 401
    return render_template("clerk/login.html", form=form), status, headers


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        # Ends the session on the server: a copy of this session cookie stops working too
        # (as do the account's other sessions).
        accounts.end_sessions(get_store(), current_user.name)
    login_state.end()
    flash(_("로그아웃했습니다."), "info")
    return redirect(url_for("public.home"))


@bp.get("/accounts")
@login_required
def account_list():
    """Admins only: every account, its role, agencies (issue 19) and last login; recent refusals."""
    from .admin_accounts import accounts_page

    if current_user.role is not accounts.Role.ADMIN:
        abort(403)
    return accounts_page()
