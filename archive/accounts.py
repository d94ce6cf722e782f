"""Clerk and admin accounts: hashed passwords, roles as an enum, throttled logins."""

from __future__ import annotations

import enum
import functools
import re
import secrets
import sqlite3
import time
from dataclasses import dataclass

from werkzeug.security import check_password_hash, generate_password_hash

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('clerk', 'admin')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- Failed logins, per account and per address, for throttling across all workers.
CREATE TABLE IF NOT EXISTS login_failures (
    key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures (key, at);
"""

NAME_RE = re.compile(r"^[A-Za-z0-9가-힣._-]{2,64}$")
MIN_PASSWORD = 10
WINDOW = 15 * 60  # seconds over which failures count
MAX_PER_ACCOUNT = 5  # guessing one clerk's password
MAX_PER_ADDRESS = 20  # one address trying many accounts


class Role(enum.Enum):
    CLERK = "clerk"
    ADMIN = "admin"


class AccountError(ValueError):
    """A refused account operation, with a message for the person who asked."""


@dataclass(frozen=True)
class User:
    name: str
    role: Role


def create_user(db: sqlite3.Connection, name: str, role: Role, password: str) -> User:
    if not NAME_RE.match(name):
        raise AccountError(f"invalid name {name!r}: 2-64 letters, digits, '.', '_' or '-'")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password too short: at least {MIN_PASSWORD} characters")
    try:
        with db:
            db.execute(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, datetime('now'))",
                (name, role.value, generate_password_hash(password)),
            )
    except sqlite3.IntegrityError as exc:
        raise AccountError(f"user {name!r} exists already") from exc
    return User(name, role)


def get_user(db: sqlite3.Connection, name: str) -> User | None:
    row = db.execute("SELECT name, role FROM users WHERE name = ?", (name,)).fetchone()
    return User(row[0], Role(row[1])) if row else None


@functools.cache
def _dummy_hash() -> str:
    """A hash made like every real one, checked for names that have no account.

    Without it a wrong name answered in a few milliseconds and a known one after a full hash
    check (130-160 ms): the time alone told which clerk names exist.
    """
    return generate_password_hash(secrets.token_urlsafe(16))


def throttled(db: sqlite3.Connection, name: str, address: str, now: float | None = None) -> bool:
    """Return whether logins for this account or from this address are paused."""
    since = (now or time.time()) - WINDOW
    count = lambda key: db.execute(  # noqa: E731
        "SELECT count(*) FROM login_failures WHERE key = ? AND at > ?", (key, since)
    ).fetchone()[0]
    return count(f"user:{name}") >= MAX_PER_ACCOUNT or count(f"addr:{address}") >= MAX_PER_ADDRESS


def authenticate(db: sqlite3.Connection, name: str, password: str, address: str) -> User | None:
    """Return the user when the password is right and logins are not throttled."""
    if throttled(db, name, address):
        return None
    row = db.execute("SELECT name, role, password_hash FROM users WHERE name = ?", (name,)).fetchone()
    # One hash check whether or not the account exists: the same work, so the same time.
    good = check_password_hash(row[2] if row else _dummy_hash(), password)
    if row and good:
        with db:
            db.execute("DELETE FROM login_failures WHERE key = ?", (f"user:{name}",))
        return User(row[0], Role(row[1]))
    now = time.time()
    with db:
        db.executemany("INSERT INTO login_failures (key, at) VALUES (?, ?)",
                       [(f"user:{name}", now), (f"addr:{address}", now)])
        db.execute("DELETE FROM login_failures WHERE at < ?", (now - WINDOW,))
    return None
