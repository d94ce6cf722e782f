"""A content-addressed file store: each original is kept once, named by its SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20


@dataclass
class Staged:
    """A file copied in but not yet stored under its hash (`tmp`), or already stored (`tmp` None)."""

    sha256: str
    size: int
    tmp: Path | None


def sha256_of(path: Path) -> tuple[str, int]:
    """Return the SHA-256 (hex) and size of a file."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class Damaged(Exception):
    """A stored file that is missing or no longer hashes to its name."""


class BlobStore:
    """Files under `root/ab/cd/<sha256>`, written whole or not at all."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def verified_path(self, sha256: str) -> Path:
        """Return the path of a stored file after checking it still hashes to its name.

        A journalist checks the SHA-256 we publish; a damaged file must be refused, never
        served as if sound. Hashed on every download: bit rot changes no modification time,
        so no cheaper check would see it (about 40 ms for an 18 MB file on this machine).
        """
        path = self.path(sha256)
        if not path.is_file() or sha256_of(path)[0] != sha256:
            raise Damaged(sha256)
        return path

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, source: Path) -> tuple[str, int]:
        """Copy a file in, durable before this returns; return its SHA-256 and size."""
        staged = self.stage(source)
        self.store_staged([staged])
        return staged.sha256, staged.size

    def stage(self, source: Path, content: bytes | None = None) -> Staged:
        """Copy a file (or `content`, its bytes already read) to a temporary file; nothing is stored yet.

        `store_staged` makes it durable under its hash, with the other files of its group of
        records. A file already stored is touched instead: a concurrent garbage collection must keep it.
        """
        if content is not None and self.exists(sha := hashlib.sha256(content).hexdigest()) and _touched(self.path(sha)):
            return Staged(sha, len(content), None)  # a re-sent file: nothing to write
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = self._temporary()
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in [content] if content is not None else _chunks(source):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            sha = digest.hexdigest()
            target = self.path(sha)
            if target.is_file() and _touched(target):
                os.unlink(tmp_name)
                return Staged(sha, size, None)
            return Staged(sha, size, Path(tmp_name))
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def adopt(self, tmp: Path, sha256: str, size: int) -> Staged | None:
        """A copy staged by ingest's read-ahead child (archive/ingest_ahead.py): the bytes it hashed.
        None when the copy is gone (swept as idle): the caller stages the file itself."""
        if not tmp.is_file():
            return None
        if self.exists(sha256) and _touched(self.path(sha256)):  # a re-sent file, fresh again for garbage collection
            tmp.unlink(missing_ok=True)
            return Staged(sha256, size, None)
        return Staged(sha256, size, tmp)

    def staging_folder(self) -> Path:
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)
        return self.root / "tmp"

    def _temporary(self) -> tuple[int, str]:
        try:
            return tempfile.mkstemp(dir=self.root / "tmp")
        except FileNotFoundError:  # the first file, or the folder was cleared: made once, not per file
            (self.root / "tmp").mkdir(exist_ok=True)
            return tempfile.mkstemp(dir=self.root / "tmp")

    def store_staged(self, staged: list[Staged]) -> None:
        """Put staged files under their hashes: every file fsynced, then renamed, then its folder fsynced.

        A crash leaves each file whole under its hash or not there (a torn file under its name
        would be taken as stored by the next ingest of the same bytes). The fsyncs of a group run
        side by side: ext4 makes them one journal commit, where one after another each waits for
        its own (64 files: ~40 ms instead of ~400 ms on a busy disk). Files stored here and not
        yet named by a committed record are swept by garbage collection, an hour idle.
        """
        todo = {item.sha256: item for item in staged if item.tmp is not None}
        for item in staged:
            if item.tmp is None:
                continue
            if todo[item.sha256] is not item:  # the same bytes twice in one group
                os.unlink(item.tmp)
                item.tmp = None
            elif self.path(item.sha256).is_file() and _touched(self.path(item.sha256)):  # stored meanwhile
                os.unlink(item.tmp)
                item.tmp = None
        ready = [item for item in todo.values() if item.tmp is not None]
        _fsync_all([item.tmp for item in ready])
        folders: dict[Path, None] = {}
        for item in ready:
            target = self.path(item.sha256)
            for folder in (target.parent.parent, target.parent):
                if not folder.is_dir():  # a new folder's entry lives in its parent: fsync that too
                    folder.mkdir(exist_ok=True)
                    folders[folder.parent] = None
            os.replace(item.tmp, target)
            folders[target.parent] = None
            item.tmp = None
        _fsync_all(list(folders))

    def is_sound(self, sha256: str) -> bool:
        """Return whether the stored file still hashes to its name."""
        path = self.path(sha256)
        return path.is_file() and sha256_of(path)[0] == sha256

    def clear_temporaries(self, older_than: float = 3600) -> int:
        """Remove temporary files a killed writer left behind; return how many."""
        import time

        removed = 0
        for tmp in (self.root / "tmp").glob("*"):
            if tmp.is_file() and tmp.stat().st_mtime < time.time() - older_than:
                tmp.unlink(missing_ok=True)
                removed += 1
        return removed

    def all_hashes(self) -> set[str]:
        """Every file stored under ab/cd/: read with scandir (its entries carry their type), since
        pathlib's glob stats each file: 2.8 s at 100,000 files here, on every ingest's garbage collection."""
        def folders(path) -> list[os.DirEntry]:
            try:
                with os.scandir(path) as entries:
                    return [e for e in entries if len(e.name) == 2 and e.is_dir(follow_symlinks=False)]
            except FileNotFoundError:
                return []

        found = set()
        for top in folders(self.root):
            for sub in folders(top.path):
                with os.scandir(sub.path) as entries:
                    found.update(e.name for e in entries if e.is_file() and not e.name.startswith("."))
        return found

    def remove_if_idle(self, sha256: str, idle: float = 3600) -> bool:
        """Remove a file not written or re-put for `idle` seconds; return whether it went.

        An ingest running beside the collection may have just stored the file and not yet
        committed the record that refers to it: recent files stay.
        """
        import time

        path, cutoff = self.path(sha256), time.time() - idle
        try:
            if path.stat().st_mtime > cutoff:
                return False
            # moved aside before the last look: an ingest re-sending these bytes touches the file (and then
            # saves a record naming it) either before the move, seen here, or after, when it finds no file
            # and stages its own copy; an unlink after a stat would lose a file touched in between
            doomed = path.with_name(f".{sha256}.doomed")
            os.rename(path, doomed)
        except FileNotFoundError:
            return False
        try:
            touched = doomed.stat().st_mtime > cutoff  # touched before the move: a record is about to name it
        except FileNotFoundError:
            return False  # put back by another collector's restore_moved_aside
        if touched:
            if not path.exists():
                os.rename(doomed, path)
            doomed.unlink(missing_ok=True)
            return False
        doomed.unlink(missing_ok=True)
        return True

    def restore_moved_aside(self, older_than: float = 60) -> int:
        """Put back the files a collector killed between its move and its last look left aside; return how many.

        One of them may be named by a record an ingest saved meanwhile; back under its hash, the idle
        rule decides again. Only those a minute old: a collector at work on one reads it in a moment.
        """
        import time

        restored = 0
        for folder in self.root.glob("??/??"):
            for moved in folder.glob(".*.doomed"):
                try:
                    if moved.stat().st_ctime > time.time() - older_than:
                        continue
                    target = moved.with_name(moved.name[1 : -len(".doomed")])
                    if target.exists():
                        moved.unlink()
                    else:
                        os.rename(moved, target)
                        restored += 1
                except FileNotFoundError:
                    continue  # another collector took it first
        return restored


def _touched(path: Path) -> bool:
    """Make a stored file fresh again, so that a garbage collection keeps it; False when it went meanwhile
    (a collector moved it aside first: remove_if_idle), and the caller keeps its own copy of the bytes."""
    try:
        os.utime(path)
    except FileNotFoundError:
        return False
    return True


def _chunks(source: Path):
    with open(source, "rb") as src:
        while chunk := src.read(CHUNK):
            yield chunk


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


FSYNC_THREADS = 16
_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def _fsyncer() -> ThreadPoolExecutor:
    """This process's fsync threads, made once: a pool per call started 16 threads a group of
    records (0.5 s of an ingest of 1,000). Remade in a forked child, which has none of its parent's threads."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(max_workers=FSYNC_THREADS, thread_name_prefix="fsync"))
        return _pool[1]


def _fsync_all(paths: list[Path]) -> None:
    """fsync every path (files or folders), side by side; raise the first error."""
    if len(paths) <= 1:
        for path in paths:
            _fsync(path)
        return
    for done in [_fsyncer().submit(_fsync, path) for path in paths]:
        done.result()
