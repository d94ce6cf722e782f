"""The audit log's SQL: append and read; the table refuses UPDATE and DELETE by trigger."""

from __future__ import annotations

import json

from ..audit import Entry
from ..disclosure import Disclosure


def _entry(row) -> Entry:
    return Entry(row["id"], row["at"], row["clerk"], row["record_id"], row["attachment_n"], row["attachment_name"],
                 Disclosure(row["old_level"]), Disclosure(row["new_level"]), json.loads(row["grounds"]), row["reason"],
                 bool(row["personal_data_confirmed"]))


class AuditMixin:
    def append_audit(self, *, at: str, clerk: str, record_id: str, attachment_n: int, attachment_name: str,
                     old_level: Disclosure, new_level: Disclosure, grounds: list[int], reason: str,
                     personal_data_confirmed: bool = False) -> None:
        """Append one entry; inside a change's transaction it commits with the change it records."""
        self._run(
            "INSERT INTO audit (at, clerk, record_id, attachment_n, attachment_name, old_level, new_level, "
            "grounds, reason, personal_data_confirmed) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (at, clerk, record_id, attachment_n, attachment_name, old_level.value, new_level.value,
             json.dumps(sorted(grounds)), reason, int(personal_data_confirmed)))

    def audit_of_record(self, record_id: str) -> list[Entry]:
        return [_entry(r) for r in self._all("SELECT * FROM audit WHERE record_id = ? ORDER BY id", (record_id,))]

    def recent_audit(self, limit: int = 20, agencies: list[str] | None = None) -> list[Entry]:
        """The newest entries; given `agencies`, of records of those agencies only."""
        if agencies is None:
            return [_entry(r) for r in self._all("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,))]
        marks = ",".join("?" * len(agencies)) or "NULL"
        return [_entry(r) for r in self._all(
            f"SELECT a.* FROM audit a JOIN records r ON r.id = a.record_id WHERE TRIM(r.agency) IN ({marks}) "
            "ORDER BY a.id DESC LIMIT ?", (*agencies, limit))]
