"""Re-sends of records a clerk has acted on: what ingest holds for review, and which records it watches."""

from __future__ import annotations

from .disclosure import Disclosure
from .records import Hold, Record
from .store import Store


def hold_resent_files(store: Store, record: Record, extractions: dict[str, dict], previous: Record | None) -> list[str]:
    """Fail closed when a record a clerk has acted on comes again: hold what is not provably public.

    An agency re-sends a record whose file a clerk withheld (a phone number in 참석자명단.hwpx), now
    as 참석자명단(최종).hwpx with a line added. Names change ("(최종)", NFD from Macs) and re-saved
    HWPX files always have new bytes, so neither can carry the clerk's decision. Only a file whose
    bytes were public in the previous version is provably the same public content; every other
    file the batch calls public is withheld (Hold.RESEND_REVIEW) until a clerk releases it, which
    needs the personal-data confirmation like any release. The trigger: a clerk's withhold of any
    of the record's content (in this record, or of bytes it holds, made in another), a file under
    review, or personal data no clerk has cleared -- and, once any of these was true, for good
    (resend_watch), so that a re-send leaving a file out cannot make the record forget.
    `previous` is the stored version, withdrawn or not (a withdrawn record's holds count too).
    Returns the report's notes, one per held file.
    """
    if previous is None or record.withheld_grounds:
        watch_new_personal_data(store, record, extractions)
        return []
    holds = store.clerk_holds_of(record.id) + store.clerk_holds_on({a.sha256 for a in previous.attachments})
    reviewing = [a for a in previous.attachments if a.hold]
    watched = store.watched(record.id)
    uncleared = store.uncleared_personal_data(record.id)
    if not (holds or reviewing or uncleared or watched is not None):
        watch_new_personal_data(store, record, extractions)
        return []
    # the grounds the clerk gave; personal information (6) when only a finding triggered it
    grounds = sorted({g for _, gs in holds for g in gs} | {g for a in reviewing for g in a.grounds}
                     | set(watched or [])) or [6]
    store.watch(record.id, grounds)
    public_before = {a.sha256 for a in previous.public_attachments()}
    decided = dict(store.clerk_holds_on({a.sha256 for a in record.attachments}))
    notes = []
    for att in record.attachments:
        if att.disclosure is not Disclosure.PUBLIC:
            continue
        if att.sha256 in decided:  # the very bytes a clerk withheld: the decision stands as it is
            att.disclosure, att.grounds = Disclosure.WITHHELD, decided[att.sha256]
            notes.append(f"{att.name}: kept withheld, as a clerk decided")
        elif att.sha256 not in public_before:
            att.disclosure, att.grounds, att.hold = Disclosure.WITHHELD, grounds, Hold.RESEND_REVIEW
            notes.append(f"{att.name}: {Hold.RESEND_REVIEW.label}: withheld until a clerk reviews it "
                         "(the record carries a clerk's withhold or personal data no clerk has cleared)")
    return notes


def watch_new_personal_data(store: Store, record: Record, extractions: dict[str, dict]) -> None:
    """Personal data found in this version: its later re-sends are held for review, whatever they hold."""
    def found(sha: str) -> bool:
        row = extractions.get(sha)
        return (row["pii"] != "[]") if row else bool(store.personal_data(sha))

    if any(found(a.sha256) for a in record.attachments):
        store.watch(record.id, [6])
