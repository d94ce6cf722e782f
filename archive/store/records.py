"""Records, attachments, extracted text and the holds on content: their SQL, and nothing else."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from ..disclosure import Disclosure
from ..records import Attachment, Hold, Record, TextSource, TextStatus
from .connection import now_iso


@dataclass(frozen=True)
class Extraction:
    """A file's extracted text and what was found in it, keyed by the file's SHA-256."""

    sha256: str
    status: TextStatus
    reason: str | None
    pages: int | None
    text: str
    extractor: str
    pii: list[tuple[str, str]]  # personal data found, masked: [(kind, masked)]
    source: str = "file"  # or "ocr": read from the file's image (archive/scans.py)

    def row(self) -> dict:
        """As the row it was read from (what a save writes back where it has gone: RecordsMixin.save)."""
        return {"sha256": self.sha256, "status": self.status.value, "reason": self.reason, "pages": self.pages,
                "text": self.text, "extractor": self.extractor, "source": self.source,
                "pii": json.dumps([list(x) for x in self.pii], ensure_ascii=False)}


@dataclass(frozen=True)
class Flagged:
    """An attachment whose text holds personal data, for the clerks' warnings."""

    record_id: str
    title: str
    n: int
    name: str
    disclosure: Disclosure  # the attachment's own row; withheld too when the record is withheld whole
    pii: list[tuple[str, str]]


def classification_path(parts: list[str]) -> str:
    return "/".join(parts)


def _marks(items) -> str:
    return ",".join("?" * len(items))


def _of_agencies(agencies: list[str] | None) -> tuple[str, tuple]:
    """A filter on records r by agency: none for None (all agencies), nothing matches for []."""
    if agencies is None:
        return "", ()
    # TRIM: archive.accounts.may_act_for compares the record's agency stripped
    return (f" AND TRIM(r.agency) IN ({_marks(agencies)})", tuple(agencies)) if agencies else (" AND 1 = 0", ())


