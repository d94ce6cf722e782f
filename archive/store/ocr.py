"""The state of OCR (issue 16): scans waiting to be read, the pages read so far, the tries at a page.

All of it is in the store, none in the process that reads: a run killed at any moment (kill -9, a
reboot) leaves the pages it had read, and the next run goes on from the page it was reading.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..records import TextStatus


@dataclass(frozen=True)
class Scan:
    """A stored file waiting for OCR."""

    sha256: str
    name: str  # a name it has in some record (its suffix helps say what it is)
    text: str  # the text its text layer gave (a PDF with some scanned pages), else ""
    tries: int  # attempts at the page being read that did not finish
    withheld: bool  # withheld in some record: read for the clerks' personal-data check only


class OcrMixin:
    def pending_scans(self) -> list[Scan]:
        """Files waiting for OCR, the ones the public can read first (they are what search misses)."""
        rows = self._all(
            "SELECT e.sha256, min(a.name) AS name, e.text, e.ocr_tries, "
            "max(CASE WHEN a.disclosure = 'withheld' OR r.withheld_grounds IS NOT NULL THEN 1 ELSE 0 END) AS withheld "
            "FROM extractions e JOIN attachments a ON a.sha256 = e.sha256 JOIN records r ON r.id = a.record_id "
            "WHERE e.status = ? GROUP BY e.sha256 ORDER BY withheld, e.sha256", (TextStatus.PENDING.value,))
        return [Scan(r["sha256"], r["name"], r["text"], r["ocr_tries"], bool(r["withheld"])) for r in rows]

    def count_pending_scans(self) -> int:
        return self._one("SELECT count(*) FROM extractions WHERE status = ?", (TextStatus.PENDING.value,))[0]

    def ocr_try(self, sha256: str) -> int:
        """Count an attempt at a file's next page, committed before the attempt; return the count."""
        with self.transaction():
            self.db.execute("UPDATE extractions SET ocr_tries = ocr_tries + 1 WHERE sha256 = ?", (sha256,))
            return self._one("SELECT ocr_tries FROM extractions WHERE sha256 = ?", (sha256,))[0]

    def ocr_pages(self, sha256: str) -> dict[int, str]:
        return {r[0]: r[1] for r in self._all("SELECT page, text FROM ocr_pages WHERE sha256 = ?", (sha256,))}

    def save_ocr_page(self, sha256: str, page: int, text: str) -> None:
        """A page read: kept, and the tries start again for the next page."""
        with self.transaction():
            self.db.execute("INSERT INTO ocr_pages (sha256, page, text) VALUES (?, ?, ?) ON CONFLICT (sha256, page) "
                            "DO UPDATE SET text = excluded.text", (sha256, page, text))
            self.db.execute("UPDATE extractions SET ocr_tries = 0 WHERE sha256 = ?", (sha256,))

    def finish_ocr(self, sha256: str, text: str, reason: str | None, pii: list, pages: int | None) -> list[str]:
        """The scan read (text) or given up (reason): its text replaces the pending one in one transaction.

        The records holding it are marked for the index in the same transaction, so that their
        entries are written again with the new text (by the caller, or any later catch-up).
        Returns the ids of those records.
        """
        status = TextStatus.OK if text else TextStatus.NONE
        with self.transaction():
            cur = self.db.execute(
                "UPDATE extractions SET status = ?, reason = ?, text = ?, pii = ?, pages = coalesce(?, pages), "
                "source = 'ocr', ocr_tries = 0 WHERE sha256 = ? AND status = ?",
                (status.value, None if text else reason, text, json.dumps(pii, ensure_ascii=False), pages, sha256,
                 TextStatus.PENDING.value))
            self.db.execute("DELETE FROM ocr_pages WHERE sha256 = ?", (sha256,))
            if not cur.rowcount:  # read again meanwhile (a re-ingest, another run): nothing of ours stands
                return []
            self._public_changed()  # the holding records are fed to every index by the extraction's trigger
        return sorted(self.records_with({sha256}))
