"""A content-addressed file store: each original is kept once, named by its SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

CHUNK = 1 << 20


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
        """Copy a file in; return its SHA-256 and size.

        The copy goes to a temporary file in the same folder, is fsynced, then renamed:
        a crash leaves either the whole file or none, never a torn one under its hash.
        """
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir)
        try:
            with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.path(sha)
            if target.is_file():
                os.unlink(tmp_name)
                os.utime(target)  # fresh again: a concurrent garbage collection must keep it
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp_name, target)
                _fsync_dir(target.parent)
            return sha, size
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

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
        return {p.name for p in self.root.glob("??/??/*") if p.is_file()}

    def remove_if_idle(self, sha256: str, idle: float = 3600) -> bool:
        """Remove a file not written or re-put for `idle` seconds; return whether it went.

        An ingest running beside the collection may have just stored the file and not yet
        committed the record that refers to it: recent files stay.
        """
        import time

        path = self.path(sha256)
        try:
            if path.stat().st_mtime > time.time() - idle:
                return False
        except FileNotFoundError:
            return False
        path.unlink(missing_ok=True)
        return True


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
