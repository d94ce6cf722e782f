"""OCR of the stored scans (issue 16): work through the files waiting for it, a page at a time.

Ingest only marks a scan "OCR pending" (archive/ingest.py): reading takes seconds a page, and one
hostile picture must not hold up a batch. This reads them later (`flask ocr`, or an OCR job), every
page in the extraction guard's child with a page's time and memory budget. What a run has done is in
the store after every page (archive/store/ocr.py): killed at any moment, the next run goes on from
the page it was reading, and a page that keeps killing the reader fails its file after `tries`.

A withheld file is read too, after the public ones: its text serves the clerks' personal-data
check (and their own view of the file) only; public_view and public_text_of keep it off every
public path, as they do for any withheld file's text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from . import ocr
from .extract import _magic, formats
from .extract.clean import clean_text
from .extract.guard import run_guarded
from .pii import find_personal_data
from .store import Scan, Store

_DIGIT_GAP = re.compile(r"(?<=\d) (?=\d)")
PAGE_SECONDS = 120.0  # one page's wall time (Tesseract measured 1-5 s a page at 300 dpi on one core)
PAGE_MEMORY = 1024 * 1024 * 1024  # the reading child's address space beyond what it inherited
TRIES = 3  # runs killed while reading the same page before its file fails
# pages OCR reads of one file: each takes 1-7 s here, so a 10,000-page scan in a batch would hold the
# worker (and every upload queued behind it) for a day; past this the file is stored with no text
MAX_PAGES = 300


class Unavailable(RuntimeError):
    """Tesseract or its Korean data is missing."""


@dataclass(frozen=True)
class Budget:
    seconds: float = PAGE_SECONDS
    memory: int = PAGE_MEMORY
    tries: int = TRIES
    max_pages: int = MAX_PAGES
    dpi: int = ocr.DPI
    psm: int = ocr.PSM


def budget_from(settings) -> Budget:
    """The budget a deployment set: OCR_PAGE_SECONDS, OCR_PAGE_MEMORY_MB, OCR_TRIES, OCR_MAX_PAGES in the
    app's settings (tests), else the same names with ARCHIVE_ in front, else the defaults."""
    def setting(key: str, kind, default):
        value = settings.get(key) or os.environ.get(f"ARCHIVE_{key}")
        return kind(value) if value not in (None, "") else default

    return Budget(seconds=setting("OCR_PAGE_SECONDS", float, PAGE_SECONDS),
                  memory=setting("OCR_PAGE_MEMORY_MB", int, PAGE_MEMORY // 2**20) * 2**20,
                  tries=setting("OCR_TRIES", int, TRIES), max_pages=setting("OCR_MAX_PAGES", int, MAX_PAGES))


@dataclass
class Outcome:
    """What became of one scan."""

    sha256: str
    name: str
    pages: int = 0  # pages read by OCR
    failed: str | None = None  # the reason (a key of archive.extract.REASONS) when it could not be read
    records: list[str] = field(default_factory=list)  # the records holding it, their text changed
    personal_data: bool = False


def kind_of(path, name: str) -> str | None:
    """ocr.PDF or ocr.IMAGE by the file's bytes (its name only where they say nothing)."""
    suffix = _magic(path) or name[name.rfind("."):].lower()
    fmt = formats.registry().get(suffix)
    if fmt is None:
        return None
    return ocr.PDF if fmt.suffix == ".pdf" else ocr.IMAGE if fmt.module.endswith(".image") else None


# -- what runs in the guard's child -------------------------------------------------------

def _plan(path, kind: str):
    try:
        return ("ok", ocr.page_plan(path, kind))
    except ocr.PageRefused as exc:
        return ("refused", exc.reason)


def _page(path, kind: str, index: int, budget: Budget):
    ocr.die_with_parent()  # this guard child goes when the run that forked it is killed (kill -9 too)
    try:
        return ("ok", ocr.read_page(path, kind, index, budget.seconds, budget.dpi, budget.psm))
    except ocr.PageRefused as exc:
        return ("refused", exc.reason)


def _assemble(layer: str, pages: list[str]) -> tuple[str, list]:
    """The file's text (its text-layer pages first, then the pages read) and the personal data in it."""
    text = clean_text("\n\n".join(t for t in [layer, *pages] if t.strip()))
    # OCR splits digit runs ("010-2345-6 789"): the scan looks at the text with those spaces out too
    found = find_personal_data(text) + find_personal_data(_DIGIT_GAP.sub("", text))
    return text, [list(x) for x in dict.fromkeys((f.kind, f.masked) for f in found)]


def _assembled(layer: str, pages: list[str]):
    return ("ok", _assemble(layer, pages))


def _guarded(func, *args, budget: Budget) -> tuple[str, object]:
    """("ok", value) or ("refused", reason): a child over its budget or dead says why too."""
    status, value = run_guarded(func, *args, seconds=budget.seconds + 10, memory=budget.memory)
    if status == "ok":
        return value
    return ("refused", value if status == "limit" else "corrupt")


# -- one file -------------------------------------------------------------------------------

def read_scan(store: Store, scan: Scan, budget: Budget = Budget(),
              index_lock: Callable[[], AbstractContextManager] = nullcontext,
              reindex: Callable[[list[str]], None] | None = None,
              page_done: Callable[[], None] | None = None) -> Outcome:
    """Read one pending scan to its end (or fail it with a reason); its records' index entries follow.

    `index_lock` is held from the store's commit of the text to `reindex`'s write of the records'
    entries, so that no other process's catch-up writes the text from before in between.
    """
    outcome = Outcome(scan.sha256, scan.name)
    path = store.blobs.path(scan.sha256)
    kind = kind_of(path, scan.name)
    state, plan = ("ok", []) if kind is None else _guarded(_plan, path, kind, budget=budget)
    if kind is None or state != "ok":
        return _finish(store, scan, outcome, "", [], "unsupported" if kind is None else plan, index_lock, reindex)
    if len(plan) > budget.max_pages:  # refused before any page is read: the cost is known up front
        return _finish(store, scan, outcome, "", [], "too_large", index_lock, reindex)
    done = store.ocr_pages(scan.sha256)
    for index in plan:
        if index in done:
            continue  # read by a run that was killed later
        if store.ocr_try(scan.sha256) > budget.tries:  # the runs before died on this page
            return _finish(store, scan, outcome, "", [], "ocr_failed", index_lock, reindex)
        state, value = _guarded(_page, path, kind, index, budget, budget=budget)
        if state != "ok":
            return _finish(store, scan, outcome, "", [], value, index_lock, reindex)
        store.save_ocr_page(scan.sha256, index, value)
        done[index] = value
        outcome.pages += 1
        if page_done:
            page_done()
    state, value = _guarded(_assembled, scan.text, [done[i] for i in sorted(done)], budget=budget)
    if state != "ok":
        return _finish(store, scan, outcome, "", [], value, index_lock, reindex)
    text, pii = value
    return _finish(store, scan, outcome, text, pii, None if text else "empty", index_lock, reindex)


def _finish(store: Store, scan: Scan, outcome: Outcome, text: str, pii: list, reason: str | None,
            index_lock, reindex) -> Outcome:
    if not text and scan.text:  # OCR failed: the text-layer pages stand, with what ingest found in them
        text, pii = scan.text, [list(f) for f in store.personal_data(scan.sha256)]
    outcome.failed = reason if reason != "empty" else None
    with index_lock():
        outcome.records = store.finish_ocr(scan.sha256, text, reason, pii, None)
        if reindex and outcome.records:
            reindex(outcome.records)
    if pii:
        # like personal data found at ingest: the records' later re-sends are held for a clerk
        outcome.personal_data = True
        for record_id in outcome.records:
            store.watch(record_id, sorted(set(store.watched(record_id) or []) | {6}))
    return outcome


def read_pending(store: Store, each: Callable[[list[Scan], str], Iterable[Scan]] = lambda s, label: s,
                 budget: Budget = Budget(), index_lock=nullcontext, reindex=None,
                 page_done: Callable[[], None] | None = None) -> list[Outcome]:
    """Read every scan waiting for OCR, public ones first; `each` wraps the list (a progress bar).

    Refused (Unavailable) without Tesseract's Korean data: every file would fail for good.
    """
    if not ocr.available():
        raise Unavailable("tesseract with Korean data is not installed (Debian tesseract-ocr, tesseract-ocr-kor; "
                          "`make` installs them)")
    return [read_scan(store, scan, budget, index_lock, reindex, page_done)
            for scan in each(store.pending_scans(), "ocr")]
