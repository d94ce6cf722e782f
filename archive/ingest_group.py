"""Records of an ingest committed in groups: their files made durable together, then one transaction."""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, field

from .blobs import Staged
from .disclosure import Disclosure
from .outcomes import DropFromIndex, IndexLock, Limits, Outcome, Report, Status
from .records import Record
from .store import Store

GROUP_RECORDS = 64  # records per store transaction and per fsync of their files
GROUP_SECONDS = 0.5  # and no longer apart: a record read is committed (and reported) within this


@dataclass
class Prepared:
    """A record read, checked and its files staged; stored when its group commits."""

    outcome: Outcome
    record: Record
    digest: str
    extractions: dict[str, dict]
    staged: list[Staged]
    affected: set[str]  # records to take out of the index before the commit
    kept: list = field(default_factory=list)  # stored extractions it reuses (archive.store's Extraction)


class Group:
    """Records prepared but not committed, stored together: their files made durable, then one transaction.

    The order fails closed as one record's did: files durable (a crash then leaves files no row
    names, which garbage collection sweeps), the affected records marked and out of the index
    (committed), then every row of the group in one transaction, all of it or none. Outcomes are
    reported in folder order once committed: a record is not called added before it is.
    """

    def __init__(self, store: Store, report: Report, limits: Limits, drop_from_index: DropFromIndex | None,
                 index_lock: IndexLock):
        self.store, self.report, self.limits = store, report, limits
        self.drop_from_index, self.index_lock = drop_from_index, index_lock
        self.items: list[Prepared | Outcome] = []
        self.started = 0.0

    def add(self, item: Prepared | Outcome) -> None:
        if not self.items:
            self.started = time.monotonic()
        self.items.append(item)

    def due(self) -> bool:
        return len(self.items) >= GROUP_RECORDS or time.monotonic() - self.started >= GROUP_SECONDS

    def commit(self) -> None:
        items, self.items = self.items, []
        ready = [i for i in items if isinstance(i, Prepared)]
        if ready:
            try:
                self.store.blobs.store_staged([s for p in ready for s in p.staged])
            except OSError as exc:  # a full disk, say: these records fail, not the batch
                for p in ready:
                    p.outcome = Outcome(p.outcome.record, Status.REJECTED, [f"file: cannot be stored ({exc.strerror})"])
                ready = []
        if ready:
            affected = sorted(set().union(*(p.affected for p in ready)))
            # fail closed: out of the index first (committed), so that neither the rest of the batch
            # nor a crash leaves text searchable that the store now withholds; under the index lock
            # to the save, so that no other process's catch-up re-indexes the old state in between
            with self.index_lock() if affected else nullcontext():
                if affected:
                    self.store.mark_pending(affected)
                    if self.drop_from_index:
                        self.drop_from_index(affected)
                self.store.save_many([(p.record, p.digest, p.extractions, p.kept) for p in ready])
            _note_withheld_elsewhere(self.store, ready)
        for item in items:
            outcome = item.outcome if isinstance(item, Prepared) else item
            self.report.outcomes.append(outcome)
            if self.limits.on_outcome:
                self.limits.on_outcome(outcome)


def _note_withheld_elsewhere(store: Store, ready: list[Prepared]) -> None:
    """Tell of files a batch calls public that the same-bytes rule withholds (read after the commit)."""
    public = {a.sha256 for p in ready for a in p.record.attachments if a.disclosure is Disclosure.PUBLIC}
    withheld = store.withheld_anywhere(public)
    for p in ready:
        p.outcome.notes += [f"{a.name}: the same file is withheld in another record; withheld here too"
                            for a in p.record.attachments
                            if a.disclosure is Disclosure.PUBLIC and a.sha256 in withheld]
