"""Numbered schema migrations of the embedded store, applied once each (PRAGMA user_version).

A store made by an earlier release is brought up to date on first open; a store of a newer
release than this code is refused rather than written with a schema it does not know.
"""

from __future__ import annotations

import sqlite3

from .review_schema import REVIEW

# Version 1 is the first round's schema, written so that it also adopts a store that round made
# (which ran this DDL on every connection and has user_version 0).
V1 = """
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    digest TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT,
    agency TEXT NOT NULL,
    department TEXT,
    doc_number TEXT,
    policy_number TEXT,
    produced TEXT NOT NULL,
    approved TEXT,
    retention TEXT,
    author TEXT,
    approval_chain TEXT NOT NULL DEFAULT '[]',
    classification TEXT NOT NULL DEFAULT '[]',
    classification_path TEXT NOT NULL DEFAULT '',
    licences TEXT NOT NULL,
    summary TEXT,
    withheld_grounds TEXT,
    ingested_at TEXT NOT NULL,
    -- The version the search index holds; behind `version` means the index must catch up
    -- (a crash between the store's commit and the index's leaves exactly that trace).
    indexed_version INTEGER
);
CREATE INDEX IF NOT EXISTS records_produced ON records (produced DESC, id);
CREATE INDEX IF NOT EXISTS records_agency ON records (agency);
CREATE INDEX IF NOT EXISTS records_classification ON records (classification_path);
CREATE TABLE IF NOT EXISTS attachments (
    record_id TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    name TEXT NOT NULL,
    title TEXT,
    note TEXT,
    disclosure TEXT NOT NULL CHECK (disclosure IN ('public', 'withheld')),
    grounds TEXT NOT NULL DEFAULT '[]',
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    PRIMARY KEY (record_id, n)
);
CREATE INDEX IF NOT EXISTS attachments_sha256 ON attachments (sha256);
-- Extracted text, keyed by content: the same file in two records is read once.
CREATE TABLE IF NOT EXISTS extractions (
    sha256 TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    reason TEXT,
    pages INTEGER,
    text TEXT NOT NULL DEFAULT '',
    extractor TEXT NOT NULL
);
-- Files a clerk withheld, by content and by the record it was withheld in: the bytes stay
-- withheld in every record that holds them, whatever a later batch calls them, until a clerk
-- releases them in that same record (a release elsewhere does not undo this decision).
CREATE TABLE IF NOT EXISTS clerk_withheld (
    sha256 TEXT NOT NULL,
    record_id TEXT NOT NULL,
    grounds TEXT NOT NULL,
    PRIMARY KEY (sha256, record_id)
);
CREATE TABLE IF NOT EXISTS ingests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    source TEXT NOT NULL,
    counts TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    clerk TEXT NOT NULL,
    record_id TEXT NOT NULL,
    attachment_n INTEGER NOT NULL,
    attachment_name TEXT NOT NULL,
    old_level TEXT NOT NULL,
    new_level TEXT NOT NULL,
    grounds TEXT NOT NULL DEFAULT '[]',
    reason TEXT NOT NULL,
    personal_data_confirmed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS audit_record ON audit (record_id, id);
-- No code path updates or deletes an entry; these triggers make sure none ever can.
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


def _v1(db: sqlite3.Connection) -> None:
    for statement in _statements(V1):
        db.execute(statement)


def _v2(db: sqlite3.Connection) -> None:
    """Personal data found in extracted text, masked: [[kind, masked]] (added late in round one)."""
    if "pii" not in _columns(db, "extractions"):
        db.execute("ALTER TABLE extractions ADD COLUMN pii TEXT NOT NULL DEFAULT '[]'")


def _v3(db: sqlite3.Connection) -> None:
    """A re-send held for review (archive.records.Hold), and the personal data a clerk cleared."""
    if "hold" not in _columns(db, "attachments"):
        db.execute("ALTER TABLE attachments ADD COLUMN hold TEXT")
    db.execute("CREATE TABLE IF NOT EXISTS cleared_personal_data (sha256 TEXT NOT NULL, "
               "record_id TEXT NOT NULL, PRIMARY KEY (sha256, record_id))")


ACCOUNTS = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('clerk', 'admin')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- part of every session made for the account; raised by logout, a new password or
    -- disabling the account, which ends every session made before
    session_gen INTEGER NOT NULL DEFAULT 0,
    last_login_at TEXT,
    disabled_at TEXT
);
-- Checked login attempts, failed or not yet proven good, across all workers (see above).
CREATE TABLE IF NOT EXISTS login_attempts (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    account TEXT NOT NULL,  -- the name asked for, whether or not it exists
    address TEXT NOT NULL,  -- address_key() of the client
    device TEXT             -- the trusted-device token presented for this account, if any
);
CREATE INDEX IF NOT EXISTS login_attempts_pair ON login_attempts (account, address, at);
CREATE INDEX IF NOT EXISTS login_attempts_address ON login_attempts (address, at);
CREATE INDEX IF NOT EXISTS login_attempts_at ON login_attempts (at);
"""


