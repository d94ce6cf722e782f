"""Ingest release batches: validate each record, store its files, extract their text."""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from pathlib import Path

from .batch import BatchError, opened, record_folders
from .blobs import Staged, sha256_of
from .disclosure import Disclosure
from .extract import EXTRACTOR_VERSION, OCR_REASONS, extract_text, media_type_of
from .ingest_ahead import AHEAD_FROM, Ahead, Derived, ReadAhead, stage_copy
from .ingest_group import Group, Prepared
from .messages import N_
from .outcomes import DropFromIndex, IndexLock, Limits, Outcome, Report, Status
from .pii import find_personal_data
from .records import Attachment, Record, TextStatus
from .resend import hold_resent_files
from .store import Store
from .validate import Problem, find_file, problems_of

__all__ = ["Limits", "Outcome", "Report", "Status", "extraction_row", "ingest_paths", "reextract_stale"]


def _as_is(folders: list[Path], label: str) -> Iterable[Path]:
    return folders


def ingest_paths(
    store: Store, paths: list[Path],
    each: Callable[[list[Path], str], Iterable[Path]] = _as_is,
    drop_from_index: DropFromIndex | None = None,
    index_lock: IndexLock = nullcontext,
    limits: Limits | None = None,
    derived: Derived | None = None,
) -> Report:
    """Ingest every batch in `paths` into the store; each record stands or falls alone.

    `each` wraps the record folders of one batch, e.g. in a progress bar. `drop_from_index`
    takes records out of the search index before a change could make part of them less
    public (a replaced record, or other records holding a file this one withholds); the
    caller indexes them again after the batch. Records are committed in groups (ingest_group.py).
    `derived`: work on each file's text a read-ahead child does too (ingest_ahead.Derived).
    """
    report = Report()
    seen: set[str] = set()
    limits = limits or Limits()
    group = Group(store, report, limits, drop_from_index, index_lock)
    for path in paths:
        try:
            with opened(Path(path), limits.unpack_dir) as root:
                folders = record_folders(root)
                if limits.max_records is not None and len(folders) > limits.max_records:
                    raise BatchError(N_("%(name)s: 기록 %(n)s건: 한 묶음에 %(max)s건까지 받습니다"), cli="both",
                                     name=Path(path).name, n=len(folders), max=limits.max_records)
                ahead = None
                if len(folders) >= AHEAD_FROM:
                    ahead = ReadAhead(folders, functools.partial(read_folder, staging=store.blobs.staging_folder(),
                                                                 make=derived.make if derived else None))
                try:
                    _each_record(store, group, each(folders, str(path)), seen, ahead, derived)
                finally:
                    if ahead is not None:
                        ahead.close()
                group.commit()  # before the unpacked batch goes
        except BatchError as exc:
            report.unreadable.append(exc.listed())  # the CLI's text, the refusal kept for a page
    return report


def _each_record(store: Store, group: Group, folders: Iterable[Path], seen: set[str], ahead: ReadAhead | None,
                 derived: Derived | None = None):
    for folder in folders:
        pre = ahead.take(folder) if ahead else None
        try:
            prepared = prepare_record(store, folder, seen, pre)
            if derived and pre is not None and isinstance(prepared, Prepared):
                for sha, made in pre.derived.items():
                    derived.keep(pre.extractions[sha]["text"], made)
            group.add(prepared)
        except OSError as exc:  # unreadable file: this record fails, not the batch
            why = Problem(N_("file: 읽을 수 없습니다 (%(why)s)"), why=exc.strerror)
            group.add(Outcome(folder.name, Status.REJECTED, [why]))
        finally:
            if pre is not None:
                pre.discard()  # what the record did not take
        if group.due():
            group.commit()


