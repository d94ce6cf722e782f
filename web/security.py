"""Secrets, sessions, CSRF and logins: secure by default, nothing to switch on."""

from __future__ import annotations

import os
import secrets
import stat
from datetime import timedelta
from pathlib import Path

from flask import Flask, render_template, request
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFError, CSRFProtect

from archive import accounts

csrf = CSRFProtect()
login_manager = LoginManager()


class ClerkUser(UserMixin):
    """The logged-in account as Flask-Login wants it.

    Its id, kept in the signed session cookie, is `name:session_gen`: once logout (or a new
    password) raises the account's generation, a copy of the cookie no longer loads a user.
    """

    def __init__(self, user: accounts.User):
        self.user = user
        self.id = f"{user.name}:{user.session_gen}"

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def role(self) -> accounts.Role:
        return self.user.role


def secret_key(data_dir: Path) -> str:
    """Return the key that signs sessions, made once per store and readable by its owner only.

    There is no default key: a guessable one would let anyone forge a clerk's session.
    """
    path = Path(data_dir) / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise RuntimeError(f"{path} is readable by others (mode {mode:o}); chmod 600 it") from None
        key = path.read_text().strip()
        if len(key) < 32:
            raise RuntimeError(f"{path} holds no usable key") from None
        return key
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key


def _load_user(user_id: str):
    from .context import get_store

    name, _, gen = user_id.rpartition(":")
    if not name or not gen.isdigit():
        return None  # a session made before sessions could be ended: log in again
    user = accounts.session_user(get_store(), name, int(gen))
    return ClerkUser(user) if user else None


def _csrf_refused(exc: CSRFError):
    from flask_babel import gettext

    message = gettext("보안 토큰이 없거나 만료되었습니다. 화면을 새로 열어 다시 시도하십시오.")
    page = {"code": 400, "message": message, "message_ko": message, "message_en": f"Bad Request: {exc.description}"}
    return render_template("error.html", page=page), 400


def _cache_policy(response):
    # Clerks' pages show withheld content: never stored by a browser or proxy. Public pages
    # are revalidated on every use, so a change of disclosure is never served from a cache.
    if request.path.startswith("/clerk"):
        response.headers["Cache-Control"] = "no-store, private"
    else:
        response.headers.setdefault("Cache-Control", "no-cache")
    return response


MIN_SECRET_KEY = 32  # characters; a shorter key can be guessed offline from one signed cookie


def _checked_secret_key(app: Flask) -> str:
    """The key from the settings, `ARCHIVE_SECRET_KEY` or the store's key file; a short one stops the start."""
    if app.config.get("SECRET_KEY"):
        key, source = app.config["SECRET_KEY"], "SECRET_KEY"
    elif os.environ.get("ARCHIVE_SECRET_KEY"):
        key, source = os.environ["ARCHIVE_SECRET_KEY"], "ARCHIVE_SECRET_KEY"
    else:
        return secret_key(app.config["DATA_DIR"])
    if len(key) < MIN_SECRET_KEY:
        raise RuntimeError(
            f"{source} is {len(key)} characters long; it must be at least {MIN_SECRET_KEY} characters "
            "(make one with: python3 -c 'import secrets; print(secrets.token_hex(32))')")
    return key


def init_app(app: Flask) -> None:
    app.config["SECRET_KEY"] = _checked_secret_key(app)
    https = os.environ.get("ARCHIVE_HTTPS") == "1" or app.config.get("HTTPS", False)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=https,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        WTF_CSRF_TIME_LIMIT=8 * 3600,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "로그인이 필요합니다. Please log in."
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.after_request(_cache_policy)
