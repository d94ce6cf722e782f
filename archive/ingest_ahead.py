"""Reading ahead: a large batch's record folders read, checked and extracted in a second process.

An ingest is Python work on one core: reading record.json and checking it, hashing each file,
extracting and scanning its text take about half of it, and need nothing from the store. So for
a batch of AHEAD_FROM records or more, a forked child does that for the folders in order while
this process stores and indexes the ones before (two cores at once), sending one reading a
folder over a pipe. How far it runs ahead is bounded by AHEAD_BYTES of text waiting here (a
reading carries names and text; the bytes of a file stay in its staged copy). Whatever goes
wrong in the child (it dies, a reading fails), this process reads that folder itself, as a small
batch always is: the child only saves work.

The child is no wider a door than this process: the same functions read the same bytes, each
parser of a file's bytes still runs inside the extraction guard (archive/extract/guard.py), and
the text kept for a file is the text of the very bytes hashed and stored (it extracts from its own
copy of them, never from the batch folder again). It never touches the store: it inherits this
process's open store, and leaves by os._exit as the guard's children do, so nothing of it closes.
When this process is killed, the kernel kills the child (PR_SET_PDEATHSIG), and the guard's
children with theirs.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .extract.guard import die_with_parent

AHEAD_FROM = 32  # record folders in one batch from which a child reads ahead (its fork costs ~10 ms)
AHEAD_BYTES = 64 << 20  # text of readings received and not yet taken: how far the child may run ahead


@dataclass
class Ahead:
    """A folder as the child read it; `unread` when this process must read it itself."""

    folder: str
    unread: bool = False
    data: object = None  # record.json, parsed
    error: str | None = None  # why record.json is not JSON
    problems: list = field(default_factory=list)  # archive.validate.problems_of
    files: list | None = None  # [(path, sha256, size, bytes or None)], every attachment read (staged: None)
    extractions: dict = field(default_factory=dict)  # sha256 -> extraction row, for files read whole
    staged: dict = field(default_factory=dict)  # sha256 -> its copy in the blob store's staging folder
    derived: dict = field(default_factory=dict)  # sha256 -> Derived.make of its text

    def size(self) -> int:
        return (sum(len(row.get("text") or "") for row in self.extractions.values())
                + sum(len(value) for value in self.derived.values()) + 4096 * (len(self.files or ()) + 1))

    def touch(self) -> None:
        """Fresh again: a garbage collection sweeps staging copies an hour old."""
        for tmp in self.staged.values():
            try:
                os.utime(tmp)
            except OSError:
                continue  # gone: the record stages that file again (Blobs.adopt)

    def discard(self) -> None:
        """Remove the staged copies no record took (rejected, unchanged, skipped)."""
        for tmp in self.staged.values():
            Path(tmp).unlink(missing_ok=True)
        self.staged.clear()


@dataclass(frozen=True)
class Derived:
    """More work on a file's text the child may do for this process: `make(text)` there (a str),
    `keep(text, made)` here when the record is stored (the search index's terms: index.analysis)."""

    make: Callable[[str], str]
    keep: Callable[[str, str], None]


def stage_copy(content: bytes, folder: Path) -> Path:
    """The bytes hashed, written once to the staging folder: stored from there, and read for their text
    (never the batch's file again, which may have changed since)."""
    fd, tmp = tempfile.mkstemp(dir=folder)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    return Path(tmp)


def _run(conn, theirs, parent: int, folders: list[Path], read: Callable[[Path], Ahead]) -> None:
    theirs.close()  # the parent's end, which the fork copied: held here, a dead parent's pipe never breaks
    die_with_parent(parent)  # and killed with it: nothing reads on for an ingest that is gone
    try:
        for folder in folders:
            try:
                ahead = read(folder)
            except Exception:  # noqa: BLE001 - the parent reads this one itself, and says why
                ahead = Ahead(str(folder), unread=True)
            try:
                conn.send(ahead)
            except BaseException:
                ahead.discard()
                raise
    except (BrokenPipeError, OSError):
        return  # the parent is gone or has closed: nothing more to read for
    finally:
        conn.close()


class ReadAhead:
    """The child reading `folders` in order; `take(folder)` gives its reading, in the same order.

    A thread here empties the pipe as readings come (a pipe holds a few), up to AHEAD_BYTES of
    their text, so that the child runs on while this process stores and indexes. Not a daemon
    process: the child starts the extraction guard's children, which a daemon may not.
    """

    def __init__(self, folders: list[Path], read: Callable[[Path], Ahead]):
        self.order = {str(f): i for i, f in enumerate(folders)}
        self.next = 0  # the index of the reading taken next
        self.waiting: deque[Ahead] = deque()
        self.held = 0  # AHEAD_BYTES' measure of `waiting`
        self.done = self.closed = False  # no reading will come / this reader is closing
        self.cond = threading.Condition()
        ctx = multiprocessing.get_context("fork")  # as the extraction guard: the code is loaded already
        self.conn, child = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_run, args=(child, self.conn, os.getpid(), list(folders), read))
        self.proc.start()
        child.close()
        self.receiver = threading.Thread(target=self._receive, name="ingest-read-ahead", daemon=True)
        self.receiver.start()

    def _receive(self) -> None:
        try:
            while True:
                with self.cond:
                    while not self.closed and self.waiting and self.held >= AHEAD_BYTES:
                        self.cond.wait(0.1)
                    if self.closed:
                        return
                if not self.conn.poll(0.1):
                    continue
                got = self.conn.recv()
                with self.cond:
                    if self.closed:
                        got.discard()
                        return
                    self.waiting.append(got)
                    self.held += got.size()
                    self.cond.notify_all()
        except BaseException:  # noqa: BLE001 - the child ended or died, or a reading would not unpickle:
            pass  # the folders not yet taken are read by the ingest itself
        finally:
            with self.cond:
                self.done = True
                self.cond.notify_all()

    def take(self, folder: Path) -> Ahead | None:
        """The child's reading of `folder` (readings of folders skipped before it dropped); None: read it here."""
        want = self.order.get(str(folder))
        if want is None or want < self.next:
            return None
        while True:
            with self.cond:
                while not self.waiting and not self.done:
                    self.cond.wait(1.0)
                if not self.waiting:  # the child ended early: the rest is read here
                    self.next = len(self.order)
                    return None
                got = self.waiting.popleft()
                self.held -= got.size()
                self.cond.notify_all()
            self.next += 1
            if got.folder == str(folder) and not got.unread:
                got.touch()
                return got
            got.discard()
            if got.folder == str(folder):
                return None

    def close(self) -> None:
        """Stop the child and remove the staged copies of every reading not taken (one the child was
        writing when killed is swept by garbage collection, an hour idle)."""
        with self.cond:
            self.closed = True
            self.cond.notify_all()
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.receiver.join()
        try:
            while self.conn.poll(0):
                self.conn.recv().discard()
        except BaseException:  # noqa: BLE001 - the pipe's end, or a torn last reading
            pass
        self.conn.close()
        for got in self.waiting:
            got.discard()
        self.waiting.clear()
