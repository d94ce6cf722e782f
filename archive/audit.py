"""The audit log of disclosure changes: append-only, by construction and by trigger."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

SCHEMA = """
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


@dataclass(frozen=True)
class Entry:
    id: int
    at: str
    clerk: str
    record_id: str
    attachment_n: int
    attachment_name: str
    old_level: str
    new_level: str
    grounds: list[int]
    reason: str
    personal_data_confirmed: bool


def append(db: sqlite3.Connection, *, at: str, clerk: str, record_id: str, attachment_n: int,
           attachment_name: str, old_level: str, new_level: str, grounds: list[int], reason: str,
           personal_data_confirmed: bool = False) -> None:
    """Append one entry; the caller's transaction makes it part of the change it records."""
    db.execute(
        "INSERT INTO audit (at, clerk, record_id, attachment_n, attachment_name, old_level, new_level, "
        "grounds, reason, personal_data_confirmed) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (at, clerk, record_id, attachment_n, attachment_name, old_level, new_level,
         json.dumps(sorted(grounds)), reason, int(personal_data_confirmed)),
    )


def _entry(row) -> Entry:
    return Entry(row["id"], row["at"], row["clerk"], row["record_id"], row["attachment_n"],
                 row["attachment_name"], row["old_level"], row["new_level"], json.loads(row["grounds"]),
                 row["reason"], bool(row["personal_data_confirmed"]))


def of_record(db: sqlite3.Connection, record_id: str) -> list[Entry]:
    rows = db.execute("SELECT * FROM audit WHERE record_id = ? ORDER BY id", (record_id,))
    return [_entry(r) for r in rows]


def recent(db: sqlite3.Connection, limit: int = 20) -> list[Entry]:
    return [_entry(r) for r in db.execute("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))]


def public_history(entries: list[Entry]) -> list[dict]:
    """Return what the public may see of a record's history: no clerk names, no reasons."""
    return [
        {"date": e.at[:10], "attachment": e.attachment_name, "n": e.attachment_n,
         "from": e.old_level, "to": e.new_level, "grounds": e.grounds}
        for e in entries
    ]
