"""The PostgreSQL store (ARCHIVE_DATABASE_URL=postgresql://...): the mixins' SQL over psycopg 3.

The mixins speak one dialect, the common ground of SQLite >= 3.39 and PostgreSQL 15 (ON CONFLICT,
IS [NOT] DISTINCT FROM, CASE instead of two-argument max()). This module gives them the surface
they use of sqlite3 — `db.execute/executemany`, cursors with fetchone/fetchall/rowcount/lastrowid,
rows read by index or by name, sqlite3's exception classes — so one set of methods serves both
stores and a rule of what the public may see is written once, not twice.

Writers: SQLite lets one writer in at a time (BEGIN IMMEDIATE), and the methods rely on it (a
login limit counts and records in one step, a job's count and insert cannot interleave). Here
BEGIN IMMEDIATE becomes a transaction that first takes one advisory lock, so writers on every node
queue exactly as SQLite's did; reads take no lock and see committed data only.

Connections: a store borrows one from its process's pool (pg_pool.py) and close() gives it back
rolled back and reset, so no lock, transaction or setting of one store outlives it.
"""

from __future__ import annotations

import os
import re
import sqlite3
import weakref
from functools import lru_cache
from pathlib import Path

import psycopg
from psycopg import pq

from ..blobs import BlobStore
from . import Store, pg_pool
from .connection import Connection
from .migrations import StoreTooNew
from .pg_migrations import MIGRATIONS

# pg_advisory_xact_lock key of the store's one writer lock ("YEOL" in ASCII)
WRITE_LOCK = 0x59454F4C

_TOKENS = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|\?|(?<!:):([A-Za-z_]\w*)|%")


@lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """sqlite3's placeholders (`?`, `:name`) as psycopg's, once per statement text; literals untouched."""
    def one(m: re.Match) -> str:
        token = m.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        if m.group(1):
            return f"%({m.group(1)})s"
        return token.replace("%", "%%")  # psycopg reads % inside literals too
    return _TOKENS.sub(one, sql)


def _value(v):
    # PostgreSQL's text cannot hold NUL (SQLite's can): an extracted text's stray NUL is replaced
    # rather than failing the ingest. A bool is stored as SQLite stores it, as 0 or 1.
    if isinstance(v, str) and "\x00" in v:
        return v.replace("\x00", "\ufffd")
    if isinstance(v, bool):
        return int(v)
    return v


def _args(args):
    if isinstance(args, dict):
        return {k: _value(v) for k, v in args.items()}
    return tuple(_value(v) for v in args)


@lru_cache(maxsize=512)
def _row_class(names: tuple[str, ...]) -> type:
    index = {n: i for i, n in enumerate(names)}

    class Row(tuple):
        """A row read by position or by column name, as sqlite3.Row is (dict(row) works too)."""

        __slots__ = ()

        def __getitem__(self, key):
            return tuple.__getitem__(self, index[key] if isinstance(key, str) else key)

        def keys(self) -> list[str]:
            return list(names)

    return Row


def _rows(cursor):
    names = tuple(c.name for c in cursor.description or ())
    return _row_class(names)


def _sqlite_error(exc: psycopg.Error) -> sqlite3.Error:
    """The mixins (and their callers) catch sqlite3's classes; a refused append is an IntegrityError in both."""
    cls = sqlite3.IntegrityError if isinstance(exc, psycopg.errors.IntegrityError) else sqlite3.OperationalError
    return cls(str(exc).strip())


class Cursor:
    def __init__(self, db: PgDb, cur: psycopg.Cursor):
        self._db, self._cur = db, cur

    def fetchone(self):
        return self._cur.fetchone() if self._cur.description else None

    def fetchall(self) -> list:
        return self._cur.fetchall() if self._cur.description else []

    def __iter__(self):
        return iter(self.fetchall())

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount

    @property
    def lastrowid(self) -> int:
        # the identity value the last INSERT of this session drew (read when asked, right after it)
        return self._db.raw.execute("SELECT lastval()").fetchone()[0]


# every pooled connection: autocommit (transactions are the explicit BEGIN of `execute`), literals
# bound client-side, rows as sqlite3.Row reads them
CONNECT = {"autocommit": True, "cursor_factory": psycopg.ClientCursor, "row_factory": _rows}


