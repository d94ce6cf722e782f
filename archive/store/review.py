"""Four eyes, timed withholds, withdrawn records and the clerks' other audited acts: their SQL (migration 13)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..review import ChangeKind, ChangeState, Event, EventAction, Pending
from .connection import now_iso


@dataclass(frozen=True)
class Withdrawal:
    record_id: str
    at: str
    clerk: str
    reason: str


@dataclass(frozen=True)
class TimedHold:
    sha256: str
    record_id: str
    until: str
    clerk: str
    confirmed: bool


@dataclass(frozen=True)
class OrphanHold:
    """A clerk's withhold of bytes the record it was made in no longer holds (a later version dropped
    the file): the bytes stay withheld in every record that holds them, and the record stays watched."""

    sha256: str
    record_id: str
    title: str
    grounds: list[int]
    elsewhere: list[str]  # the records that hold the bytes now


def _pending(row) -> Pending:
    return Pending(row["id"], ChangeKind(row["kind"]), row["record_id"], row["attachment_n"], row["sha256"],
                   row["clerk"], row["requested_at"], row["reason"], json.loads(row["payload"]),
                   ChangeState(row["state"]), row["decided_by"], row["decided_at"], row["decision_reason"])


class ReviewMixin:
    # -- withdrawn records ----------------------------------------------------------------

    def withdrawal(self, record_id: str) -> Withdrawal | None:
        row = self._one("SELECT * FROM withdrawn WHERE record_id = ?", (record_id,))
        return Withdrawal(row["record_id"], row["at"], row["clerk"], row["reason"]) if row else None

    def withdrawn_ids(self, record_ids: list[str] | None = None) -> set[str]:
        rows = self._all("SELECT record_id FROM withdrawn")
        found = {r[0] for r in rows}
        return found if record_ids is None else found & set(record_ids)

    def set_withdrawn(self, record_id: str, clerk: str, reason: str) -> None:
        """Inside the change's transaction: the record leaves every public query at once."""
        with self.transaction():
            self.db.execute("INSERT INTO withdrawn (record_id, at, clerk, reason) VALUES (?, ?, ?, ?) "
                            "ON CONFLICT (record_id) DO NOTHING", (record_id, now_iso(), clerk, reason))
            self._publicly_changed([record_id], set())  # harvesters see the deletion
            self._public_changed()

    def clear_withdrawn(self, record_id: str) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM withdrawn WHERE record_id = ?", (record_id,))
            self._publicly_changed([record_id], set())
            self._public_changed()

    def public_hashes(self, among: set[str] | None = None) -> set[str]:
        """The files some record the public may see holds (a withdrawn record's alone are not);
        `among`: only which of these (an ingest's sweep of a few cached renditions, not 100,000 rows)."""
        sql = "SELECT DISTINCT a.sha256 FROM attachments a JOIN public_records r ON r.id = a.record_id"
        if among is None:
            return {r[0] for r in self._all(sql)}
        found, wanted = set(), sorted(among)
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            found.update(r[0] for r in self._all(f"{sql} WHERE a.sha256 IN ({','.join('?' * len(chunk))})",
                                                 tuple(chunk)))
        return found

    def records_of_ingest(self, ingest_id: int) -> list[str] | None:
        """The records an ingest run added or replaced; None when there was no such run."""
        if self._one("SELECT 1 FROM ingests WHERE id = ?", (ingest_id,)) is None:
            return None
        return [r[0] for r in self._all("SELECT record_id FROM ingest_records WHERE ingest_id = ? "
                                        "ORDER BY record_id", (ingest_id,))]

    # -- pending changes ------------------------------------------------------------------

    def add_pending(self, kind: ChangeKind, record_id: str, n: int | None, sha256: str | None, clerk: str,
                    reason: str, payload: dict) -> int:
        with self.transaction():
            cur = self.db.execute(
                "INSERT INTO pending_changes (kind, record_id, attachment_n, sha256, clerk, requested_at, reason, "
                "payload) VALUES (?,?,?,?,?,?,?,?)",
                (kind.value, record_id, n, sha256, clerk, now_iso(), reason, json.dumps(payload, ensure_ascii=False)))
        return cur.lastrowid

    def pending_change(self, change_id: int) -> Pending | None:
        row = self._one("SELECT * FROM pending_changes WHERE id = ?", (change_id,))
        return _pending(row) if row else None

    def pending_changes(self, limit: int = 200, agencies: list[str] | None = None) -> list[Pending]:
        """Changes waiting for a second clerk, oldest first (of records of `agencies`, given)."""
        where, args = "", ()
        if agencies is not None:
            marks = ",".join("?" * len(agencies)) or "NULL"
            where, args = (f" AND record_id IN (SELECT id FROM records WHERE TRIM(agency) IN ({marks}))",
                           tuple(agencies))
        rows = self._all(f"SELECT * FROM pending_changes WHERE state = 'pending'{where} ORDER BY id LIMIT ?",
                         (*args, limit))
        return [_pending(r) for r in rows]

    def decide_pending(self, change_id: int, state: ChangeState, clerk: str, reason: str) -> bool:
        """Mark a pending change decided; False when another clerk decided it first."""
        with self.transaction():
            cur = self.db.execute("UPDATE pending_changes SET state = ?, decided_by = ?, decided_at = ?, "
                                  "decision_reason = ? WHERE id = ? AND state = 'pending'",
                                  (state.value, clerk, now_iso(), reason, change_id))
        return cur.rowcount == 1

    def reopen_pending(self, change_id: int) -> None:
        """An approval whose change was refused: it waits again."""
        self._run("UPDATE pending_changes SET state = 'pending', decided_by = NULL, decided_at = NULL "
                  "WHERE id = ?", (change_id,))

    def refresh_public(self, record_ids: list[str], hashes: set[str]) -> None:
        """Inside a change's transaction: what the public sees of these records changed."""
        with self.transaction():
            self._publicly_changed(record_ids, hashes)
            self._public_changed()

    # -- withholds that end on a date -----------------------------------------------------

    def set_until(self, sha256: str, record_id: str, until: str | None, clerk: str, confirmed: bool = False) -> None:
        if until is None:
            self._run("DELETE FROM withhold_until WHERE sha256 = ? AND record_id = ?", (sha256, record_id))
            return
        self._run("INSERT INTO withhold_until (sha256, record_id, until, clerk, confirmed) VALUES (?,?,?,?,?) "
                  "ON CONFLICT (sha256, record_id) DO UPDATE SET until = excluded.until, clerk = excluded.clerk, "
                  "confirmed = excluded.confirmed", (sha256, record_id, until, clerk, int(confirmed)))

    def until_of(self, record_id: str) -> dict[str, str]:
        """{sha256: date} of this record's withholds that end on a date."""
        return {r[0]: r[1] for r in self._all("SELECT sha256, until FROM withhold_until WHERE record_id = ?",
                                              (record_id,))}

    def due_holds(self, today: str) -> list[TimedHold]:
        rows = self._all("SELECT * FROM withhold_until WHERE until <= ? ORDER BY until, record_id, sha256", (today,))
        return [TimedHold(r["sha256"], r["record_id"], r["until"], r["clerk"], bool(r["confirmed"])) for r in rows]

    # -- orphaned holds -------------------------------------------------------------------

    def orphan_holds(self, agencies: list[str] | None = None) -> list[OrphanHold]:
        rows = self._all(
            "SELECT c.sha256, c.record_id, c.grounds, r.title, r.agency FROM clerk_withheld c "
            "JOIN records r ON r.id = c.record_id WHERE NOT EXISTS (SELECT 1 FROM attachments a "
            "WHERE a.record_id = c.record_id AND a.sha256 = c.sha256) ORDER BY c.record_id, c.sha256")
        found = []
        for r in rows:
            if agencies is not None and (r["agency"] or "").strip() not in agencies:
                continue
            found.append(OrphanHold(r["sha256"], r["record_id"], r["title"], json.loads(r["grounds"]),
                                    sorted(self.records_with({r["sha256"]}))))
        return found

    # -- the clerks' other audited acts ----------------------------------------------------

    def append_event(self, *, clerk: str, action: EventAction, record_id: str | None, reason: str,
                     n: int | None = None, from_level: str | None = None, to_level: str | None = None,
                     grounds: list[int] = (), change_id: int | None = None) -> None:
        self._run("INSERT INTO clerk_events (at, clerk, action, record_id, attachment_n, from_level, to_level, "
                  "grounds, reason, change_id, audit_seq) VALUES (?,?,?,?,?,?,?,?,?,?, "
                  "(SELECT coalesce(max(id), 0) FROM audit))",
                  (now_iso(), clerk, action.value, record_id, n, from_level, to_level,
                   json.dumps(sorted(grounds)), reason, change_id))

    def audit_rows(self, *, record_id: str | None = None, clerk: str | None = None, since: str | None = None,
                   limit: int = 100000) -> list[Event]:
        """The whole audit log (level changes and the other acts), oldest first, within the filters."""
        cond = " WHERE (? IS NULL OR record_id = ?) AND (? IS NULL OR clerk = ?) AND (? IS NULL OR at >= ?)"
        args = (record_id, record_id, clerk, clerk, since, since)
        rows = self._all(
            "SELECT at, clerk, record_id, attachment_n, old_level AS from_level, new_level AS to_level, grounds, "
            "reason, CASE WHEN new_level = 'public' THEN 'release' ELSE 'withhold' END AS action, id AS seq, 0 AS src, "
            f"id FROM audit{cond} UNION ALL SELECT at, clerk, record_id, attachment_n, from_level, to_level, grounds, "
            f"reason, action, audit_seq AS seq, 1 AS src, id FROM clerk_events{cond} ORDER BY seq, src, id LIMIT ?",
            (*args, *args, limit))
        return [Event(r["at"], r["clerk"], r["record_id"], r["attachment_n"], r["action"], r["from_level"],
                      r["to_level"], json.loads(r["grounds"]), r["reason"]) for r in rows]
