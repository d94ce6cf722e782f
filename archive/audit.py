"""The audit log of disclosure changes: its entries and what the public may see of them.

The log is append-only: archive.store writes it, and its table refuses UPDATE and DELETE by trigger.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .disclosure import Disclosure


class Action(enum.Enum):
    """What a clerk's change did, as the log reads it."""

    WITHHOLD = "withhold"
    RELEASE = "release"

    @property
    def label_ko(self) -> str:
        return {"withhold": "비공개 처리", "release": "공개 전환"}[self.value]


@dataclass(frozen=True)
class Entry:
    id: int
    at: str
    clerk: str
    record_id: str
    attachment_n: int
    attachment_name: str
    old_level: Disclosure
    new_level: Disclosure
    grounds: list[int]
    reason: str
    personal_data_confirmed: bool

    @property
    def action(self) -> Action:
        return Action.RELEASE if self.new_level is Disclosure.PUBLIC else Action.WITHHOLD


def public_history(entries: list[Entry]) -> list[dict]:
    """Return what the public may see of a record's history: no clerk names, no reasons."""
    return [
        {"date": e.at[:10], "attachment": e.attachment_name, "n": e.attachment_n,
         "from": e.old_level.value, "to": e.new_level.value, "grounds": e.grounds}
        for e in entries
    ]
