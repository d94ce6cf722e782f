"""One index writer at a time, across every process of the portal; and the folders it swaps.

Whoosh locks its own writers, but a rebuild works in a fresh folder that Whoosh's lock does
not cover: a withhold written to the old index during a rebuild would be lost at the swap,
and the withheld text would come back with the new index. Every write, rebuild and swap
takes this lock (an flock on a file in the store's folder); it is re-entrant within a
process, so a catch-up that rebuilds does not wait for itself.
"""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from pathlib import Path

_local = threading.RLock()
_held: dict[str, tuple[int, object]] = {}  # data dir -> (depth, open lock file)


# No fork while another thread of this process is inside the lock. A child inherits the open
# files of the moment, and tantivy's writer lock (and Whoosh's) is an flock held for as long as
# any copy of it is open: an ingest's read-ahead child, or an extraction's guard, forked while the
# ingest's indexing thread (index/alongside.py) or a web worker's follower held a writer, kept every
# later write failing (LockBusy) until it exited: a clerk's withhold refused, the node falling
# behind. A fork waits for the write to end (os.register_at_fork); the thread that forks may hold
# the lock itself (it never forks inside a write).
def _before_fork() -> None:
    _local.acquire()


def _after_fork_in_parent() -> None:
    _local.release()


def _after_fork_in_child() -> None:
    global _local
    _local = threading.RLock()  # the child indexes nothing with what it inherited
    _held.clear()


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child)


@contextmanager
def index_lock(data_dir: Path):
    key = str(Path(data_dir).resolve())
    with _local:
        depth, handle = _held.get(key, (0, None))
        if depth == 0:
            Path(key).mkdir(parents=True, exist_ok=True)
            handle = open(Path(key) / ".index.lock", "a+")  # noqa: SIM115 - held across the block
            fcntl.flock(handle, fcntl.LOCK_EX)
        _held[key] = (depth + 1, handle)
        try:
            yield
        finally:
            depth, handle = _held[key]
            if depth == 1:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
                del _held[key]
            else:
                _held[key] = (depth - 1, handle)


def fresh_folder(data_dir: Path, engine: str) -> Path:
    """A new, empty folder for an engine's index, named so that no two processes collide."""
    import os
    import time

    folder = Path(data_dir) / f"{engine}-{time.time_ns()}-{os.getpid()}"
    folder.mkdir(parents=True)
    return folder


def swap_in(data_dir: Path, engine: str, folder: Path) -> None:
    """Point `search-<engine>` at `folder` atomically; keep the index it replaced one generation.

    Call it under index_lock. A reader resolves the link once and sees the old index or the new,
    nothing between; the one just replaced stays, since a reader may still be reading it.
    """
    import os
    import shutil

    data_dir = Path(data_dir)
    link = data_dir / f"search-{engine}"
    previous = link.resolve() if link.exists() else None
    tmp = link.with_name(f".search-{engine}-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(folder.name)
    os.replace(tmp, link)
    for old in data_dir.glob(f"{engine}-*"):
        if old not in (folder, previous) and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


MARK = "yeollam-mark.json"  # in an index folder: what it was made by, and how far it follows the store


def read_mark(folder: Path) -> dict | None:
    """The mark an index folder carries, or None (an index of an older release, or a torn write)."""
    import json

    try:
        with open(Path(folder) / MARK, encoding="utf-8") as handle:
            mark = json.load(handle)
    except (OSError, ValueError):
        return None
    return mark if isinstance(mark, dict) and isinstance(mark.get("seq"), int) else None


def write_mark(folder: Path, mark: dict) -> None:
    """Write the mark whole or not at all (a crash leaves the old one: the feed is then re-read from it)."""
    import json
    import os

    target = Path(folder) / MARK
    tmp = target.with_name(f".{MARK}.{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(mark, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
