"""The audit log of disclosure changes: its entries and what the public may see of them.

The log is append-only: archive.store writes it, and its table refuses UPDATE and DELETE by trigger.
"""

from __future__ import annotations

from dataclasses import dataclass


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


def public_history(entries: list[Entry]) -> list[dict]:
    """Return what the public may see of a record's history: no clerk names, no reasons."""
    return [
        {"date": e.at[:10], "attachment": e.attachment_name, "n": e.attachment_n,
         "from": e.old_level, "to": e.new_level, "grounds": e.grounds}
        for e in entries
    ]
