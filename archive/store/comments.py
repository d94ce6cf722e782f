"""Readers' comments, their moderation log and the per-address counts: their SQL (rules: archive/comments.py)."""

from __future__ import annotations

from ..comments import Comment, CommentAction, CommentState

SCHEMA = """
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- no foreign key: a re-send deletes and inserts the record's row, and its comments stay
    record_id TEXT NOT NULL,
    at TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL,  -- for clerks only: no public query selects it
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'removed')),
    decided_at TEXT,
    decided_by TEXT
);
CREATE INDEX IF NOT EXISTS comments_record ON comments (record_id, state, id);
CREATE INDEX IF NOT EXISTS comments_state ON comments (state, id);
-- Each clerk's approval or removal, append-only as the disclosure audit is.
CREATE TABLE IF NOT EXISTS comment_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    comment_id INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    clerk TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER IF NOT EXISTS comment_log_no_update BEFORE UPDATE ON comment_log
BEGIN SELECT RAISE(ABORT, 'the comment log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS comment_log_no_delete BEFORE DELETE ON comment_log
BEGIN SELECT RAISE(ABORT, 'the comment log is append-only'); END;
-- Comments taken per address (address_key), for the limits; forgotten after a day.
CREATE TABLE IF NOT EXISTS comment_attempts (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    address TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS comment_attempts_address ON comment_attempts (address, at);
-- Not comments: the statistics' covering index (archive/store/statistics.py), in the same slot. A
-- count reads these columns of every record, and a record row is long (summary, approval chain).
CREATE INDEX IF NOT EXISTS records_statistics ON records (id, withheld_grounds, agency, produced, kind, ingested_at);
"""

_SELECT = ("SELECT c.*, r.agency, r.title FROM comments c LEFT JOIN records r ON r.id = c.record_id")


def _comment(row) -> Comment:
    return Comment(row["id"], row["record_id"], row["at"], row["display_name"], row["email"], row["body"],
                   CommentState(row["state"]), row["agency"], row["title"], row["decided_at"], row["decided_by"])


class CommentsMixin:
    def insert_comment(self, record_id: str, at: str, name: str, email: str, body: str) -> int:
        with self.transaction():
            return self.db.execute("INSERT INTO comments (record_id, at, display_name, email, body) "
                                   "VALUES (?, ?, ?, ?, ?)", (record_id, at, name, email, body)).lastrowid

    def comment(self, comment_id: int) -> Comment | None:
        row = self._one(f"{_SELECT} WHERE c.id = ?", (comment_id,))
        return _comment(row) if row else None

    def comments_of(self, record_id: str, state: CommentState) -> list[Comment]:
        rows = self._all(f"{_SELECT} WHERE c.record_id = ? AND c.state = ? ORDER BY c.id", (record_id, state.value))
        return [_comment(r) for r in rows]

    def comments_for_clerks(self, state: CommentState, agencies: list[str] | None, limit: int) -> list[Comment]:
        """Comments in a state, newest first; given `agencies`, on records of those agencies only."""
        where, args = "c.state = ?", [state.value]
        if agencies is not None:  # TRIM: archive.accounts.may_act_for compares the agency stripped
            where += f" AND TRIM(r.agency) IN ({','.join('?' * len(agencies))})" if agencies else " AND 1 = 0"
            args += agencies
        rows = self._all(f"{_SELECT} WHERE {where} ORDER BY c.id DESC LIMIT ?", (*args, limit))
        return [_comment(r) for r in rows]

    def pending_comment_count(self) -> int:
        return self._one("SELECT count(*) FROM comments WHERE state = 'pending'")[0]

    def set_comment_state(self, comment_id: int, allowed_from: tuple[CommentState, ...], to: CommentState,
                          clerk: str, at: str, action: CommentAction, reason: str) -> bool:
        """Move a comment from one of `allowed_from` to `to` and log it, in one transaction; False when
        it was in no such state (decided meanwhile by another clerk)."""
        marks = ",".join("?" * len(allowed_from))
        with self.transaction():
            row = self._one(f"SELECT state, record_id FROM comments WHERE id = ? AND state IN ({marks})",
                            (comment_id, *[s.value for s in allowed_from]))
            if row is None:
                return False
            self.db.execute("UPDATE comments SET state = ?, decided_at = ?, decided_by = ? WHERE id = ?",
                            (to.value, at, clerk, comment_id))
            self.db.execute("INSERT INTO comment_log (at, comment_id, record_id, clerk, action, from_state, reason) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (at, comment_id, row[1], clerk, action.value, row[0], reason))
            return True

    def comment_log(self, limit: int = 50, agencies: list[str] | None = None) -> list[dict]:
        where, args = "", []
        if agencies is not None:
            where = f"WHERE TRIM(r.agency) IN ({','.join('?' * len(agencies))})" if agencies else "WHERE 1 = 0"
            args = agencies
        rows = self._all(f"SELECT l.* FROM comment_log l LEFT JOIN records r ON r.id = l.record_id {where} "
                         "ORDER BY l.id DESC LIMIT ?", (*args, limit))
        return [dict(r) for r in rows]

    # -- per-address limits: call inside one transaction() so that deciding and counting are one step

    def comment_attempts(self, address: str, since: float, allowed: int) -> tuple[int, float]:
        """How many comments this address left since `since`, and when the `allowed`-th newest was."""
        count = self._one("SELECT count(*) FROM comment_attempts WHERE address = ? AND at > ?", (address, since))[0]
        row = self._one("SELECT at FROM comment_attempts WHERE address = ? AND at > ? ORDER BY at DESC "
                        "LIMIT 1 OFFSET ?", (address, since, max(allowed - 1, 0)))
        return count, row[0] if row else 0.0

    def record_comment_attempt(self, at: float, address: str) -> None:
        self._run("INSERT INTO comment_attempts (at, address) VALUES (?, ?)", (at, address))

    def forget_comment_attempts(self, before: float) -> None:
        self._run("DELETE FROM comment_attempts WHERE at <= ?", (before,))
