"""Garbage collection: originals and extracted texts that no record refers to any more."""

from __future__ import annotations

from .records import _marks


class GarbageMixin:
    def collect_garbage(self, idle: float = 3600) -> int:
        """Remove blobs (idle for an hour) no attachment refers to, then their extractions; return how many blobs.

        An extraction goes only once its file has: an ingest stages (or touches) a file before it reads
        the file's cached extraction and saves the record later, so a text deleted under it would leave
        a stored file with no text and no personal-data flags. A fresh file keeps its text too; and a
        save writes back the cached text it was read with, should this sweep take it between the two
        (RecordsMixin.save's `kept`).
        """
        referenced = self.referenced_hashes()
        removed = 0
        self.blobs.clear_temporaries()
        self.blobs.restore_moved_aside(older_than=min(idle, 60))  # a killed collector's, then swept as any
        for sha in self.blobs.all_hashes() - referenced:
            removed += self.blobs.remove_if_idle(sha, idle)
        unreferenced = [r[0] for r in self._all("SELECT sha256 FROM extractions WHERE sha256 NOT IN "
                                                "(SELECT sha256 FROM attachments)")]
        for i in range(0, len(unreferenced), 200):  # bounded statements: each journals what it changes
            chunk = [sha for sha in unreferenced[i : i + 200] if not self.blobs.exists(sha)]
            if chunk:
                self._run(f"DELETE FROM extractions WHERE sha256 IN ({_marks(chunk)}) AND sha256 NOT IN "
                          f"(SELECT sha256 FROM attachments)", tuple(chunk))  # re-checked: a record may hold it now
        return removed
