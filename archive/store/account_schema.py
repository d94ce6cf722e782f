"""Schema version 14 (issue 14, accounts an admin runs): its DDL, apart so migrations.py stays short."""

from __future__ import annotations

import sqlite3

ACCOUNT_SECURITY = """
-- One TOTP factor per account: enrolment leaves it unconfirmed (not enforced) until a first code
-- proves the authenticator has it. last_step is the newest time step a code was accepted for:
-- a code of that step or an earlier one is refused, so an overheard code cannot be replayed.
CREATE TABLE IF NOT EXISTS totp (
    name TEXT PRIMARY KEY REFERENCES users (name),
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    last_step INTEGER NOT NULL DEFAULT 0
);
-- Each logged-in browser's session, by the SHA-256 of its token: a session idle past the
-- setting is deleted here, so a copied cookie of it opens nothing either.
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at REAL NOT NULL,
    last_seen REAL NOT NULL,
    second_factor INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sessions_name ON sessions (name);
CREATE INDEX IF NOT EXISTS sessions_last_seen ON sessions (last_seen);
-- What admins did to accounts (create, disable, enable, password, role, agencies, 2FA reset).
CREATE TABLE IF NOT EXISTS account_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    account TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER IF NOT EXISTS account_audit_no_update BEFORE UPDATE ON account_audit
BEGIN SELECT RAISE(ABORT, 'the account audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS account_audit_no_delete BEFORE DELETE ON account_audit
BEGIN SELECT RAISE(ABORT, 'the account audit log is append-only'); END;
"""


def migrate_v14(db: sqlite3.Connection) -> None:
    from .migrations import _columns, _statements

    for statement in _statements(ACCOUNT_SECURITY):
        db.execute(statement)
    if "factor" not in _columns(db, "login_attempts"):
        # which proof an attempt was for: password and TOTP failures are limited apart
        db.execute("ALTER TABLE login_attempts ADD COLUMN factor TEXT NOT NULL DEFAULT 'password'")
