"""The embedded store's connection: SQLite in WAL mode, explicit transactions, migrations once."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ..blobs import BlobStore
from .migrations import migrate


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class Connection:
    """One SQLite connection; `transaction()` is the only way anything is written.

    The connection runs in autocommit mode and every write goes through `transaction()`, which
    nests: a change (a withhold) opens one, calls store methods that open their own, and writes
    the search index before the single COMMIT — so a crash leaves the store as it was.
    """

    def __init__(self, data_dir: Path, blob_dir: Path | None = None, url: str | None = None):
        # url: only "" or None reach here (Store.__new__ gives a PostgreSQL URL to archive/store/pg.py)
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # ARCHIVE_BLOB_DIR: originals in a folder every node shares (read here, where every process opens its store)
        blob_dir = blob_dir or os.environ.get("ARCHIVE_BLOB_DIR", "").strip() or None
        self.blobs = BlobStore(Path(blob_dir) if blob_dir else self.data_dir / "blobs")
        # exposed for tests of the store itself (the audit triggers, say); product code outside
        # archive/store never touches it
        self.db = sqlite3.connect(self.data_dir / "archive.sqlite3", timeout=30, isolation_level=None,
                                  check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA synchronous=FULL")
        # Temporary b-trees and statement journals in memory, not in files under /var/tmp: an
        # ingest's group transactions wrote 150 MB of them for 11 MB of text (the feed triggers'
        # statements each journal the pages they change). A statement's journal holds the pages
        # that one statement changes, so no statement here changes an unbounded number of rows
        # in a transaction (collect_garbage deletes in chunks).
        self.db.execute("PRAGMA temp_store=MEMORY")
        self._depth = 0
        migrate(self.db, self._extra_migrations())

    def _extra_migrations(self) -> list:
        return []

    def another(self):
        """A second connection to this same store, for another thread (a connection serves one at a time)."""
        return type(self)(self.data_dir, self.blobs.root, getattr(self, "url", ""))

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one transaction (the write lock taken at its start); nested blocks join it."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self.db.execute("ROLLBACK")
            raise
        self._depth = 0
        try:
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def _one(self, sql: str, args: tuple = ()):
        return self.db.execute(sql, args).fetchone()

    def _all(self, sql: str, args: tuple = ()) -> list:
        return self.db.execute(sql, args).fetchall()

    def _run(self, sql: str, args: tuple = ()) -> None:
        with self.transaction():
            self.db.execute(sql, args)

    def _run_many(self, sql: str, rows: list) -> None:
        with self.transaction():
            self.db.executemany(sql, rows)
