"""Reading ahead: a large batch's record folders read, checked and extracted in a second process.

An ingest is Python work on one core: reading record.json and checking it, hashing each file,
extracting and scanning its text take about half of it, and need nothing from the store. So for
a batch of AHEAD_FROM records or more, a forked child does that for the folders in order while
this process stores and indexes the ones before (two cores at once), sending one reading a
folder over a pipe. The pipe bounds how far it runs ahead: a send waits until this process has
taken the reading before. Whatever goes wrong in the child (it dies, a reading fails), this
process reads that folder itself, as a small batch always is: the child only saves work.

The child is no wider a door than this process: the same functions read the same bytes, each
parser of a file's bytes still runs inside the extraction guard (archive/extract/guard.py), and
the text kept for a file is the text of the very bytes hashed and stored (it extracts from its own
copy of them, never from the batch folder again). It never touches the store: it inherits this
process's open store, and leaves by os._exit as the guard's children do, so nothing of it closes.
When this process is killed, the child's next send fails and it ends.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

AHEAD_FROM = 32  # record folders in one batch from which a child reads ahead (its fork costs ~10 ms)
AHEAD_MAX = 64  # readings taken from the pipe and not yet used: how far the child may run ahead


@dataclass
class Ahead:
    """A folder as the child read it; `unread` when this process must read it itself."""

    folder: str
    unread: bool = False
    data: object = None  # record.json, parsed
    error: str | None = None  # why record.json is not JSON
    problems: list = field(default_factory=list)  # archive.validate.problems_of
    files: list | None = None  # [(path, sha256, size, bytes or None)], every attachment read
    extractions: dict = field(default_factory=dict)  # sha256 -> extraction row, for files read whole
    staged: dict = field(default_factory=dict)  # sha256 -> its copy in the blob store's staging folder

    def discard(self) -> None:
        """Remove the staged copies no record took (rejected, unchanged, skipped)."""
        for tmp in self.staged.values():
            Path(tmp).unlink(missing_ok=True)
        self.staged.clear()


def stage_copy(content: bytes, folder: Path) -> Path:
    """The bytes hashed, written once to the staging folder: stored from there, and read for their text
    (never the batch's file again, which may have changed since)."""
    fd, tmp = tempfile.mkstemp(dir=folder)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    return Path(tmp)


def _run(conn, theirs, folders: list[Path], read: Callable[[Path], Ahead]) -> None:
    theirs.close()  # the parent's end, which the fork copied: held here, a dead parent's pipe never breaks
    try:
        for folder in folders:
            try:
                ahead = read(folder)
            except Exception:  # noqa: BLE001 - the parent reads this one itself, and says why
                ahead = Ahead(str(folder), unread=True)
            conn.send(ahead)
    except (BrokenPipeError, OSError):
        return  # the parent is gone or has closed: nothing more to read for
    finally:
        conn.close()


class ReadAhead:
    """The child reading `folders` in order; `take(folder)` gives its reading, in the same order.

    A thread here empties the pipe into a queue of AHEAD_MAX readings, so that the child runs on
    while this process indexes (a pipe holds one or two readings; the queue bounds the memory).
    """

    def __init__(self, folders: list[Path], read: Callable[[Path], Ahead]):
        self.order = {str(f): i for i, f in enumerate(folders)}
        self.next = 0  # the index of the reading the queue gives next
        ctx = multiprocessing.get_context("fork")  # as the extraction guard: the code is loaded already
        self.conn, child = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_run, args=(child, self.conn, list(folders), read), daemon=True)
        self.proc.start()
        child.close()
        self.readings: queue.Queue = queue.Queue(AHEAD_MAX)
        self.closed = threading.Event()
        self.receiver = threading.Thread(target=self._receive, name="ingest-read-ahead", daemon=True)
        self.receiver.start()

    def _receive(self) -> None:
        def put(item) -> bool:
            while not self.closed.is_set():
                try:
                    self.readings.put(item, timeout=0.1)
                    return True
                except queue.Full:  # the ingest is busy storing or indexing: the child waits
                    continue
            return False

        try:
            while not self.closed.is_set():
                if self.conn.poll(0.1) and not put(self.conn.recv()):
                    return
        except (EOFError, OSError):
            pass
        put(None)  # the end: the child finished, or died (its folders are read by the ingest itself)

    def take(self, folder: Path) -> Ahead | None:
        """The child's reading of `folder` (readings of folders skipped before it dropped); None: read it here."""
        want = self.order.get(str(folder))
        if want is None or want < self.next:
            return None
        while True:
            got = self.readings.get()
            if got is None:  # the child ended early, or this reader closed: the rest is read here
                self.next = len(self.order)
                self.readings.put(None)
                return None
            self.next += 1
            if got.folder == str(folder) and not got.unread:
                return got
            got.discard()
            if got.folder == str(folder):
                return None

    def close(self) -> None:
        self.closed.set()  # the receiver stops within 0.1 s
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.receiver.join()
        self.conn.close()
        while True:  # readings never taken: their staged copies go
            try:
                got = self.readings.get_nowait()
            except queue.Empty:
                return
            if got is not None:
                got.discard()
