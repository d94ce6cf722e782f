"""Moving the embedded store into an empty PostgreSQL database (`flask migrate-store --to URL`), then
proving the copy: the same rows in every table, byte for byte, or the command fails naming the table.

The threat is a copy that loses or bends a row nobody looks at again: a clerk's withhold
(clerk_withheld, an attachment's level, a timed release), a withdrawal, an audit entry. So the
copy is checked by what it holds, not by what the code meant to write: per table a count and a
SHA-256 over every row in one canonical order, read back from both databases after the commit.

Which tables are copied is a list here, and every table of either schema must be on it or skipped
with a reason: a later migration that adds a table (or a column) stops this command until someone
decides how the table moves, instead of leaving it behind empty. Originals (blobs) are not copied;
they stay in their folder, which the PostgreSQL nodes share through ARCHIVE_BLOB_DIR.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import psycopg

from . import Store
from .migrate_check import Check, verify
from .migrations import MIGRATIONS
from .pg import WRITE_LOCK, _value
from .pg_migrations import MIGRATIONS as PG_MIGRATIONS

# In copy order: a row before the rows that refer to it (attachments need records, user_agencies and
# totp need users), withdrawn after records (its trigger marks records.withdrawn_at), the index feed
# last (its rows are the source's positions, which a node's index remembers).
COPIED = ("records", "attachments", "extractions", "ocr_pages", "clerk_withheld", "cleared_personal_data",
          "resend_watch", "withhold_until", "withdrawn", "pending_changes", "clerk_events", "audit", "refusals",
          "ingests", "ingest_records", "users", "user_agencies", "totp", "account_audit", "login_attempts",
          "comments", "comment_log", "comment_attempts", "jobs", "public_state", "index_state",
          "index_feed", "feed_state")
# one row each, made by the migrations on both sides: the target's fresh row is replaced by the source's
SINGLETONS = ("public_state", "index_state", "feed_state")
SKIPPED = {
    "sessions": "a move ends every session, so clerks log in again; a cookie taken from the old node opens nothing",
}
PG_ONLY = {"schema_version": "PostgreSQL's migration counter (SQLite keeps PRAGMA user_version)",
           # the embedded store's queue is its own file (jobs-queue.sqlite3), not copied: its rows are
           # one node's transient job ids; a worker re-queues the queued jobs of the copied jobs table
           "job_queue": "Huey's queue of job ids, per node", "job_queue_schedule": "Huey's schedule, per node",
           "job_queue_data": "Huey's keys (locks, revocations), per node"}
BATCH = 500


class MigrationError(Exception):
    """The move is refused (schemas differ, the target holds data, no source): nothing was copied."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    key: tuple[str, ...]  # the canonical order of the hash: the primary key (every column if none)
    text: frozenset[str]  # its text columns, ordered byte-wise on PostgreSQL as SQLite does


def _q(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise MigrationError(f"unexpected name in the schema: {name!r}")
    return f'"{name}"'


def sqlite_schema(db) -> dict[str, tuple[list[str], list[str]]]:
    """The embedded store's tables: (columns in order, primary key columns in key order)."""
    out = {}
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
        info = db.execute(f"PRAGMA table_info({_q(name)})").fetchall()
        out[name] = ([r[1] for r in info], [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]])
    return out


def pg_schema(pg) -> dict[str, dict[str, str]]:
    """The PostgreSQL store's base tables: {column: data type}."""
    out: dict[str, dict[str, str]] = {}
    for table, column, kind in pg.execute(
            "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) WHERE c.table_schema = "
            "current_schema() AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position"):
        out.setdefault(table, {})[column] = kind
    return out


def plan(lite_db, pg) -> list[Table]:
    """The tables to copy, in order; MigrationError when the two schemas do not match the lists above."""
    ours, theirs = sqlite_schema(lite_db), pg_schema(pg)
    unlisted = sorted(set(ours) - set(COPIED) - set(SKIPPED))
    if unlisted:
        raise MigrationError(f"table {', '.join(unlisted)} of the embedded store is neither copied nor skipped "
                             "(add it to COPIED or SKIPPED in archive/store/migrate.py)")
    alone = sorted(set(theirs) - set(ours) - set(PG_ONLY))
    if alone:
        raise MigrationError(f"table {', '.join(alone)} of PostgreSQL has no counterpart in the embedded store")
    tables = []
    for name in [t for t in COPIED if t in ours]:
        if name not in theirs:
            raise MigrationError(f"table {name} of the embedded store has no PostgreSQL counterpart "
                                 "(a migration missing from pg_migrations.py?)")
        columns, key = ours[name]
        if missing := sorted(set(columns) ^ set(theirs[name])):
            raise MigrationError(f"table {name}: column {', '.join(missing)} is not in both schemas")
        text = frozenset(c for c, kind in theirs[name].items() if kind == "text")
        tables.append(Table(name, tuple(columns), tuple(key or columns), text))
    return tables


