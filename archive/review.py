"""Four eyes, withdrawn records and the audit log's other entries (issue 14): the kinds and their rules.

A wrong release of personal data cannot be taken back, so under ARCHIVE_FOUR_EYES=1 whatever makes
content more public waits as a pending change for a second clerk; withholding and withdrawing stay
immediate (less public at once is never the dangerous direction).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from .accounts import authorize, get_user
from .messages import N_, Refusal

MAX_BULK = 100  # records one bulk withhold may touch: a search of thousands is not one decision


class ChangeKind(enum.Enum):
    """What a pending change would make more public."""

    RELEASE = "release"  # an attachment
    UNTIL = "until"  # a withhold's end date
    RESTORE = "restore"  # a withdrawn record
    ORPHAN = "release-orphan"  # a clerk's withhold of bytes the record no longer holds


class ChangeState(enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class EventAction(enum.Enum):
    """The audit log's entries besides an attachment's level (those are archive.audit's)."""

    REQUEST = "request"
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    RESTORE = "restore"
    SET_UNTIL = "set-until"
    SCHEDULED_RELEASE = "scheduled-release"
    RELEASE_ORPHAN = "release-orphan"
    BULK_WITHHOLD = "bulk-withhold"


@dataclass(frozen=True)
class Pending:
    id: int
    kind: ChangeKind
    record_id: str
    attachment_n: int | None
    sha256: str | None
    clerk: str
    requested_at: str
    reason: str
    payload: dict
    state: ChangeState
    decided_by: str | None = None
    decided_at: str | None = None
    decision_reason: str | None = None

    def as_json(self) -> dict:
        """The shape `pending --json` promises (interface.md); `until` added for a date's change."""
        action = self.kind.value + (f" {self.payload['until']}" if self.kind is ChangeKind.UNTIL else "")
        return {"id": self.id, "record": self.record_id, "attachment": self.attachment_n, "action": action,
                "clerk": self.clerk, "requested_at": self.requested_at, "reason": self.reason}


@dataclass(frozen=True)
class Event:
    """One line of the audit log as `audit` prints it."""

    at: str
    clerk: str
    record_id: str | None
    attachment_n: int | None
    action: str
    from_level: str | None
    to_level: str | None
    grounds: list[int]
    reason: str

    def as_json(self) -> dict:
        return {"at": self.at, "clerk": self.clerk, "record": self.record_id, "attachment": self.attachment_n,
                "action": self.action, "from": self.from_level, "to": self.to_level, "grounds": self.grounds,
                "reason": self.reason}


class ReviewRefused(Refusal, ValueError):
    """A withdrawal, restore or decision that may not be made, with the reason for the clerk (archive.messages)."""


WriteIndex = Callable[[list[str], bool], dict[str, int]]


def acting_clerk(store, clerk: str, record, action: str):
    """The enabled account acting on `record` (ReviewRefused when none; NotPermitted, logged, for another agency)."""
    if get_user(store, clerk, enabled_only=True) is None:
        raise ReviewRefused(N_("담당자 계정이 없습니다: %(clerk)s"), clerk=clerk)
    return authorize(store, clerk, record.agency, action, record.id)


def withdraw(store, record_id: str, clerk: str, reason: str, write_index: WriteIndex,
             index_lock: Callable[[], AbstractContextManager] = nullcontext) -> None:
    """Take a record off every public path: out of the index inside the transaction, before the commit.

    Marked for re-indexing first (committed), so a crash before the commit leaves the record public
    and `catch_up` puts it back in the index; after the commit every public query skips it.
    """
    record = store.get(record_id, withdrawn=True)
    if record is None:
        raise ReviewRefused(N_("기록이 없습니다: %(record)s"), record=record_id)
    acting_clerk(store, clerk, record, "withdraw")
    if not reason.strip():
        raise ReviewRefused(N_("이유를 적어야 합니다."))
    if store.withdrawal(record_id):
        raise ReviewRefused(N_("기록 %(record)s은 이미 철회되었습니다."), record=record_id)
    store.mark_pending([record_id])
    with index_lock(), store.transaction():
        store.set_withdrawn(record_id, clerk, reason.strip())
        store.append_event(clerk=clerk, action=EventAction.WITHDRAW, record_id=record_id, reason=reason.strip(),
                           from_level=record.level.value, to_level="withdrawn")
        write_index([record_id], True)  # the store's connection sees it withdrawn: the entry goes


def restore(store, record_id: str, clerk: str, reason: str, write_index: WriteIndex,
            index_lock: Callable[[], AbstractContextManager] = nullcontext, *, checked: bool = False) -> None:
    """Bring a withdrawn record back: the store commits first, the index follows (catch_up repairs a crash)."""
    record = store.get(record_id, withdrawn=True)
    if record is None:
        raise ReviewRefused(N_("기록이 없습니다: %(record)s"), record=record_id)
    if not checked:
        acting_clerk(store, clerk, record, "restore")
    if store.withdrawal(record_id) is None:
        raise ReviewRefused(N_("기록 %(record)s은 철회된 기록이 아닙니다."), record=record_id)
    store.mark_pending([record_id])
    with index_lock():
        with store.transaction():
            store.clear_withdrawn(record_id)
            store.append_event(clerk=clerk, action=EventAction.RESTORE, record_id=record_id, reason=reason.strip(),
                               from_level="withdrawn", to_level=record.level.value)
        write_index([record_id], False)