class PgDb:
    """The part of sqlite3.Connection the mixins use, over one pooled psycopg connection in autocommit mode.

    The connection is this process's pool's (archive/store/pg_pool.py) until close() gives it back.
    """

    def __init__(self, url: str):
        self._pid = os.getpid()
        pool, self._raw = pg_pool.take(url, CONNECT)
        # a store dropped without close() (as sqlite3 allows) gives its connection back rather than leak it
        self._give_back = weakref.finalize(self, pg_pool.give_back, pool, self._raw, self._pid)

    @property
    def raw(self) -> psycopg.Connection:
        if os.getpid() != self._pid:  # a forked child: the socket is its parent's, mid-conversation
            raise sqlite3.ProgrammingError("this store was opened before a fork; open one in this process")
        if self._raw is None:  # given back: the connection may be another store's now
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        return self._raw

    def execute(self, sql: str, args=()) -> Cursor:
        if sql == "BEGIN IMMEDIATE":  # see the module's docstring
            self._run("BEGIN", ())
            return self._run(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})", ())
        return self._run(translate(sql), _args(args))

    def _run(self, sql: str, args) -> Cursor:
        try:
            return Cursor(self, self.raw.execute(sql, args))
        except psycopg.Error as exc:
            raise _sqlite_error(exc) from exc

    def executemany(self, sql: str, rows) -> None:
        rows = [_args(r) for r in rows]
        if not rows:
            return
        try:
            with self.raw.cursor() as cur:
                cur.executemany(translate(sql), rows)
        except psycopg.Error as exc:
            raise _sqlite_error(exc) from exc

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE

    def close(self) -> None:
        self._raw = None
        self._give_back()  # once: rolled back, reset, returned (nothing at all in a forked child)

    def __enter__(self):  # sqlite3's `with db:` commits on leaving; outside transaction() each statement has
        return self

    def __exit__(self, *exc) -> None:
        return None


def _version(db: PgDb) -> int:
    if not db.raw.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]:
        return 0
    row = db.raw.execute("SELECT version FROM schema_version WHERE id = 1").fetchone()
    return row[0] if row else 0


def migrate(db: PgDb) -> int:
    """Apply the PostgreSQL migrations this database lacks, each in its own transaction under the write lock.

    An up-to-date database is only read (no lock): every web request opens the store, and must
    not wait behind an ingest's transaction to learn that there is nothing to do.
    """
    version = _version(db)
    if version > len(MIGRATIONS):
        raise StoreTooNew(f"the store has schema version {version}; this release knows {len(MIGRATIONS)}")
    while version < len(MIGRATIONS):
        db.execute("BEGIN IMMEDIATE")
        try:
            db.raw.execute("CREATE TABLE IF NOT EXISTS schema_version (id INT PRIMARY KEY CHECK (id = 1), "
                           "version INT NOT NULL)")
            row = db.raw.execute("SELECT version FROM schema_version WHERE id = 1").fetchone()
            version = row[0] if row else 0
            if version > len(MIGRATIONS):
                raise StoreTooNew(f"the store has schema version {version}; this release knows {len(MIGRATIONS)}")
            if version < len(MIGRATIONS):
                MIGRATIONS[version](db.raw)
                version += 1
                db.raw.execute("INSERT INTO schema_version (id, version) VALUES (1, %s) ON CONFLICT (id) "
                               "DO UPDATE SET version = excluded.version", (version,))
            db.raw.execute("COMMIT")
        except BaseException:
            db.raw.execute("ROLLBACK")
            raise
    return version


class PgConnection(Connection):
    """The store's connection when ARCHIVE_DATABASE_URL is set: nothing is written to archive.sqlite3."""

    def __init__(self, data_dir: Path, blob_dir: Path | None = None, url: str | None = None):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)  # the search index and renditions stay per node
        # ARCHIVE_BLOB_DIR: originals in a folder every node shares (read here, where every process opens its store)
        blob_dir = blob_dir or os.environ.get("ARCHIVE_BLOB_DIR", "").strip() or None
        self.blobs = BlobStore(Path(blob_dir) if blob_dir else self.data_dir / "blobs")
        self.url = url or os.environ["ARCHIVE_DATABASE_URL"]
        self.db = PgDb(self.url)
        self._depth = 0
        migrate(self.db)


class PgStore(PgConnection, Store):
    """The PostgreSQL store: the same methods as the embedded one (Store), the same rules."""
