"""Ingest release batches: validate each record, store its files, extract their text."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from .batch import BatchError, opened, record_folders
from .blobs import sha256_of
from .disclosure import Disclosure
from .extract import EXTRACTOR_VERSION, OCR_REASONS, extract_text, media_type_of
from .pii import find_personal_data
from .records import Attachment, Hold, Record, TextStatus
from .store import Store
from .validate import find_file, problems_of


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


def _as_is(folders: list[Path], label: str) -> Iterable[Path]:
    return folders


DropFromIndex = Callable[[list[str]], None]
IndexLock = Callable[[], AbstractContextManager]


@dataclass
class Limits:
    """What a deployment lets one ingest do (web uploads: ARCHIVE_MAX_BATCH_RECORDS)."""

    max_records: int | None = None  # record folders in one batch; more and the batch is refused whole
    unpack_dir: Path | None = None  # where a zip is unpacked
    on_outcome: Callable[[Outcome], None] | None = None  # told of each record as it is decided


def ingest_paths(
    store: Store, paths: list[Path],
    each: Callable[[list[Path], str], Iterable[Path]] = _as_is,
    drop_from_index: DropFromIndex | None = None,
    index_lock: IndexLock = nullcontext,
    limits: Limits | None = None,
) -> Report:
    """Ingest every batch in `paths` into the store; each record stands or falls alone.

    `each` wraps the record folders of one batch, e.g. in a progress bar. `drop_from_index`
    takes records out of the search index before a change could make part of them less
    public (a replaced record, or other records holding a file this one withholds); the
    caller indexes them again after the batch.
    """
    report = Report()
    seen: set[str] = set()
    limits = limits or Limits()
    for path in paths:
        try:
            with opened(Path(path), limits.unpack_dir) as root:
                folders = record_folders(root)
                if limits.max_records is not None and len(folders) > limits.max_records:
                    raise BatchError(f"{Path(path).name}: {len(folders)} records; a batch may hold "
                                     f"{limits.max_records} at most (기록 {len(folders)}건: 한 묶음에 "
                                     f"{limits.max_records}건까지 받습니다)")
                for folder in each(folders, str(path)):
                    try:
                        outcome = ingest_record(store, folder, seen, drop_from_index, index_lock)
                    except OSError as exc:  # unreadable file: this record fails, not the batch
                        outcome = Outcome(folder.name, Status.REJECTED, [f"file: cannot be read ({exc.strerror})"])
                    report.outcomes.append(outcome)
                    if limits.on_outcome:
                        limits.on_outcome(outcome)
        except BatchError as exc:
            report.unreadable.append(str(exc))
    return report


def ingest_record(store: Store, folder: Path, seen: set[str],
                  drop_from_index: DropFromIndex | None = None, index_lock: IndexLock = nullcontext) -> Outcome:
    """Ingest one record folder; nothing of it is stored unless all of it is sound."""
    try:
        # utf-8-sig: editors on Korean Windows often save record.json with a BOM
        data = json.loads((folder / "record.json").read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Outcome(folder.name, Status.REJECTED, [f"record.json: not valid JSON ({exc})"])
    record_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else folder.name
    problems = problems_of(data, folder)
    if record_id in seen:
        problems.append(f"id: {record_id!r} appears twice in this ingest")
    if problems:
        return Outcome(record_id, Status.REJECTED, problems)
    seen.add(record_id)

    named = {unicodedata.normalize("NFC", a["file"]) for a in data.get("attachments", [])}
    notes = [
        f"{p.name}: not named by any attachment, not ingested"
        for p in sorted(folder.iterdir())
        if p.name != "record.json" and not p.name.startswith(".")
        and unicodedata.normalize("NFC", p.name) not in named
    ]
    hashes = [sha256_of(find_file(folder, a["file"])) for a in data.get("attachments", [])]
    digest = _digest(data, hashes)
    previous = store.digest_of(record_id)
    if previous and previous[0] == digest:
        return Outcome(record_id, Status.UNCHANGED, notes=notes)

    record, extractions = _build(store, data, folder)
    held = _hold_resent_files(store, record, extractions)
    withheld = {a.sha256 for a in record.attachments
                if record.withheld_grounds or a.disclosure is Disclosure.WITHHELD}
    # and, for a replaced record, the copies of its old files elsewhere: their level may change
    before = store.get(record_id, withdrawn=True) if previous else None
    affected = store.records_with(withheld) | ({record_id} if previous else set()) \
        | store.records_with({a.sha256 for a in before.attachments} if before else set())
    # fail closed: out of the index first (committed), so that neither the rest of the batch
    # nor a crash leaves text searchable that the store now withholds; under the index lock
    # to the save, so that no other process's catch-up re-indexes the old state in between
    with index_lock() if affected else nullcontext():
        if affected:
            store.mark_pending(sorted(affected))
            if drop_from_index:
                drop_from_index(sorted(affected))
        store.save(record, digest, extractions)
    stored = store.get(record_id, withdrawn=True)
    notes += [f"{a.name}: the same file is withheld in another record; withheld here too"
              for a in stored.attachments if a.withheld_elsewhere is not None
              and a.disclosure is Disclosure.PUBLIC]
    return Outcome(record_id, Status.REPLACED if previous else Status.ADDED, notes=held + notes,
                   held=[a.name for a in record.attachments if a.hold])


def _hold_resent_files(store: Store, record: Record, extractions: dict[str, dict]) -> list[str]:
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
    Returns the report's notes, one per held file.
    """
    previous = store.get(record.id, withdrawn=True)  # a withdrawn record's holds count too
    if previous is None or record.withheld_grounds:
        _watch_new_personal_data(store, record, extractions)
        return []
    holds = store.clerk_holds_of(record.id) + store.clerk_holds_on({a.sha256 for a in previous.attachments})
    reviewing = [a for a in previous.attachments if a.hold]
    watched = store.watched(record.id)
    uncleared = store.uncleared_personal_data(record.id)
    if not (holds or reviewing or uncleared or watched is not None):
        _watch_new_personal_data(store, record, extractions)
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


