"""Change an attachment's disclosure: the one function behind the clerk's form and `disclose`.

Order matters, in terms of the threat: when withholding, the index loses the text before
the store commits (a crash leaves less public, never more); when releasing, the store
commits first and the index follows. Either way the record is marked for re-indexing
first, so that a crash at any point is repaired by `catch_up`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from . import audit
from .accounts import authorize, get_user
from .disclosure import GROUNDS, Disclosure
from .messages import N_, Refusal
from .records import Attachment, Record, TextStatus
from .store import Store, now_iso

WriteIndex = Callable[[list[str], bool], dict[str, int]]  # (record ids, purge) -> versions


class ChangeRefused(Refusal, ValueError):
    """A change that may not be made, with the reason for the clerk (archive.messages: in their language)."""


class NeedsConfirmation(ChangeRefused):
    """Releasing text with personal data in it needs the clerk's explicit confirmation."""

    cli = "both"

    def __init__(self, findings: list[tuple[str, str]]):
        super().__init__(N_("이 첨부파일에 개인정보로 보이는 내용이 있습니다. 확인 후 공개하십시오."))
        self.findings = findings


@dataclass
class Change:
    record_id: str
    n: int
    withhold: bool
    reason: str
    clerk: str
    grounds: list[int] = field(default_factory=list)
    confirm_personal_data: bool = False


def change_disclosure(store: Store, change: Change, write_index: WriteIndex,
                      index_lock: Callable[[], AbstractContextManager] = nullcontext) -> audit.Entry:
    """Withhold or release one attachment, audit it, and bring the index along.

    `index_lock` is held from before the store's transaction to after its commit, so that no
    other process's catch-up can index the old state between our index write and our commit.
    """
    with index_lock():
        return _change(store, change, write_index)


def _change(store: Store, change: Change, write_index: WriteIndex) -> audit.Entry:
    record, att, grounds, reason = check(store, change)
    return _commit(store, record, att, change, grounds, reason, write_index)


def check(store: Store, change: Change) -> tuple[Record, Attachment, list[int], str]:
    """Every rule of the change, nothing written (a release under four eyes is checked when asked for)."""
    record = store.get(change.record_id, withdrawn=True)  # a clerk may still act on a withdrawn record
    if record is None:
        raise ChangeRefused(N_("기록이 없습니다: %(record)s"), record=change.record_id)
    att = record.attachment(change.n)
    if att is None:
        raise ChangeRefused(N_("기록 %(record)s에 첨부 %(n)s이 없습니다."), record=record.id, n=change.n)
    if get_user(store, change.clerk, enabled_only=True) is None:  # a disabled account acts no more
        raise ChangeRefused(N_("담당자 계정이 없습니다: %(clerk)s"), clerk=change.clerk)
    # the clerk's agencies (issue 19): NotPermitted, logged as a refusal, for another agency's record
    authorize(store, change.clerk, record.agency, "withhold" if change.withhold else "release", record.id)
    reason = change.reason.strip()
    if not reason:
        raise ChangeRefused(N_("이유를 적어야 합니다."))
    grounds = sorted(set(change.grounds))
    if change.withhold:
        _check_withhold(att, grounds)
    else:
        _check_release(store, record, att, grounds, change.confirm_personal_data)
    return record, att, grounds, reason


def scheduled_release(store: Store, record: Record, att: Attachment, clerk: str, reason: str, confirmed: bool,
                      write_index: WriteIndex, index_lock: Callable[[], AbstractContextManager] = nullcontext):
    """A withhold's date has come (release-due): the release's rules, not the account's (it may be gone)."""
    change = Change(record.id, att.n, False, reason, clerk, confirm_personal_data=confirmed)
    with index_lock():
        _check_release(store, record, att, [], confirmed)
        return _commit(store, record, att, change, [], reason, write_index)


def bulk_withhold(store: Store, targets: list[tuple[Record, Attachment]], clerk: str, grounds: list[int],
                  reason: str, write_index: WriteIndex, on_commit: Callable[[], None],
                  index_lock: Callable[[], AbstractContextManager] = nullcontext) -> list[str]:
    """Withhold many attachments as one change: one transaction, the index first; the records touched."""
    grounds = sorted(set(grounds))
    for _, att in targets:
        _check_withhold(att, grounds)
    affected = sorted(store.records_with({a.sha256 for _, a in targets}) | {r.id for r, _ in targets})
    store.mark_pending(affected)
    with index_lock():
        with store.transaction():
            for record, att in targets:
                store.set_disclosure(record.id, att.n, Disclosure.WITHHELD, grounds)
                store.hold_content(att.sha256, record.id, grounds)
                store.append_audit(at=now_iso(), clerk=clerk, record_id=record.id, attachment_n=att.n,
                                   attachment_name=att.name, old_level=att.disclosure, new_level=Disclosure.WITHHELD,
                                   grounds=grounds, reason=reason)
            on_commit()
            write_index(affected, True)
    return affected


