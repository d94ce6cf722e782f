"""Where a login stands: half done (password proved, second factor to come), done, or ended by idleness.

- After the password, an account with a confirmed TOTP factor, or any account while
  `ARCHIVE_REQUIRE_2FA=1`, is *not* logged in: the signed session only notes that this browser
  proved the password for that account (and its session generation) a moment ago (PENDING_SECONDS).
  Every clerk page still needs a login, so such an account can do nothing but give its code or
  enrol. A new password or disabling the account in between ends the half-done login too.
- A completed login is a server-side session (archive.sessions) ended after inactivity
  (`ARCHIVE_SESSION_IDLE_MINUTES`, default 30): every request with a logged-in session checks it
  first (`check_session`), and a session idle too long is deleted on the server and logged out.
- When 2FA becomes required, a session made without a code is turned back into a half-done login.
"""

from __future__ import annotations

import os
import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from archive import accounts, sessions, totp

from .context import get_store
from .security import ClerkUser

PENDING = "pending_login"
TOKEN = "sid"
PENDING_SECONDS = 300
PASSIVE = {"clerk.job_json"}  # polled by a page's script (static/jobs.js): not a clerk's activity


def init_app(app: Flask) -> None:
    """Settings: ARCHIVE_SESSION_IDLE_MINUTES (a number > 0) and ARCHIVE_REQUIRE_2FA (1: on)."""
    app.config.setdefault("SESSION_IDLE_MINUTES",
                          os.environ.get("ARCHIVE_SESSION_IDLE_MINUTES", str(sessions.DEFAULT_IDLE_MINUTES)))
    app.config.setdefault("REQUIRE_2FA", os.environ.get("ARCHIVE_REQUIRE_2FA", "0"))
    try:
        minutes = float(str(app.config["SESSION_IDLE_MINUTES"]).strip())
    except ValueError:
        minutes = 0.0
    if not 0 < minutes < 10**6:
        raise RuntimeError("ARCHIVE_SESSION_IDLE_MINUTES must be a number of minutes above 0, "
                           f"not {app.config['SESSION_IDLE_MINUTES']!r}")
    app.config["SESSION_IDLE_MINUTES"] = minutes
    app.config["REQUIRE_2FA"] = str(app.config["REQUIRE_2FA"]).strip() in ("1", "True", "true")
    app.before_request(check_session)


def idle_seconds() -> float:
    return current_app.config["SESSION_IDLE_MINUTES"] * 60


def required() -> bool:
    return current_app.config["REQUIRE_2FA"]


def after_password(user: accounts.User, device: str | None, target: str):
    """The password proved right: the second step when the account has (or must have) a factor, else logged in."""
    state = totp.state(get_store(), user.name)
    if state is totp.State.ACTIVE or required():
        session[PENDING] = {"name": user.name, "gen": user.session_gen, "at": time.time(), "next": target}
        return redirect(url_for("second_factor.code" if state is totp.State.ACTIVE else "second_factor.enrol"))
    return complete(user, device, second_factor=False, target=target)


def pending() -> accounts.User | None:
    """The account whose password this browser proved a moment ago, while that still holds."""
    data = session.get(PENDING)
    if not isinstance(data, dict) or time.time() - float(data.get("at", 0)) > PENDING_SECONDS:
        return None
    user = get_store().account(str(data.get("name")), enabled_only=True)
    return user if user and user.session_gen == data.get("gen") else None


def complete(user: accounts.User, device: str | None, second_factor: bool, target: str | None = None):
    """Log in: a new server-side session, the login's time noted, this browser remembered."""
    from .auth import remember_device, safe_next

    store = get_store()
    target = safe_next(target or (session.get(PENDING) or {}).get("next"))
    session.pop(PENDING, None)
    login_user(ClerkUser(user))
    session[TOKEN] = sessions.begin(store, user.name, idle_seconds(), second_factor)
    accounts.note_login(store, user.name)
    response = redirect(target)
    remember_device(response, user.name, device)
    return response


def end() -> None:
    """Log this browser out (the caller ends the account's other sessions where it should)."""
    sessions.end(get_store(), session.pop(TOKEN, None))
    session.pop(PENDING, None)
    logout_user()


def check_session():
    """Before every request: a logged-in session that went idle, or that 2FA now makes half done, ends."""
    user_id = session.get("_user_id")
    if not user_id or request.endpoint == "static":
        return None
    name = str(user_id).rpartition(":")[0]
    store = get_store()
    token = session.get(TOKEN)
    row = sessions.touch(store, token, name, idle_seconds(), activity=request.endpoint not in PASSIVE)
    if row is None:
        end()
        if token:
            flash(_("한동안 쓰지 않아 로그아웃되었습니다. 다시 로그인하십시오."), "info")
        return None  # the clerk pages' login_required sends the browser to the login page
    if required() and not row.second_factor:
        user = store.account(name, enabled_only=True)
        end()
        if user:
            session[PENDING] = {"name": user.name, "gen": user.session_gen, "at": time.time(), "next": request.path}
            if request.path.startswith("/clerk"):
                active = totp.state(store, name) is totp.State.ACTIVE
                return redirect(url_for("second_factor.code" if active else "second_factor.enrol"))
    return None