def _v4(db: sqlite3.Connection) -> None:
    """Accounts and login attempts (adopting the users table of a store round one made)."""
    for statement in _statements(ACCOUNTS):
        db.execute(statement)


_ADDED_COLUMNS = [("session_gen", "INTEGER NOT NULL DEFAULT 0"), ("last_login_at", "TEXT"), ("disabled_at", "TEXT")]


def _outdated(db: sqlite3.Connection) -> tuple[list[tuple[str, str]], bool]:
    """The users columns an older store lacks, and whether it still has the old failures table."""
    columns = {r[1] for r in db.execute("PRAGMA table_info(users)")}
    old = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'login_failures'").fetchone()
    return [(c, kind) for c, kind in _ADDED_COLUMNS if c not in columns], old is not None


def _accounts_up_to_date(db: sqlite3.Connection) -> None:
    """Bring the accounts tables of a store made by an earlier release up to this SCHEMA.

    Idempotent; run it in the store's migration step (archive/store/migrations.py), whose
    transaction holds the write lock, after SCHEMA has been applied.
    """
    missing, old_table = _outdated(db)
    for column, kind in missing:
        db.execute(f"ALTER TABLE users ADD COLUMN {column} {kind}")
    if old_table:
        db.execute("DROP TABLE login_failures")  # the first release's raceable counts


def _v5(db: sqlite3.Connection) -> None:
    """Accounts: sessions that can be ended, last login, disabled accounts; no raceable failure counts."""
    _accounts_up_to_date(db)


def _v6(db: sqlite3.Connection) -> None:
    """A counter raised in the same transaction as every change to what the public may see.

    Search results are cached by it (with the index's generation): a withhold writes the index
    first and commits the store after, so the index's generation alone could file results read
    from the store before its commit under the state after it.
    """
    db.execute("CREATE TABLE IF NOT EXISTS public_state (id INTEGER PRIMARY KEY CHECK (id = 1), "
               "generation INTEGER NOT NULL)")
    db.execute("INSERT INTO public_state (id, generation) VALUES (1, 0) ON CONFLICT DO NOTHING")


def _v7(db: sqlite3.Connection) -> None:
    """Which search engine the records' indexed_version marks refer to (a switch rebuilds)."""
    db.execute("CREATE TABLE IF NOT EXISTS index_state (id INTEGER PRIMARY KEY CHECK (id = 1), engine TEXT)")
    db.execute("INSERT INTO index_state (id, engine) VALUES (1, NULL) ON CONFLICT DO NOTHING")


def _v8(db: sqlite3.Connection) -> None:
    """Records whose re-sends are held for review, for good: once a clerk withheld any of their
    content (here or as a copy elsewhere), a file was held, or personal data was found, a later
    version cannot make the record forget it by leaving a file out for one re-send."""
    db.execute("CREATE TABLE IF NOT EXISTS resend_watch (record_id TEXT PRIMARY KEY, grounds TEXT NOT NULL)")


