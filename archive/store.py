"""Metadata in SQLite, originals in the blob store: the archive's one source of truth."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from . import accounts, audit
from .blobs import BlobStore
from .disclosure import Disclosure
from .records import Attachment, Hold, Record

SCHEMA = """
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
    -- why the portal itself withholds this file until a clerk decides (archive.records.Hold)
    hold TEXT,
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
    extractor TEXT NOT NULL,
    pii TEXT NOT NULL DEFAULT '[]'  -- personal data found in the text, masked: [[kind, masked]]
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
-- Personal data a clerk has seen and released anyway (the confirmation), by content and record:
-- a re-send of a record with uncleared findings is held for review (archive.ingest).
CREATE TABLE IF NOT EXISTS cleared_personal_data (
    sha256 TEXT NOT NULL,
    record_id TEXT NOT NULL,
    PRIMARY KEY (sha256, record_id)
);
CREATE TABLE IF NOT EXISTS ingests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    source TEXT NOT NULL,
    counts TEXT NOT NULL
);
"""


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def classification_path(parts: list[str]) -> str:
    return "/".join(parts)


def _add_missing_columns(db: sqlite3.Connection) -> None:
    """Bring a store made by an earlier release up to this schema."""
    columns = {r[1] for r in db.execute("PRAGMA table_info(extractions)")}
    if "pii" not in columns:
        with db:
            db.execute("ALTER TABLE extractions ADD COLUMN pii TEXT NOT NULL DEFAULT '[]'")
    if "hold" not in {r[1] for r in db.execute("PRAGMA table_info(attachments)")}:
        with db:
            db.execute("ALTER TABLE attachments ADD COLUMN hold TEXT")


class Store:
    """The archive on disk: `archive.sqlite3` and `blobs/` under one folder."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.blobs = BlobStore(self.data_dir / "blobs")
        self.db = sqlite3.connect(self.data_dir / "archive.sqlite3", timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA + accounts.SCHEMA + audit.SCHEMA)
        _add_missing_columns(self.db)

    def close(self) -> None:
        self.db.close()

    # -- reading -------------------------------------------------------------------------

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM records").fetchone()[0]

    def digest_of(self, record_id: str) -> tuple[str, int] | None:
        row = self.db.execute(
            "SELECT digest, version FROM records WHERE id = ?", (record_id,)
        ).fetchone()
        return (row["digest"], row["version"]) if row else None

    def get(self, record_id: str) -> Record | None:
        row = self.db.execute("SELECT * FROM records WHERE id = ?", (record_id,)).fetchone()
        return self._record(row) if row else None

    def record_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM records ORDER BY id")]

    def newest(self, limit: int = 10, offset: int = 0) -> list[Record]:
        rows = self.db.execute(
            "SELECT * FROM records ORDER BY produced DESC, id LIMIT ? OFFSET ?", (limit, offset)
        ).fetchall()
        return [self._record(r) for r in rows]

    def by_classification(self, parts: list[str], limit: int, offset: int) -> tuple[int, list[Record]]:
        path = classification_path(parts)
        where = "classification_path = ? OR substr(classification_path, 1, ?) = ?"
        args = (path, len(path) + 1, path + "/")
        total = self.db.execute(f"SELECT count(*) FROM records WHERE {where}", args).fetchone()[0]
        rows = self.db.execute(
            f"SELECT * FROM records WHERE {where} ORDER BY produced DESC, id LIMIT ? OFFSET ?",
            (*args, limit, offset),
        ).fetchall()
        return total, [self._record(r) for r in rows]

    def agencies(self) -> list[tuple[str, int]]:
        rows = self.db.execute(
            "SELECT agency, count(*) AS n FROM records GROUP BY agency ORDER BY n DESC, agency"
        )
        return [(r["agency"], r["n"]) for r in rows]

    def top_classifications(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for (raw,) in self.db.execute("SELECT classification FROM records"):
            parts = json.loads(raw)
            if parts:
                counts[parts[0]] = counts.get(parts[0], 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def extraction(self, sha256: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM extractions WHERE sha256 = ?", (sha256,)).fetchone()

    def text_of(self, sha256: str) -> str:
        row = self.db.execute("SELECT text FROM extractions WHERE sha256 = ?", (sha256,)).fetchone()
        return row["text"] if row else ""

    def pending_index(self) -> list[str]:
        """Return the ids of records whose index entry is missing or stale."""
        rows = self.db.execute(
            "SELECT id FROM records WHERE indexed_version IS NOT version ORDER BY id"
        )
        return [r[0] for r in rows]

    def mark_indexed(self, versions: dict[str, int]) -> None:
        with self.db:
            self.db.executemany(
                "UPDATE records SET indexed_version = ? WHERE id = ?",
                [(v, k) for k, v in versions.items()],
            )

    def stale_extractions(self, version: str) -> list[tuple[str, str]]:
        """Return (sha256, a file name) of stored files last read by another extractor version."""
        rows = self.db.execute(
            "SELECT a.sha256, min(a.name) FROM attachments a LEFT JOIN extractions e ON e.sha256 = a.sha256 "
            "WHERE e.extractor IS NOT ? GROUP BY a.sha256",
            (version,),
        )
        return [(r[0], r[1]) for r in rows]

    def save_extraction(self, extraction: dict) -> list[str]:
        """Store a new extraction of a file; return the ids of the records holding it."""
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO extractions (sha256, status, reason, pages, text, extractor, pii) "
                "VALUES (:sha256, :status, :reason, :pages, :text, :extractor, :pii)",
                extraction,
            )
            # the index must pick up the new text: mark the holding records stale
            self.db.execute(
                "UPDATE records SET indexed_version = NULL WHERE id IN "
                "(SELECT record_id FROM attachments WHERE sha256 = ?)",
                (extraction["sha256"],),
            )
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT record_id FROM attachments WHERE sha256 = ?", (extraction["sha256"],))]

    def personal_data(self, sha256: str) -> list[tuple[str, str]]:
        """Return the masked personal data found in a file's text: [(kind, masked)]."""
        row = self.db.execute("SELECT pii FROM extractions WHERE sha256 = ?", (sha256,)).fetchone()
        return [tuple(x) for x in json.loads(row["pii"])] if row else []

    def flagged_attachments(self, limit: int = 100) -> list[sqlite3.Row]:
        """Return attachments whose text holds personal data, newest records first."""
        return self.db.execute(
            "SELECT a.record_id, a.n, a.name, a.disclosure, e.pii, r.title, r.withheld_grounds "
            "FROM attachments a JOIN extractions e ON e.sha256 = a.sha256 JOIN records r ON r.id = a.record_id "
            "WHERE e.pii != '[]' ORDER BY r.produced DESC, a.record_id, a.n LIMIT ?",
            (limit,),
        ).fetchall()

    def log_ingest(self, who: str, source: str, counts: dict) -> None:
        with self.db:
            self.db.execute("INSERT INTO ingests (at, who, source, counts) VALUES (?, ?, ?, ?)",
                            (now_iso(), who, source, json.dumps(counts)))

    def recent_ingests(self, limit: int = 10) -> list[dict]:
        rows = self.db.execute("SELECT * FROM ingests ORDER BY id DESC LIMIT ?", (limit,))
        return [{**dict(r), "counts": json.loads(r["counts"])} for r in rows]

    def _withheld_elsewhere(self, record_id: str, hashes: set[str]) -> dict[str, list[int]]:
        """Return {sha256: grounds} of these files withheld anywhere.

        Anywhere: another record, another attachment of this record, or a clerk's withhold
        of the content itself (clerk_withheld).
        """
        if not hashes:
            return {}
        marks = ",".join("?" * len(hashes))
        rows = self.db.execute(
            f"SELECT a.sha256, a.grounds, r.withheld_grounds FROM attachments a "
            f"JOIN records r ON r.id = a.record_id WHERE a.sha256 IN ({marks}) "
            f"AND (a.disclosure = 'withheld' OR r.withheld_grounds IS NOT NULL) "
            f"UNION ALL SELECT sha256, grounds, NULL FROM clerk_withheld WHERE sha256 IN ({marks})",
            (*hashes, *hashes),
        )
        found: dict[str, set[int]] = {}
        for r in rows:
            grounds = json.loads(r["grounds"]) or json.loads(r["withheld_grounds"] or "[]")
            found.setdefault(r["sha256"], set()).update(grounds)
        return {sha: sorted(g) for sha, g in found.items()}

    def withheld_anywhere(self, hashes: set[str]) -> set[str]:
        """Return which of these files are withheld in some record (so withheld in every one)."""
        return set(self._withheld_elsewhere("", set(hashes)))

    def clerk_withheld_here(self, sha256: str, record_id: str) -> bool:
        """Return whether a clerk withheld these bytes in this record (and has not released them)."""
        return self.db.execute("SELECT 1 FROM clerk_withheld WHERE sha256 = ? AND record_id = ?",
                               (sha256, record_id)).fetchone() is not None

    def clerk_holds_of(self, record_id: str) -> list[tuple[str, list[int]]]:
        """Return (sha256, grounds) of every withhold a clerk made in this record and has not released."""
        rows = self.db.execute("SELECT sha256, grounds FROM clerk_withheld WHERE record_id = ? ORDER BY sha256",
                               (record_id,))
        return [(r[0], json.loads(r[1])) for r in rows]

    def uncleared_personal_data(self, record_id: str) -> list[str]:
        """Return the names of this record's files with personal data that no clerk has cleared."""
        rows = self.db.execute(
            "SELECT a.name FROM attachments a JOIN extractions e ON e.sha256 = a.sha256 "
            "WHERE a.record_id = ? AND e.pii != '[]' AND NOT EXISTS (SELECT 1 FROM cleared_personal_data c "
            "WHERE c.sha256 = a.sha256 AND c.record_id = a.record_id) ORDER BY a.n", (record_id,))
        return [r[0] for r in rows]

    def held_attachments(self, limit: int = 100) -> list[dict]:
        """Return attachments the portal holds back until a clerk decides, newest records first."""
        rows = self.db.execute(
            "SELECT a.record_id, a.n, a.name, a.hold, r.title FROM attachments a JOIN records r ON r.id = a.record_id "
            "WHERE a.hold IS NOT NULL ORDER BY r.ingested_at DESC, a.record_id, a.n LIMIT ?", (limit,))
        return [{"record_id": r[0], "n": r[1], "name": r[2], "hold": Hold(r[3]), "title": r[4]} for r in rows]

    def records_with(self, hashes: set[str]) -> set[str]:
        """Return the ids of the records holding any of these files."""
        if not hashes:
            return set()
        marks = ",".join("?" * len(hashes))
        return {r[0] for r in self.db.execute(
            f"SELECT DISTINCT record_id FROM attachments WHERE sha256 IN ({marks})", tuple(hashes))}

    def mark_pending(self, record_ids: list[str]) -> None:
        """Mark records for re-indexing, committed on its own before the change that needs it."""
        with self.db:
            self.db.executemany("UPDATE records SET indexed_version = NULL WHERE id = ?",
                                [(rid,) for rid in record_ids])

    def referenced_hashes(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT DISTINCT sha256 FROM attachments")}

    def _record(self, row: sqlite3.Row) -> Record:
        att_rows = self.db.execute(
            "SELECT a.*, e.status, e.reason, e.pages FROM attachments a "
            "LEFT JOIN extractions e ON e.sha256 = a.sha256 WHERE a.record_id = ? ORDER BY a.n",
            (row["id"],),
        ).fetchall()
        elsewhere = self._withheld_elsewhere(row["id"], {a["sha256"] for a in att_rows})
        attachments = [
            Attachment(
                n=a["n"],
                name=a["name"],
                title=a["title"],
                note=a["note"],
                disclosure=Disclosure(a["disclosure"]),
                grounds=json.loads(a["grounds"]),
                sha256=a["sha256"],
                size=a["size"],
                media_type=a["media_type"],
                text_status=a["status"] or "none",
                text_reason=a["reason"],
                pages=a["pages"],
                withheld_elsewhere=elsewhere.get(a["sha256"]),
                hold=Hold(a["hold"]) if a["hold"] else None,
            )
            for a in att_rows
        ]
        return Record(
            id=row["id"],
            title=row["title"],
            kind=row["kind"],
            agency=row["agency"],
            department=row["department"],
            doc_number=row["doc_number"],
            policy_number=row["policy_number"],
            produced=row["produced"],
            approved=row["approved"],
            retention=row["retention"],
            author=json.loads(row["author"]) if row["author"] else None,
            approval_chain=json.loads(row["approval_chain"]),
            classification=json.loads(row["classification"]),
            licences=json.loads(row["licences"]),
            summary=row["summary"],
            withheld_grounds=json.loads(row["withheld_grounds"]) if row["withheld_grounds"] else None,
            attachments=attachments,
            version=row["version"],
            ingested_at=row["ingested_at"],
        )

    # -- writing -------------------------------------------------------------------------

    def save(self, record: Record, digest: str, extractions: dict[str, dict]) -> int:
        """Write a record, its attachments and their extractions in one transaction.

        The blobs must already be in the blob store. Returns the new version.
        """
        previous = self.digest_of(record.id)
        version = previous[1] + 1 if previous else 1
        with self.db:
            self.db.execute("DELETE FROM attachments WHERE record_id = ?", (record.id,))
            self.db.execute(
                "INSERT OR REPLACE INTO records (id, version, digest, title, kind, agency, "
                "department, doc_number, policy_number, produced, approved, retention, author, "
                "approval_chain, classification, classification_path, licences, summary, "
                "withheld_grounds, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    record.id, version, digest, record.title, record.kind, record.agency,
                    record.department, record.doc_number, record.policy_number, record.produced,
                    record.approved, record.retention,
                    json.dumps(record.author, ensure_ascii=False) if record.author else None,
                    json.dumps(record.approval_chain, ensure_ascii=False),
                    json.dumps(record.classification, ensure_ascii=False),
                    classification_path(record.classification),
                    json.dumps(record.licences), record.summary,
                    json.dumps(record.withheld_grounds) if record.withheld_grounds else None,
                    now_iso(),
                ),
            )
            self.db.executemany(
                "INSERT INTO attachments (record_id, n, name, title, note, disclosure, grounds, "
                "sha256, size, media_type, hold) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        record.id, a.n, a.name, a.title, a.note, a.disclosure.value,
                        json.dumps(a.grounds), a.sha256, a.size, a.media_type,
                        a.hold.value if a.hold else None,
                    )
                    for a in record.attachments
                ],
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO extractions (sha256, status, reason, pages, text, extractor, pii) "
                "VALUES (:sha256, :status, :reason, :pages, :text, :extractor, :pii)",
                list(extractions.values()),
            )
        return version

    def collect_garbage(self, idle: float = 3600) -> int:
        """Remove blobs (idle for an hour) and extractions no attachment refers to; return how many blobs."""
        referenced = self.referenced_hashes()
        with self.db:
            self.db.execute(
                "DELETE FROM extractions WHERE sha256 NOT IN (SELECT sha256 FROM attachments)"
            )
        removed = 0
        self.blobs.clear_temporaries()
        for sha in self.blobs.all_hashes() - referenced:
            removed += self.blobs.remove_if_idle(sha, idle)
        return removed
