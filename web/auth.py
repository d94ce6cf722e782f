"""Log in and out: POST only for changes, throttled, never an open redirect."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from archive import accounts

from .context import get_store
from .forms import LoginForm
from .security import ClerkUser

bp = Blueprint("auth", __name__, url_prefix="/clerk")


def _safe_next(target: str | None) -> str:
    # Only our own clerk pages: a crafted ?next= must not send a clerk to another site.
    if (target and target.startswith("/clerk") and not target.startswith("//") and "\\" not in target
            and target.isprintable()):
        return target
    return url_for("clerk.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("clerk.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        db = get_store().db
        address = request.remote_addr or "?"
        if accounts.throttled(db, form.name.data, address):
            flash("로그인 시도가 너무 많습니다. 15분 뒤 다시 시도하십시오. Too many attempts; try later.", "error")
            status = 429
        else:
            user = accounts.authenticate(db, form.name.data, form.password.data, address)
            if user:
                login_user(ClerkUser(user))
                return redirect(_safe_next(request.args.get("next")))
            flash("아이디나 비밀번호가 맞지 않습니다. Wrong account or password.", "error")
            status = 401
    return render_template("clerk/login.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    flash("로그아웃했습니다. Logged out.", "info")
    return redirect(url_for("public.home"))