def _schemas_current(lite_db, pg) -> None:
    lite = lite_db.execute("PRAGMA user_version").fetchone()[0]
    target = pg.execute("SELECT version FROM schema_version WHERE id = 1").fetchone()[0]
    if lite != len(MIGRATIONS) or target != len(PG_MIGRATIONS):
        raise MigrationError(f"schema versions: embedded {lite} (this release: {len(MIGRATIONS)}), PostgreSQL "
                             f"{target} (this release: {len(PG_MIGRATIONS)}); run this release's migrations first")


def _refuse_if_not_empty(pg, schema: dict) -> None:
    # a second run, or a database a node already writes to: copying into it would mix two stores
    full = [t for t in sorted(schema) if t not in PG_ONLY and t not in SINGLETONS
            and pg.execute(f"SELECT EXISTS (SELECT 1 FROM {_q(t)})").fetchone()[0]]
    if full:
        raise MigrationError(f"the PostgreSQL database is not empty (rows in {', '.join(full)}): "
                             "migrate-store copies into an empty database only")


def _feed_triggers(pg) -> list[tuple[str, str]]:
    """The index feed's triggers on the copied tables (archive/store/feed.py): (table, trigger)."""
    return pg.execute("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                      "WHERE NOT t.tgisinternal AND t.tgname LIKE 'feed\\_%' ORDER BY 1, 2").fetchall()


def copy(lite_db, pg, tables: list[Table], batch: int = BATCH) -> None:
    """Insert every row, ids and timestamps kept, in the caller's transaction (see move()).

    The append-only triggers stay on (only inserts happen). The feed triggers are turned off for
    the copy's own transaction only — they would renumber every record's feed position, and the
    feed is copied as the source has it — and are on again before it commits (checked).
    """
    feed = _feed_triggers(pg)
    for table, trigger in feed:
        pg.execute(f"ALTER TABLE {_q(table)} DISABLE TRIGGER {_q(trigger)}")
    for t in tables:
        if t.name in SINGLETONS:
            pg.execute(f"DELETE FROM {_q(t.name)}")
        columns = ", ".join(_q(c) for c in t.columns)
        rows = lite_db.execute(f"SELECT {columns} FROM {_q(t.name)}")
        with pg.cursor() as cur, cur.copy(f"COPY {_q(t.name)} ({columns}) FROM STDIN") as out:
            while chunk := rows.fetchmany(batch):
                for row in chunk:
                    out.write_row([_value(v) for v in row])
    for table, trigger in feed:
        pg.execute(f"ALTER TABLE {_q(table)} ENABLE TRIGGER {_q(trigger)}")
    if pg.execute("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'").fetchone()[0]:
        raise MigrationError("a trigger of the PostgreSQL store is still disabled: the copy is rolled back")
    _sequences(lite_db, pg, tables)


def _sequences(lite_db, pg, tables: list[Table]) -> None:
    """Each identity past the largest id ever drawn (sqlite_sequence remembers deleted ones): a new row
    never takes an old id, so a log entry cannot come to name another row's past."""
    drawn = dict(lite_db.execute("SELECT name, seq FROM sqlite_sequence").fetchall()) if lite_db.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone() else {}
    identities = pg.execute("SELECT table_name, column_name FROM information_schema.columns WHERE "
                            "table_schema = current_schema() AND is_identity = 'YES'").fetchall()
    copied = {t.name for t in tables}
    for table, column in identities:
        if table not in copied:
            continue
        top = max(pg.execute(f"SELECT coalesce(max({_q(column)}), 0) FROM {_q(table)}").fetchone()[0],
                  int(drawn.get(table) or 0))
        if top:
            pg.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s)", (table, column, top))


@dataclass(frozen=True)
class Moved:
    checks: list[Check]
    blobs: Path  # where the originals are (not copied)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def move(data_dir: Path, url: str, *, verify_only: bool = False, batch: int = BATCH) -> Moved:
    """Copy the embedded store of `data_dir` into the empty database at `url` and verify it (or only verify)."""
    if not (Path(data_dir) / "archive.sqlite3").is_file():
        raise MigrationError(f"no embedded store in {data_dir} (archive.sqlite3)")
    try:
        source = Store(data_dir, url="")  # opening applies the embedded store's migrations
    except sqlite3.Error as exc:
        raise MigrationError(f"the embedded store cannot be opened: {exc}") from exc
    try:
        return Moved(_move(source, url, verify_only, batch), source.blobs.root)
    except (psycopg.Error, sqlite3.Error) as exc:  # the copy is one transaction: all of it went in, or none
        raise MigrationError(f"{type(exc).__name__}: {exc}".strip()) from exc
    finally:
        source.close()


def _move(source, url: str, verify_only: bool, batch: int) -> list[Check]:
    Store(source.data_dir, url=url).close()  # opening applies the PostgreSQL migrations
    # the source's write lock for the whole move: a withhold made meanwhile on a node still on
    # SQLite waits (or fails for the clerk to see) instead of landing after the copy, lost
    with source.transaction(), psycopg.connect(url, autocommit=True) as pg:
        _schemas_current(source.db, pg)
        tables = plan(source.db, pg)
        if not verify_only:
            with pg.transaction():
                pg.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                _refuse_if_not_empty(pg, pg_schema(pg))
                copy(source.db, pg, tables, batch)
        return verify(source.db, url, tables, batch)
