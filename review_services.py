"""The changes of issue 14, one function each, as services.py's are: four eyes (requests, approve,
reject), withholds that end on a date (release-due), withdrawing and restoring records (one, or an
ingest run's), releasing an orphaned hold, and withholding from a workspace search in bulk.

The CLI (clerk_commands.py) and the workspace (web/clerk_review.py) call these, never the parts
behind them; the rules are archive.review's and archive.changes', the order of side effects
(index, store, renditions, audit) fails closed as in services.change_disclosure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from archive import audit, review
from archive.changes import Change
from archive.changes import check as check_change
from archive.messages import N_
from archive.store import Store
from index import service as search
from index.engine import Engine
from index.locking import index_lock
from services import change_disclosure, purge_renditions


@dataclass
class Decision:
    """What a disclose did: the audit entry of what happened now, and the change left for a second clerk."""

    entry: audit.Entry | None = None
    pending: review.Pending | None = None


def _writer(engine: Engine, store: Store):
    return lambda ids, purge: search.write(engine, store, ids, purge)


def _request(store: Store, kind: review.ChangeKind, record_id: str, n: int | None, sha: str | None, clerk: str,
             reason: str, payload: dict) -> review.Pending:
    change_id = store.add_pending(kind, record_id, n, sha, clerk, reason.strip(), payload)
    store.append_event(clerk=clerk, action=review.EventAction.REQUEST, record_id=record_id, n=n,
                       reason=f"{kind.value}: {reason.strip()}", change_id=change_id)
    return store.pending_change(change_id)


def disclose(store: Store, engine: Engine, data_dir: Path, change: Change, *, four_eyes: bool = False,
             until: str | None = None) -> Decision:
    """Withhold (now; its end date waits under four eyes) or release (waits under four eyes)."""
    if change.withhold:
        entry = change_disclosure(store, engine, data_dir, change)
        sha = store.get(change.record_id, withdrawn=True).attachment(change.n).sha256
        store.set_until(sha, change.record_id, None, change.clerk)  # a new withhold ends no earlier date
        if until and four_eyes:
            return Decision(entry, _request(store, review.ChangeKind.UNTIL, change.record_id, change.n, sha,
                                            change.clerk, change.reason, {"until": until,
                                            "confirm_personal_data": change.confirm_personal_data}))
        if until:
            store.set_until(sha, change.record_id, until, change.clerk, change.confirm_personal_data)
            store.append_event(clerk=change.clerk, action=review.EventAction.SET_UNTIL, record_id=change.record_id,
                               n=change.n, reason=f"{until}: {change.reason.strip()}")
        return Decision(entry)
    if not four_eyes:
        return Decision(change_disclosure(store, engine, data_dir, change))
    _record, att, _, _ = check_change(store, change)  # refused now, not when the second clerk looks
    return Decision(pending=_request(store, review.ChangeKind.RELEASE, change.record_id, change.n, att.sha256,
                                     change.clerk, change.reason,
                                     {"confirm_personal_data": change.confirm_personal_data}))


def _decidable(store: Store, change_id: int, clerk: str, action: str) -> tuple[review.Pending, object]:
    found = store.pending_change(change_id)
    if found is None or found.state is not review.ChangeState.PENDING:
        raise review.ReviewRefused(N_("기다리는 변경 #%(id)s이 없습니다."), id=change_id)
    if found.clerk == clerk:
        raise review.ReviewRefused(N_("변경 #%(id)s은 %(clerk)s 담당자가 요청했습니다: 다른 담당자가 결정해야 합니다."),
                                   cli="both", id=change_id, clerk=clerk)
    record = store.get(found.record_id, withdrawn=True)
    if record is None:
        raise review.ReviewRefused(N_("기록이 없습니다: %(record)s"), record=found.record_id)
    review.acting_clerk(store, clerk, record, f"{action} change {change_id}")
    return found, record


def approve(store: Store, engine: Engine, data_dir: Path, change_id: int, clerk: str) -> review.Pending:
    """A second clerk approves: the change is claimed, then made (the claim undone when it is refused)."""
    found, record = _decidable(store, change_id, clerk, "approve")
    if not store.decide_pending(change_id, review.ChangeState.APPROVED, clerk, ""):
        # another clerk decided it first
        raise review.ReviewRefused(N_("기다리는 변경 #%(id)s이 없습니다."), id=change_id)
    try:
        _apply(store, engine, data_dir, found, record, clerk)
    except BaseException:
        store.reopen_pending(change_id)
        raise
    store.append_event(clerk=clerk, action=review.EventAction.APPROVE, record_id=found.record_id,
                       n=found.attachment_n, reason=f"{found.kind.value} #{change_id} ({found.clerk})",
                       change_id=change_id)
    return store.pending_change(change_id)


def _apply(store: Store, engine: Engine, data_dir: Path, found: review.Pending, record, clerk: str) -> None:
    reason = f"{found.reason} (#{found.id}, 요청 requested by {found.clerk})"
    att = next((a for a in record.attachments if a.sha256 == found.sha256), None)
    if found.kind is review.ChangeKind.RESTORE:
        review.restore(store, record.id, clerk, reason, _writer(engine, store), lambda: index_lock(engine.data_dir))
        search.catch_up(engine, store)
    elif found.kind is review.ChangeKind.ORPHAN:
        _release_orphan_now(store, engine, data_dir, found.sha256, record.id, clerk, reason)
    elif att is None:
        raise review.ReviewRefused(N_("기록 %(record)s에 변경 #%(id)s의 파일이 더 이상 없습니다."),
                                   record=record.id, id=found.id)
    elif found.kind is review.ChangeKind.RELEASE:
        change_disclosure(store, engine, data_dir, Change(record.id, att.n, False, reason, clerk,
                                                          confirm_personal_data=found.payload["confirm_personal_data"]))
    elif not store.clerk_withheld_here(att.sha256, record.id):  # UNTIL: the withhold it ends is gone
        raise review.ReviewRefused(N_("%(record)s의 첨부 %(n)s은 더 이상 담당자의 비공개가 아닙니다."),
                                   record=record.id, n=att.n)
    else:
        store.set_until(att.sha256, record.id, found.payload["until"], found.clerk,
                        found.payload.get("confirm_personal_data", False))


def reject(store: Store, change_id: int, clerk: str, reason: str) -> review.Pending:
    found, _ = _decidable(store, change_id, clerk, "reject")
    if not reason.strip():
        raise review.ReviewRefused(N_("이유를 적어야 합니다."))
    if not store.decide_pending(change_id, review.ChangeState.REJECTED, clerk, reason.strip()):
        raise review.ReviewRefused(N_("기다리는 변경 #%(id)s이 없습니다."), id=change_id)
    store.append_event(clerk=clerk, action=review.EventAction.REJECT, record_id=found.record_id,
                       n=found.attachment_n, reason=f"{found.kind.value} #{change_id}: {reason.strip()}",
                       change_id=change_id)
    return store.pending_change(change_id)


def withdraw(store: Store, engine: Engine, data_dir: Path, record_id: str, clerk: str, reason: str) -> None:
    """Take a record off every public path: index first, then the store; renditions of its files only it held."""
    review.withdraw(store, record_id, clerk, reason, _writer(engine, store), lambda: index_lock(engine.data_dir))
    purge_renditions(store, data_dir, {a.sha256 for a in store.get(record_id, withdrawn=True).attachments})
    search.catch_up(engine, store)  # this node's index follows the change at once


def withdraw_run(store: Store, engine: Engine, data_dir: Path, run_id: int, clerk: str, reason: str) -> list[str]:
    """Withdraw every record an ingest run added or replaced (an agency's mistaken batch); the ids withdrawn."""
    ids = store.records_of_ingest(run_id)
    if ids is None:
        raise review.ReviewRefused(N_("그런 수집 작업이 없습니다: %(run)s"), run=run_id)
    for record_id in ids:  # each checked first: a clerk of another agency withdraws none of them
        review.acting_clerk(store, clerk, store.get(record_id, withdrawn=True), "withdraw")
    todo = sorted(set(ids) - store.withdrawn_ids(ids))
    for record_id in todo:
        withdraw(store, engine, data_dir, record_id, clerk, f"{reason} (ingest run {run_id})")
    return todo


def restore(store: Store, engine: Engine, data_dir: Path, record_id: str, clerk: str, reason: str, *,
            four_eyes: bool = False) -> review.Pending | None:
    """Bring a withdrawn record back; under four eyes, a pending change."""
    record = store.get(record_id, withdrawn=True)
    if record is None:
        raise review.ReviewRefused(N_("기록이 없습니다: %(record)s"), record=record_id)
    review.acting_clerk(store, clerk, record, "restore")
    if not reason.strip():
        raise review.ReviewRefused(N_("이유를 적어야 합니다."))
    if store.withdrawal(record_id) is None:
        raise review.ReviewRefused(N_("기록 %(record)s은 철회된 기록이 아닙니다."), record=record_id)
    if four_eyes:
        return _request(store, review.ChangeKind.RESTORE, record_id, None, None, clerk, reason, {})
    review.restore(store, record_id, clerk, reason, _writer(engine, store), lambda: index_lock(engine.data_dir),
                   checked=True)
    search.catch_up(engine, store)  # this node's index follows the change at once
    return None


def release_due(store: Store, engine: Engine, data_dir: Path, today: str) -> list[str]:
    """Release every clerk's withhold whose date has come; one line per hold (released, or why not).

    The release keeps every rule of a release (a twin withheld, the record withheld whole, personal
    data not confirmed when the date was set): a refused one stays due and is said, never forced.
    """
    lines = []
    for hold in store.due_holds(today):
        record = store.get(hold.record_id, withdrawn=True)
        if record is None or not store.clerk_withheld_here(hold.sha256, hold.record_id):
            store.set_until(hold.sha256, hold.record_id, None, hold.clerk)  # released some other way
            continue
        att = next((a for a in record.attachments if a.sha256 == hold.sha256), None)
        reason = f"예약 공개 scheduled release ({hold.until}, {hold.clerk})"
        try:
            if att is None:
                _release_orphan_now(store, engine, data_dir, hold.sha256, record.id, hold.clerk, reason)
            else:
                from archive.changes import scheduled_release
                scheduled_release(store, record, att, hold.clerk, reason, hold.confirmed, _writer(engine, store),
                                  lambda: index_lock(engine.data_dir))
                purge_renditions(store, data_dir, {att.sha256})
                search.catch_up(engine, store)  # this node's index follows the change at once
        except ValueError as exc:
            lines.append(f"{record.id} {hold.sha256[:12]}: not released: {exc}")
            continue
        store.append_event(clerk="release-due", action=review.EventAction.SCHEDULED_RELEASE, record_id=record.id,
                           n=att.n if att else None, reason=reason, from_level="withheld", to_level="public")
        lines.append(f"{record.id} attachment {att.n if att else '-'}: released ({hold.until})")
    return lines


def _release_orphan_now(store: Store, engine: Engine, data_dir: Path, sha: str, record_id: str, clerk: str,
                        reason: str) -> list[str]:
    """End a clerk's content decision made in a record that no longer holds the bytes: store, then index."""
    affected = sorted(store.records_with({sha}))
    store.mark_pending(affected)
    with index_lock(engine.data_dir):
        with store.transaction():
            store.release_content(sha, record_id)
            store.set_until(sha, record_id, None, clerk)
            store.append_event(clerk=clerk, action=review.EventAction.RELEASE_ORPHAN, record_id=record_id,
                               reason=f"{sha[:12]}: {reason}", from_level="withheld", to_level="public")
            store.refresh_public(affected, {sha})
        search.write(engine, store, affected, False)
    purge_renditions(store, data_dir, {sha})
    search.catch_up(engine, store)  # this node's index follows the change at once
    return affected


def release_orphan(store: Store, engine: Engine, data_dir: Path, sha: str, record_id: str, clerk: str,
                   reason: str, *, four_eyes: bool = False) -> review.Pending | None:
    """Release an orphaned hold (see README: what it means); under four eyes, a pending change."""
    record = store.get(record_id, withdrawn=True)
    if record is None or not any(o.sha256 == sha and o.record_id == record_id for o in store.orphan_holds()):
        raise review.ReviewRefused(N_("%(record)s에 남은 보류 %(sha)s이 없습니다."), record=record_id, sha=sha[:12])
    review.acting_clerk(store, clerk, record, "release orphaned hold")
    if not reason.strip():
        raise review.ReviewRefused(N_("이유를 적어야 합니다."))
    if four_eyes:
        return _request(store, review.ChangeKind.ORPHAN, record_id, None, sha, clerk, reason, {})
    _release_orphan_now(store, engine, data_dir, sha, record_id, clerk, reason.strip())
    return None


def bulk_withhold(store: Store, engine: Engine, data_dir: Path, clerk: str, record_ids: list[str],
                  name: str | None, grounds: list[int], reason: str) -> int:
    """Withhold the attachment called `name` (None: every attachment) of each record, as one audited change.

    Bounded (review.MAX_BULK records); every record is checked for the clerk's agencies before
    anything is written, so a selection is withheld whole or not at all. Returns how many withheld.
    """
    import unicodedata

    from archive.changes import bulk_withhold as commit
    from archive.disclosure import Disclosure

    if len(record_ids) > review.MAX_BULK:
        raise review.ReviewRefused(N_("한 번에 %(max)s건까지 고를 수 있습니다."), cli="both", max=review.MAX_BULK)
    if not reason.strip() or not grounds:
        raise review.ReviewRefused(N_("비공개 사유와 이유가 모두 있어야 합니다."))
    want = unicodedata.normalize("NFC", name.strip()) if name else None
    targets = []
    for record_id in record_ids:
        record = store.get(record_id, withdrawn=True)
        if record is None:
            raise review.ReviewRefused(N_("기록이 없습니다: %(record)s"), record=record_id)
        review.acting_clerk(store, clerk, record, "bulk withhold")
        for att in record.attachments:
            if want is not None and unicodedata.normalize("NFC", att.name) != want:
                continue
            if att.disclosure is Disclosure.WITHHELD and att.grounds == sorted(set(grounds)) and att.hold is None:
                continue  # withheld on these grounds already
            targets.append((record, att))
    if not targets:
        raise review.ReviewRefused(N_("고른 기록에 비공개로 바꿀 첨부파일이 없습니다."))

    def event():
        store.append_event(clerk=clerk, action=review.EventAction.BULK_WITHHOLD, record_id=None,
                           reason=f"{len(targets)} attachment(s) of {len(record_ids)} record(s)"
                                  f"{' named ' + want if want else ''}: {reason.strip()}", grounds=grounds)

    commit(store, targets, clerk, grounds, reason.strip(), _writer(engine, store), event,
           lambda: index_lock(engine.data_dir))
    purge_renditions(store, data_dir, {a.sha256 for _, a in targets})
    search.catch_up(engine, store)  # this node's index follows the change at once
    return len(targets)
