"""What OAI-PMH harvesting asks of the store: records by the time their public view last changed.

`public_changed_at` (migration 10) is set in the same transaction as every write that changes what
the public sees of a record (`save`, `set_disclosure`): the record itself and every record holding
the same bytes, whose level may change with it (content withheld anywhere is withheld everywhere).
Harvest pages are read by keyset (datestamp, id), so a page costs one index range, however deep.
"""

from __future__ import annotations

from collections.abc import Iterable

from .connection import now_iso


class HarvestMixin:
    def _publicly_changed(self, record_ids: Iterable[str], hashes: set[str], besides: str | None = None) -> None:
        """Stamp these records, and every record holding any of these files, as changed now
        (`besides`: a record already stamped in this transaction)."""
        now = now_iso()
        ids = sorted(set(record_ids))
        if ids:
            self.db.executemany("UPDATE records SET public_changed_at = ? WHERE id = ?", [(now, i) for i in ids])
        if hashes:
            marks = ",".join("?" * len(hashes))
            skip = " AND id <> ?" if besides is not None else ""
            self.db.execute(f"UPDATE records SET public_changed_at = ? WHERE id IN "
                            f"(SELECT record_id FROM attachments WHERE sha256 IN ({marks})){skip}",
                            (now, *sorted(hashes), *([besides] if besides is not None else [])))

    def public_changed_at(self, record_id: str) -> str | None:
        row = self._one("SELECT public_changed_at FROM records WHERE id = ?", (record_id,))
        return row[0] if row else None

    def earliest_public_change(self) -> str | None:
        return self._one("SELECT min(public_changed_at) FROM records")[0]

    @staticmethod
    def _harvest_where(since: str | None, until: str | None, agency: str | None,
                       top_class: str | None) -> tuple[list[str], list]:
        where, args = ["1 = 1"], []
        if since:
            where.append("public_changed_at >= ?")
            args.append(since)
        if until:
            where.append("public_changed_at <= ?")
            args.append(until)
        if agency is not None:
            where.append("agency = ?")
            args.append(agency)
        if top_class is not None:
            where.append("(classification_path = ? OR substr(classification_path, 1, ?) = ?)")
            args += [top_class, len(top_class) + 1, top_class + "/"]
        return where, args

    def harvest(self, *, since: str | None = None, until: str | None = None, agency: str | None = None,
                top_class: str | None = None, after: tuple[str, str] | None = None,
                limit: int = 100) -> list[tuple[str, str]]:
        """Return up to `limit` (datestamp, id) in (datestamp, id) order, past `after`, within the bounds."""
        where, args = self._harvest_where(since, until, agency, top_class)
        if after is not None:
            where.append("(public_changed_at > ? OR (public_changed_at = ? AND id > ?))")
            args += [after[0], after[0], after[1]]
        rows = self._all(f"SELECT public_changed_at, id FROM records WHERE {' AND '.join(where)} "
                         f"ORDER BY public_changed_at, id LIMIT ?", (*args, limit))
        return [(r[0], r[1]) for r in rows]

    def harvest_count(self, *, since: str | None = None, until: str | None = None, agency: str | None = None,
                      top_class: str | None = None) -> int:
        where, args = self._harvest_where(since, until, agency, top_class)
        return self._one(f"SELECT count(*) FROM records WHERE {' AND '.join(where)}", tuple(args))[0]