class RecordsMixin:
    """Reading and writing records; every statement here runs through Connection's helpers."""

    # -- reading -------------------------------------------------------------------------

    # Public reads go through the public_records view (migration 13): a withdrawn record is in
    # no answer built from them. Reading `records` itself is for clerks, ingest and the holds.

    def count(self) -> int:
        return self._one("SELECT count(*) FROM public_records")[0]

    def digest_of(self, record_id: str) -> tuple[str, int] | None:
        row = self._one("SELECT digest, version FROM records WHERE id = ?", (record_id,))
        return (row["digest"], row["version"]) if row else None

    def get(self, record_id: str, *, withdrawn: bool = False) -> Record | None:
        """The record; a withdrawn one only when asked for (`withdrawn=True`: clerks, ingest, holds)."""
        table = "records" if withdrawn else "public_records"
        row = self._one(f"SELECT * FROM {table} WHERE id = ?", (record_id,))
        return self._record(row) if row else None

    def record_ids(self) -> list[str]:
        return [r[0] for r in self._all("SELECT id FROM public_records ORDER BY id")]

    def newest(self, limit: int = 10, offset: int = 0) -> list[Record]:
        rows = self._all("SELECT * FROM public_records ORDER BY produced DESC, id LIMIT ? OFFSET ?",
                         (limit, offset))
        return [self._record(r) for r in rows]

    def by_classification(self, parts: list[str], limit: int, offset: int) -> tuple[int, list[Record]]:
        path = classification_path(parts)
        where = "classification_path = ? OR substr(classification_path, 1, ?) = ?"
        args = (path, len(path) + 1, path + "/")
        total = self._one(f"SELECT count(*) FROM public_records WHERE {where}", args)[0]
        rows = self._all(f"SELECT * FROM public_records WHERE {where} ORDER BY produced DESC, id LIMIT ? OFFSET ?",
                         (*args, limit, offset))
        return total, [self._record(r) for r in rows]

    def agencies(self) -> list[tuple[str, int]]:
        rows = self._all("SELECT agency, count(*) AS n FROM public_records GROUP BY agency ORDER BY n DESC, agency")
        return [(r["agency"], r["n"]) for r in rows]

    def top_classifications(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for (raw,) in self._all("SELECT classification FROM public_records"):
            parts = json.loads(raw)
            if parts:
                counts[parts[0]] = counts.get(parts[0], 0) + 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def extraction(self, sha256: str) -> Extraction | None:
        row = self._one("SELECT * FROM extractions WHERE sha256 = ?", (sha256,))
        if row is None:
            return None
        return Extraction(row["sha256"], TextStatus(row["status"]), row["reason"], row["pages"], row["text"],
                          row["extractor"], [tuple(x) for x in json.loads(row["pii"])], row["source"] or "file")

    def text_of(self, sha256: str) -> str:
        row = self._one("SELECT text FROM extractions WHERE sha256 = ?", (sha256,))
        return row["text"] if row else ""

    def stale_extractions(self, version: str) -> list[tuple[str, str]]:
        """Return (sha256, a file name) of stored files last read by another extractor version."""
        rows = self._all("SELECT a.sha256, min(a.name) FROM attachments a LEFT JOIN extractions e "
                         "ON e.sha256 = a.sha256 WHERE e.extractor IS DISTINCT FROM ? GROUP BY a.sha256", (version,))
        return [(r[0], r[1]) for r in rows]

    def personal_data(self, sha256: str) -> list[tuple[str, str]]:
        """Return the masked personal data found in a file's text: [(kind, masked)]."""
        row = self._one("SELECT pii FROM extractions WHERE sha256 = ?", (sha256,))
        return [tuple(x) for x in json.loads(row["pii"])] if row else []

    def flagged_attachments(self, limit: int = 100, agencies: list[str] | None = None) -> list[Flagged]:
        """Return attachments whose text holds personal data, newest records first (of `agencies`, given)."""
        where, args = _of_agencies(agencies)
        rows = self._all(
            "SELECT a.record_id, a.n, a.name, a.disclosure, e.pii, r.title, r.withheld_grounds "
            "FROM attachments a JOIN extractions e ON e.sha256 = a.sha256 JOIN records r ON r.id = a.record_id "
            f"WHERE e.pii != '[]'{where} ORDER BY r.produced DESC, a.record_id, a.n LIMIT ?", (*args, limit))
        return [Flagged(r["record_id"], r["title"], r["n"], r["name"],
                        Disclosure.WITHHELD if r["withheld_grounds"] else Disclosure(r["disclosure"]),
                        [tuple(x) for x in json.loads(r["pii"])]) for r in rows]

    def recent_ingests(self, limit: int = 10, who: str | None = None) -> list[dict]:
        rows = self._all("SELECT * FROM ingests WHERE ? IS NULL OR who = ? ORDER BY id DESC LIMIT ?",
                         (who, who, limit))
        return [{**dict(r), "counts": json.loads(r["counts"])} for r in rows]

    def referenced_hashes(self) -> set[str]:
        return {r[0] for r in self._all("SELECT DISTINCT sha256 FROM attachments")}

    def records_with(self, hashes: set[str]) -> set[str]:
        """Return the ids of the records holding any of these files."""
        if not hashes:
            return set()
        return {r[0] for r in self._all(f"SELECT DISTINCT record_id FROM attachments WHERE sha256 IN "
                                        f"({_marks(hashes)})", tuple(hashes))}

    # -- the rule "content withheld anywhere is withheld everywhere" lives in these queries ----

    def withheld_grounds_of(self, hashes: set[str]) -> dict[str, list[int]]:
        """Return {sha256: grounds} of these files that are withheld anywhere.

        Anywhere: any record's attachment row (this record's twin included), a record withheld
        whole, a file held for review, or a clerk's withhold of the content itself (clerk_withheld).
        """
        if not hashes:
            return {}
        marks = _marks(hashes)
        rows = self._all(
            f"SELECT a.sha256, a.grounds, r.withheld_grounds FROM attachments a "
            f"JOIN records r ON r.id = a.record_id WHERE a.sha256 IN ({marks}) "
            f"AND (a.disclosure = 'withheld' OR r.withheld_grounds IS NOT NULL) "
            f"UNION ALL SELECT sha256, grounds, NULL FROM clerk_withheld WHERE sha256 IN ({marks})",
            (*hashes, *hashes))
        found: dict[str, set[int]] = {}
        for r in rows:
            grounds = json.loads(r["grounds"]) or json.loads(r["withheld_grounds"] or "[]")
            found.setdefault(r["sha256"], set()).update(grounds)
        return {sha: sorted(g) for sha, g in found.items()}

    def withheld_anywhere(self, hashes: set[str]) -> set[str]:
        """Return which of these files are withheld in some record (so withheld in every one)."""
        return set(self.withheld_grounds_of(set(hashes)))

    def clerk_withheld_here(self, sha256: str, record_id: str) -> bool:
        """Return whether a clerk withheld these bytes in this record (and has not released them)."""
        return self._one("SELECT 1 FROM clerk_withheld WHERE sha256 = ? AND record_id = ?",
                         (sha256, record_id)) is not None

    def clerk_holds_of(self, record_id: str) -> list[tuple[str, list[int]]]:
        """Return (sha256, grounds) of every withhold a clerk made in this record and has not released."""
        rows = self._all("SELECT sha256, grounds FROM clerk_withheld WHERE record_id = ? ORDER BY sha256",
                         (record_id,))
        return [(r[0], json.loads(r[1])) for r in rows]

    def clerk_holds_on(self, hashes: set[str]) -> list[tuple[str, list[int]]]:
        """Return (sha256, grounds) of clerk withholds of these bytes made in any record."""
        if not hashes:
            return []
        rows = self._all(f"SELECT sha256, grounds FROM clerk_withheld WHERE sha256 IN ({_marks(hashes)}) "
                         f"ORDER BY sha256", tuple(hashes))
        return [(r[0], json.loads(r[1])) for r in rows]

    def watched(self, record_id: str) -> list[int] | None:
        """The grounds a record's re-sends are held on, or None when it is not watched."""
        row = self._one("SELECT grounds FROM resend_watch WHERE record_id = ?", (record_id,))
        return json.loads(row[0]) if row else None

    def watch(self, record_id: str, grounds: list[int]) -> None:
        self._run("INSERT INTO resend_watch (record_id, grounds) VALUES (?, ?) ON CONFLICT (record_id) "
                  "DO UPDATE SET grounds = excluded.grounds", (record_id, json.dumps(sorted(set(grounds)))))

    def uncleared_personal_data(self, record_id: str) -> list[str]:
        """Return the names of this record's files with personal data that no clerk has cleared."""
        rows = self._all(
            "SELECT a.name FROM attachments a JOIN extractions e ON e.sha256 = a.sha256 "
            "WHERE a.record_id = ? AND e.pii != '[]' AND NOT EXISTS (SELECT 1 FROM cleared_personal_data c "
            "WHERE c.sha256 = a.sha256 AND c.record_id = a.record_id) ORDER BY a.n", (record_id,))
        return [r[0] for r in rows]

    def held_attachments(self, limit: int = 100, agencies: list[str] | None = None) -> list[dict]:
        """Return attachments the portal holds back until a clerk decides, newest records first."""
        where, args = _of_agencies(agencies)
        rows = self._all(
            "SELECT a.record_id, a.n, a.name, a.hold, r.title FROM attachments a JOIN records r ON r.id = a.record_id "
            f"WHERE a.hold IS NOT NULL{where} ORDER BY r.ingested_at DESC, a.record_id, a.n LIMIT ?", (*args, limit))
        return [{"record_id": r[0], "n": r[1], "name": r[2], "hold": Hold(r[3]), "title": r[4]} for r in rows]

    def public_generation(self) -> int:
        """Raised by every committed change to what the public may see (see migrations._v6)."""
        return self._one("SELECT generation FROM public_state WHERE id = 1")[0]

    # -- writing -------------------------------------------------------------------------

    def _public_changed(self) -> None:
        self.db.execute("UPDATE public_state SET generation = generation + 1 WHERE id = 1")

    def mark_pending(self, record_ids: list[str]) -> None:
        """Put records on the index feed, committed on its own before the change that needs it.

        A change writes the index before its commit (fail closed); should it then not commit, these
        records' entries may be less than the store holds, and the feed makes every node rewrite
        them (the feed's triggers fire on this update: archive/store/feed.py).
        """
        self._run_many("UPDATE records SET indexed_version = NULL WHERE id = ?", [(rid,) for rid in record_ids])

    def save_extraction(self, extraction: dict) -> list[str]:
        """Store a new extraction of a file; return the ids of the records holding it."""
        with self.transaction():
            self._put_extractions([extraction])
            self._public_changed()  # the holding records are fed to every index by the extraction's trigger
        return sorted(self.records_with({extraction["sha256"]}))

    def _put_extractions(self, extractions: list[dict]) -> None:
        self.db.executemany(
            "INSERT INTO extractions (sha256, status, reason, pages, text, extractor, pii, source, ocr_tries) "
            "VALUES (:sha256, :status, :reason, :pages, :text, :extractor, :pii, 'file', 0) ON CONFLICT (sha256) "
            "DO UPDATE SET status = excluded.status, reason = excluded.reason, pages = excluded.pages, "
            "text = excluded.text, extractor = excluded.extractor, pii = excluded.pii, source = 'file', "
            "ocr_tries = 0", extractions)

    def log_ingest(self, who: str, source: str, counts: dict, records: list[str] = ()) -> int:
        """Log an ingest run and the records it added or replaced; return the run's id."""
        with self.transaction():
            cur = self.db.execute("INSERT INTO ingests (at, who, source, counts) VALUES (?, ?, ?, ?)",
                                  (now_iso(), who, source, json.dumps(counts)))
            self.db.executemany("INSERT INTO ingest_records (ingest_id, record_id) VALUES (?, ?) "
                                "ON CONFLICT DO NOTHING", [(cur.lastrowid, r) for r in records])
        return cur.lastrowid

    def save(self, record: Record, digest: str, extractions: dict[str, dict], kept: Iterable[Extraction] = ()) -> int:
        """Write a record, its attachments and their extractions in one transaction.

        The blobs must already be in the blob store. Returns the new version. `kept`: the stored
        extractions of its files it was read with (an ingest reuses a file's text), written again
        if gone since: a garbage collection between that read and this save (the file, staged anew,
        was not yet under its hash) would leave a stored file with no text and no personal-data flags.
        """
        with self.transaction():
            previous = self.digest_of(record.id)
            version = previous[1] + 1 if previous else 1
            before = []
            if previous:  # a new record has no rows to replace (attachments need their record): 3 statements fewer
                before = [r[0] for r in self._all("SELECT sha256 FROM attachments WHERE record_id = ?", (record.id,))]
                self.db.execute("DELETE FROM attachments WHERE record_id = ?", (record.id,))
                self.db.execute("DELETE FROM records WHERE id = ?", (record.id,))
            self.db.execute(
                "INSERT INTO records (id, version, digest, title, kind, agency, department, doc_number, "
                "policy_number, produced, approved, retention, author, approval_chain, classification, "
                "classification_path, licences, summary, withheld_grounds, ingested_at, public_changed_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", self._record_row(record, version, digest))
            self.db.executemany(
                "INSERT INTO attachments (record_id, n, name, title, note, disclosure, grounds, "
                "sha256, size, media_type, hold) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(record.id, a.n, a.name, a.title, a.note, a.disclosure.value, json.dumps(a.grounds), a.sha256,
                  a.size, a.media_type, a.hold.value if a.hold else None) for a in record.attachments])
            self._put_extractions(list(extractions.values()))
            if kept := [e.row() for e in kept]:  # never over what is there (a newer text: an OCR's)
                self.db.executemany(
                    "INSERT INTO extractions (sha256, status, reason, pages, text, extractor, pii, source, ocr_tries) "
                    "VALUES (:sha256, :status, :reason, :pages, :text, :extractor, :pii, :source, 0) "
                    "ON CONFLICT (sha256) DO NOTHING", kept)
            # the copies of its files, old and new, may change level with it (withheld anywhere, everywhere);
            # the record itself was stamped by its INSERT (an UPDATE more would feed its twins a third time)
            self._publicly_changed((), {a.sha256 for a in record.attachments} | set(before), besides=record.id)
            self._public_changed()
        return version

    def save_many(self, items: list[tuple[Record, str, dict[str, dict], list[Extraction]]]) -> list[int]:
        """Write several records as `save` writes each, in one transaction: all of them or none.

        An ingest commits its records in groups: one commit (one fsync of the log) per group.
        """
        with self.transaction():
            return [self.save(record, digest, extractions, kept) for record, digest, extractions, kept in items]

    @staticmethod
    def _record_row(record: Record, version: int, digest: str) -> tuple:
        now = now_iso()  # ingested, and changed publicly (harvest.py): the same moment
        return (
            record.id, version, digest, record.title, record.kind, record.agency, record.department,
            record.doc_number, record.policy_number, record.produced, record.approved, record.retention,
            json.dumps(record.author, ensure_ascii=False) if record.author else None,
            json.dumps(record.approval_chain, ensure_ascii=False),
            json.dumps(record.classification, ensure_ascii=False), classification_path(record.classification),
            json.dumps(record.licences), record.summary,
            json.dumps(record.withheld_grounds) if record.withheld_grounds else None, now, now,
        )

    def set_disclosure(self, record_id: str, n: int, level: Disclosure, grounds: list[int]) -> None:
        """A clerk's decision on one attachment; it ends any hold the portal placed on the file."""
        with self.transaction():
            self.db.execute("UPDATE attachments SET disclosure = ?, grounds = ?, hold = NULL "
                            "WHERE record_id = ? AND n = ?", (level.value, json.dumps(grounds), record_id, n))
            row = self._one("SELECT sha256 FROM attachments WHERE record_id = ? AND n = ?", (record_id, n))
            self._publicly_changed([record_id], {row[0]} if row else set())
            self._public_changed()

    def hold_content(self, sha256: str, record_id: str, grounds: list[int]) -> None:
        """A clerk withheld these bytes in this record: they stay withheld under any name, anywhere."""
        self._run("INSERT INTO clerk_withheld (sha256, record_id, grounds) VALUES (?, ?, ?) "
                  "ON CONFLICT (sha256, record_id) DO UPDATE SET grounds = excluded.grounds",
                  (sha256, record_id, json.dumps(grounds)))

    def release_content(self, sha256: str, record_id: str) -> None:
        """Only this record's decision: a withhold of the same bytes made in another record stands."""
        self._run("DELETE FROM clerk_withheld WHERE sha256 = ? AND record_id = ?", (sha256, record_id))

    def clear_personal_data(self, sha256: str, record_id: str) -> None:
        """A clerk saw the personal data in these bytes and released them."""
        self._run("INSERT INTO cleared_personal_data (sha256, record_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                  (sha256, record_id))

    # -- rows to dataclasses -------------------------------------------------------------

    def _record(self, row) -> Record:
        att_rows = self._all("SELECT a.*, e.status, e.reason, e.pages, e.source FROM attachments a "
                             "LEFT JOIN extractions e ON e.sha256 = a.sha256 WHERE a.record_id = ? ORDER BY a.n",
                             (row["id"],))
        elsewhere = self.withheld_grounds_of({a["sha256"] for a in att_rows})
        attachments = [
            Attachment(
                n=a["n"], name=a["name"], title=a["title"], note=a["note"],
                disclosure=Disclosure(a["disclosure"]), grounds=json.loads(a["grounds"]), sha256=a["sha256"],
                size=a["size"], media_type=a["media_type"], text_status=TextStatus(a["status"] or "none"),
                text_reason=a["reason"], pages=a["pages"], text_source=TextSource(a["source"] or "file"),
                withheld_elsewhere=elsewhere.get(a["sha256"]),
                hold=Hold(a["hold"]) if a["hold"] else None,
            )
            for a in att_rows
        ]
        return Record(
            id=row["id"], title=row["title"], kind=row["kind"], agency=row["agency"],
            department=row["department"], doc_number=row["doc_number"], policy_number=row["policy_number"],
            produced=row["produced"], approved=row["approved"], retention=row["retention"],
            author=json.loads(row["author"]) if row["author"] else None,
            approval_chain=json.loads(row["approval_chain"]), classification=json.loads(row["classification"]),
            licences=json.loads(row["licences"]), summary=row["summary"],
            withheld_grounds=json.loads(row["withheld_grounds"]) if row["withheld_grounds"] else None,
            attachments=attachments, version=row["version"], ingested_at=row["ingested_at"],
        )