JOBS = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER,
    rejected INTEGER NOT NULL DEFAULT 0,
    report TEXT,
    message TEXT,
    who TEXT NOT NULL,
    source TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- the worker running it (host:pid) and when it last said so: a dead owner's job is resumed
    owner TEXT,
    heartbeat_at TEXT
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, id);
"""


def _v9(db: sqlite3.Connection) -> None:
    """Background jobs (issue 18): the queue library only queues ids; what a job is and how far it got is here."""
    for statement in _statements(JOBS):
        db.execute(statement)


def _v10(db: sqlite3.Connection) -> None:
    """When each record's public view last changed (OAI-PMH datestamps, issue 12).

    Set by the store's writes that change what the public sees of a record (save, set_disclosure);
    a store made before starts from the record's ingest or the last audited change to it.
    """
    if "public_changed_at" not in _columns(db, "records"):
        db.execute("ALTER TABLE records ADD COLUMN public_changed_at TEXT")
    db.execute("UPDATE records SET public_changed_at = max(ingested_at, coalesce((SELECT max(at) FROM audit "
               "WHERE audit.record_id = records.id), '')) WHERE public_changed_at IS NULL")
    db.execute("CREATE INDEX IF NOT EXISTS records_public_changed ON records (public_changed_at, id)")


def _v11(db: sqlite3.Connection) -> None:
    """Clerks act for their own agencies only (issue 19): each clerk's agencies (none: all, as
    before), and the refusals of actions outside them, audited apart from the disclosure log."""
    db.execute("CREATE TABLE IF NOT EXISTS user_agencies (name TEXT NOT NULL REFERENCES users (name), "
               "agency TEXT NOT NULL, PRIMARY KEY (name, agency))")
    db.execute("CREATE TABLE IF NOT EXISTS refusals (id INTEGER PRIMARY KEY, at TEXT NOT NULL, clerk TEXT NOT NULL, "
               "action TEXT NOT NULL, record_id TEXT, agency TEXT, reason TEXT NOT NULL)")
    db.execute("CREATE TRIGGER IF NOT EXISTS refusals_no_update BEFORE UPDATE ON refusals "
               "BEGIN SELECT RAISE(ABORT, 'the refusal log is append-only'); END")
    db.execute("CREATE TRIGGER IF NOT EXISTS refusals_no_delete BEFORE DELETE ON refusals "
               "BEGIN SELECT RAISE(ABORT, 'the refusal log is append-only'); END")


def _v12(db: sqlite3.Connection) -> None:
    """Readers' comments (issue 13): comments awaiting or past a clerk's decision, the append-only
    moderation log, and the per-address counts of the limits (archive/store/comments.py); and the
    covering index the statistics count from (issue 13 too)."""
    from .comments import SCHEMA

    for statement in _statements(SCHEMA):
        db.execute(statement)


def _v13(db: sqlite3.Connection) -> None:
    """Pending changes (four eyes), withholds that end on a date, withdrawn records, the clerks'
    other audited actions, and the records of each ingest run (issue 14)."""
    if "withdrawn_at" not in _columns(db, "records"):
        db.execute("ALTER TABLE records ADD COLUMN withdrawn_at TEXT")
    for statement in _statements(REVIEW):
        db.execute(statement)


def _v14(db: sqlite3.Connection) -> None:
    """Accounts an admin runs (issue 14): TOTP factors, sessions that end when idle, the account
    audit log; login attempts say which proof they were for (archive/store/account_schema.py)."""
    from .account_schema import migrate_v14

    migrate_v14(db)


def _v15(db: sqlite3.Connection) -> None:
    """OCR of scans (issue 16): where a text came from, and how far the reading of a scan got.

    `source` is 'file' (read from the file's own text) or 'ocr'; `ocr_tries` counts the attempts at
    the page being read, raised (committed) before each, so that a page that kills the reader (or
    the machine) fails its file after a few runs instead of killing every run; `ocr_pages` keeps
    the pages read so far, so that a run killed mid-file goes on from the page it was reading.
    """
    if "source" not in _columns(db, "extractions"):
        db.execute("ALTER TABLE extractions ADD COLUMN source TEXT NOT NULL DEFAULT 'file'")
    if "ocr_tries" not in _columns(db, "extractions"):
        db.execute("ALTER TABLE extractions ADD COLUMN ocr_tries INTEGER NOT NULL DEFAULT 0")
    db.execute("CREATE TABLE IF NOT EXISTS ocr_pages (sha256 TEXT NOT NULL, page INTEGER NOT NULL, "
               "text TEXT NOT NULL, PRIMARY KEY (sha256, page))")
    db.execute("CREATE INDEX IF NOT EXISTS extractions_pending ON extractions (status) WHERE status = 'pending'")


def _v16(db: sqlite3.Connection) -> None:
    """The index feed (issue 15): every node's index follows the store by it (archive/store/feed.py)."""
    from .feed import migrate_sqlite

    migrate_sqlite(db)


MIGRATIONS = [_v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8, _v9, _v10, _v11, _v12, _v13, _v14, _v15, _v16]


def _statements(script: str) -> list[str]:
    """Split a DDL script into statements (triggers keep their BEGIN ... END; body whole)."""
    out, current = [], []
    for line in script.splitlines():
        if line.strip().startswith("--") or not line.strip():
            continue
        current.append(line)
        joined = "\n".join(current)
        if joined.rstrip().endswith(";") and (not joined.lstrip().startswith("CREATE TRIGGER")
                                              or joined.rstrip().endswith("END;")):
            out.append(joined)
            current = []
    return out


class StoreTooNew(RuntimeError):
    """The store was written by a newer release of the portal."""


def migrate(db: sqlite3.Connection, extra: list | None = None) -> int:
    """Apply the migrations this store lacks, each in its own transaction; return the version.

    BEGIN IMMEDIATE takes the write lock first, so two processes opening a new store at once
    do not both migrate it: the second sees the version the first wrote.
    """
    steps = MIGRATIONS + list(extra or [])
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(steps):
        raise StoreTooNew(f"the store has schema version {version}; this release knows {len(steps)}")
    while version < len(steps):
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version < len(steps):
                steps[version](db)
                version += 1
                db.execute(f"PRAGMA user_version = {version}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return version
