"""What became of the records of an ingest, and what a deployment lets one ingest do."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Status(StrEnum):
    """What became of one record of a batch (the report's words, kept as they are in JSON)."""

    ADDED = "added"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass
class Outcome:
    """What became of one record of a batch."""

    record: str  # the record's id, or its folder when the id could not be read
    status: Status
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. files no attachment names
    held: list[str] = field(default_factory=list)  # files withheld until a clerk reviews them


@dataclass
class Report:
    """The outcome of every record of one ingest run."""

    outcomes: list[Outcome] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # batches that could not be opened
    run_id: int | None = None  # the ingest log's id of this run (withdraw --run)

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def changed(self) -> list[str]:
        return [o.record for o in self.outcomes if o.status in (Status.ADDED, Status.REPLACED)]

    def as_dict(self) -> dict:
        return {
            "counts": {s.value: self.count(s) for s in Status},
            "records": [vars(o) for o in self.outcomes],
            "held_for_review": sum(len(o.held) for o in self.outcomes),
            "unreadable": self.unreadable,
        }


DropFromIndex = Callable[[list[str]], None]
IndexLock = Callable[[], AbstractContextManager]


@dataclass
class Limits:
    """What a deployment lets one ingest do (web uploads: ARCHIVE_MAX_BATCH_RECORDS)."""

    max_records: int | None = None  # record folders in one batch; more and the batch is refused whole
    unpack_dir: Path | None = None  # where a zip is unpacked
    on_outcome: Callable[[Outcome], None] | None = None  # told of each record as it is decided