def read_folder(folder: Path, staging: Path | None = None, make: Callable[[str], str] | None = None) -> Ahead:
    """What reading a record folder needs nothing of the store for; with `staging` (ingest_ahead's
    child), each small file's bytes also staged there and their text extracted from that copy
    (and `make` run over that text: Derived)."""
    try:  # utf-8-sig: editors on Korean Windows often save record.json with a BOM
        data = json.loads((folder / "record.json").read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Ahead(str(folder), error=str(exc))
    ahead = Ahead(str(folder), data=data, problems=problems_of(data, folder))
    if ahead.problems:
        return ahead
    try:
        files = [_read_file(find_file(folder, a["file"])) for a in data.get("attachments", [])]
    except OSError:
        return ahead  # files None: the ingest reads them itself, and says why
    try:
        for (_, sha, _, content), att in zip(files, data.get("attachments", []), strict=True):
            if staging is not None and content is not None and sha not in ahead.staged:
                ahead.staged[sha] = tmp = stage_copy(content, staging)
                ahead.extractions[sha] = row = extraction_row(sha, tmp, att["file"])
                if make is not None and row["text"]:
                    ahead.derived[sha] = make(row["text"])
    except BaseException:
        ahead.discard()
        raise
    # the bytes of a staged file stay in its copy: only names and text cross the pipe
    ahead.files = [(path, sha, size, None if sha in ahead.staged else content) for path, sha, size, content in files]
    return ahead


def prepare_record(store: Store, folder: Path, seen: set[str], pre: Ahead | None = None) -> Prepared | Outcome:
    """Read and check one record folder and stage its files; an Outcome when nothing is to be stored.

    `pre`: the folder as a read-ahead child read it (ingest_ahead.py), else it is read here.
    """
    pre = pre or read_folder(folder)
    if pre.error is not None:
        why = Problem(N_("record.json: 올바른 JSON이 아닙니다 (%(why)s)"), why=pre.error)
        return Outcome(folder.name, Status.REJECTED, [why])
    data = pre.data
    record_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else folder.name
    problems = list(pre.problems)
    if record_id in seen:
        problems.append(Problem(N_("id: %(id)s이(가) 이 수집에 두 번 나옵니다"), id=repr(record_id)))
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
    files = pre.files if pre.files is not None else [_read_file(find_file(folder, a["file"]))
                                                     for a in data.get("attachments", [])]
    digest = _digest(data, [(sha, size) for _, sha, size, _ in files])
    previous = store.digest_of(record_id)
    if previous and previous[0] == digest:
        return Outcome(record_id, Status.UNCHANGED, notes=notes)

    record, extractions, staged, kept = _build(store, data, files, pre)
    before = store.get(record_id, withdrawn=True) if previous else None  # a withdrawn one too
    held = hold_resent_files(store, record, extractions, before)
    withheld = {a.sha256 for a in record.attachments
                if record.withheld_grounds or a.disclosure is Disclosure.WITHHELD}
    # and, for a replaced record, the copies of its old files elsewhere: their level may change
    affected = store.records_with(withheld) | ({record_id} if previous else set()) \
        | store.records_with({a.sha256 for a in before.attachments} if before else set())
    outcome = Outcome(record_id, Status.REPLACED if previous else Status.ADDED, notes=held + notes,
                      held=[a.name for a in record.attachments if a.hold])
    return Prepared(outcome, record, digest, extractions, staged, affected, kept)


SMALL_FILE = 1 << 20  # read once into memory: hashed for the digest, then staged from the same bytes


def _read_file(path: Path) -> tuple[Path, str, int, bytes | None]:
    """(path, SHA-256, size, its bytes when small); the bytes hashed are the bytes stored and read."""
    if path.stat().st_size > SMALL_FILE:
        return (path, *sha256_of(path), None)
    content = path.read_bytes()
    return path, hashlib.sha256(content).hexdigest(), len(content), content


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


def _build(store: Store, data: dict, files: list, pre: Ahead) -> tuple[Record, dict[str, dict], list[Staged], list]:
    attachments = []
    extractions: dict[str, dict] = {}
    staged, kept = [], {}
    for n, (att, (path, sha, size, content)) in enumerate(zip(data.get("attachments", []), files, strict=True),
                                                          start=1):
        # the read-ahead child's copy; a second file of the same bytes (or a copy swept) is staged anew
        item = store.blobs.adopt(pre.staged.pop(sha), sha, size) if sha in pre.staged else None
        if item is None:
            item = store.blobs.stage(path, content)
        staged.append(item)
        sha = item.sha256
        cached = store.extraction(sha)
        if cached and cached.extractor == EXTRACTOR_VERSION:
            kept[sha] = cached  # written again by the save if a garbage collection takes it meanwhile
        elif sha not in extractions:
            # read from the staged copy (or, read ahead, from a copy of the bytes hashed): the text
            # kept for a hash is the text of those very bytes
            extractions[sha] = pre.extractions.get(sha) or extraction_row(sha, item.tmp or store.blobs.path(sha),
                                                                           att["file"])
        attachments.append(
            Attachment(
                n=n, name=att["file"], title=att.get("title"), note=att.get("note"),
                disclosure=Disclosure(att["disclosure"]), grounds=sorted(set(att.get("grounds", []))),
                sha256=sha, size=item.size, media_type=media_type_of(att["file"]),
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
    return record, extractions, staged, [e for sha, e in kept.items() if sha not in extractions]