def _check_withhold(att: Attachment, grounds: list[int]) -> None:
    if not grounds:
        raise ChangeRefused(N_("비공개로 하려면 비공개 사유가 하나 이상 있어야 합니다."))
    if unknown := [g for g in grounds if g not in GROUNDS]:
        raise ChangeRefused(N_("알 수 없는 비공개 사유입니다: %(grounds)s"), grounds=", ".join(map(str, unknown)))
    # a file the portal holds for review may become the clerk's own withhold on the same grounds
    if att.disclosure is Disclosure.WITHHELD and att.grounds == grounds and att.hold is None:
        raise ChangeRefused(N_("첨부파일이 이미 이 사유로 비공개입니다."))


def release_findings(store: Store, sha256: str) -> list[tuple[str, str]]:
    """What a clerk must confirm before releasing these bytes: the personal data found in them, and
    whether they are a scan OCR has not read yet, which was checked for nothing: released
    unconfirmed, its resident numbers would be public before the reading could warn anyone."""
    findings = store.personal_data(sha256)
    extraction = store.extraction(sha256)
    if extraction is not None and extraction.status is TextStatus.PENDING:
        findings = [*findings, ("unread", "OCR")]
    return findings


def _check_release(store: Store, record: Record, att: Attachment, grounds: list[int], confirmed: bool) -> None:
    if grounds:
        raise ChangeRefused(N_("공개할 때는 비공개 사유를 고르지 않습니다."))
    # a clerk's earlier withhold of these bytes in this record is released here too, even
    # when a later batch renamed the file (its own row then says public)
    held_here = store.clerk_withheld_here(att.sha256, record.id)
    twins = [a for a in record.attachments if a.sha256 == att.sha256 and a.n != att.n
             and a.disclosure is Disclosure.WITHHELD]
    if twins:
        raise ChangeRefused(N_("같은 파일이 이 기록의 첨부 %(n)s로 비공개입니다: 그것을 먼저 공개하십시오."),
                            n=twins[0].n)
    if att.disclosure is Disclosure.PUBLIC and not held_here:
        if att.withheld_elsewhere is not None:
            raise ChangeRefused(N_("같은 파일이 다른 기록에서 비공개입니다: 그 기록에서 공개하십시오."))
        raise ChangeRefused(N_("첨부파일이 이미 공개되어 있습니다."))
    if record.withheld_grounds:
        raise ChangeRefused(N_("기록 전체가 비공개입니다: 첨부파일도 비공개로 남습니다."))
    findings = release_findings(store, att.sha256)
    if findings and not confirmed:
        raise NeedsConfirmation(findings)


def _commit(store: Store, record: Record, att: Attachment, change: Change, grounds: list[int], reason: str,
            write_index: WriteIndex) -> audit.Entry:
    new_level = Disclosure.WITHHELD if change.withhold else Disclosure.PUBLIC
    # every record holding the same bytes changes with it (content withheld anywhere is
    # withheld everywhere); marked first, committed on its own, so catch_up repairs any crash
    affected = sorted(store.records_with({att.sha256}) | {record.id})
    store.mark_pending(affected)
    confirmed = change.confirm_personal_data and not change.withhold
    with store.transaction():
        store.set_disclosure(record.id, att.n, new_level, grounds)
        if change.withhold:  # the content itself, whatever record or name carries it later
            store.hold_content(att.sha256, record.id, grounds)
        else:
            store.release_content(att.sha256, record.id)
            store.set_until(att.sha256, record.id, None, change.clerk)  # released: no date waits any more
        if confirmed:
            store.clear_personal_data(att.sha256, record.id)
        store.append_audit(at=now_iso(), clerk=change.clerk, record_id=record.id, attachment_n=att.n,
                           attachment_name=att.name, old_level=att.disclosure, new_level=new_level,
                           grounds=grounds, reason=reason, personal_data_confirmed=confirmed)
        # withholding: the index loses the text inside the transaction, before the commit
        if change.withhold:
            write_index(affected, True)
    if not change.withhold:
        write_index(affected, False)
    return store.audit_of_record(record.id)[-1]