def _watch_new_personal_data(store: Store, record: Record, extractions: dict[str, dict]) -> None:
    """Personal data found in this version: its later re-sends are held for review, whatever they hold."""
    def found(sha: str) -> bool:
        row = extractions.get(sha)
        return (row["pii"] != "[]") if row else bool(store.personal_data(sha))

    if any(found(a.sha256) for a in record.attachments):
        store.watch(record.id, [6])


def _digest(data: dict, hashes: list[tuple[str, int]]) -> str:
    canonical = json.dumps([data, hashes], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def extraction_row(sha: str, path: Path, name: str) -> dict:
    """Extract a file's text into the row the store keeps for its hash.

    The personal-data scan runs where the text is read (in the extraction's child process,
    within its time and memory budget), never over an unbounded text in this one.
    """
    result = extract_text(path, name, scan=find_personal_data)
    findings = [[f.kind, f.masked] for f in result.findings]
    status, reason = result.status, result.reason
    if reason in OCR_REASONS:  # a scan: stored now, read by `ocr` later (archive/scans.py), never here
        status, reason = TextStatus.PENDING.value, "ocr_pending"
    return {
        "sha256": sha, "status": status, "reason": reason, "pages": result.pages,
        "text": result.text, "extractor": EXTRACTOR_VERSION, "pii": json.dumps(findings, ensure_ascii=False),
    }


def reextract_stale(store: Store, each=_as_is) -> list[str]:
    """Read again every stored file that an older extractor read; return the records touched."""
    touched: set[str] = set()
    for sha, name in each(store.stale_extractions(EXTRACTOR_VERSION), "reextract"):
        touched.update(store.save_extraction(extraction_row(sha, store.blobs.path(sha), name)))
    return sorted(touched)


def _build(store: Store, data: dict, folder: Path) -> tuple[Record, dict[str, dict]]:
    attachments = []
    extractions: dict[str, dict] = {}
    for n, att in enumerate(data.get("attachments", []), start=1):
        path = find_file(folder, att["file"])
        sha, size = store.blobs.put(path)
        cached = store.extraction(sha)
        if sha not in extractions and not (cached and cached.extractor == EXTRACTOR_VERSION):
            extractions[sha] = extraction_row(sha, path, att["file"])
        attachments.append(
            Attachment(
                n=n, name=att["file"], title=att.get("title"), note=att.get("note"),
                disclosure=Disclosure(att["disclosure"]), grounds=sorted(set(att.get("grounds", []))),
                sha256=sha, size=size, media_type=media_type_of(att["file"]),
            )
        )
    record = Record(
        id=data["id"], title=data["title"], agency=data["agency"], produced=data["produced"],
        kind=data.get("kind"), department=data.get("department"),
        doc_number=data.get("doc_number"), policy_number=data.get("policy_number"),
        approved=data.get("approved"), retention=data.get("retention"), author=data.get("author"),
        approval_chain=data.get("approval_chain", []),
        classification=data.get("classification", []),
        licences=data.get("licences", ["KOGL-1"]), summary=data.get("summary"),
        withheld_grounds=sorted(set(data["withheld_grounds"])) if data.get("withheld_grounds") else None,
        attachments=attachments,
    )
    return record, extractions
