"""Huey's storage in the PostgreSQL store (tables job_queue, job_queue_schedule, job_queue_data).

With ARCHIVE_DATABASE_URL set nothing may be written to a SQLite file, so the queue of job ids
lives in the same database as the jobs themselves (jobs.py picks this storage then; a SQLite
store keeps SqliteHuey). The tables come from the store's migration (pg_migrations.py), not from
here, so migrate-store and the schema checks know them.

Every row carries its queue's name, which is the node's: an upload waits in that node's
DATA_DIR/uploads, so only that node's worker may take it. Taking a task is one DELETE of the
oldest row of this queue, locked with SKIP LOCKED: two workers never get the same task, and one
never waits behind the other's transaction.
"""

from __future__ import annotations

import os
import threading
import weakref

import psycopg
from huey.constants import EmptyData
from huey.storage import BaseStorage

TASKS, SCHEDULE, DATA = "job_queue", "job_queue_schedule", "job_queue_data"


def _key(key) -> str:
    return key.decode() if isinstance(key, bytes) else key


def _limit(limit: int | None) -> str:
    return "" if limit is None else f" LIMIT {int(limit)}"


class PgQueueStorage(BaseStorage):
    """One autocommit connection per process (reopened after a fork or a lost server), one statement at a time."""

    blocking = False  # the consumer polls (jobs.work: every 0.05 to 0.5 s)
    priority = True

    def __init__(self, name: str = "huey", url: str = "", **kwargs):
        super().__init__(name)
        self.url = url
        self._lock = threading.Lock()
        self._conn: psycopg.Connection | None = None
        self._pid = 0

    def _sql(self, sql: str, args: tuple = (), rows: bool = False):
        with self._lock:
            conn = self._conn
            # a connection inherited across fork() is the parent's socket: never share it
            if conn is None or conn.closed or conn.broken or self._pid != os.getpid():
                conn = self._conn = psycopg.connect(self.url, autocommit=True)
                self._pid = os.getpid()
                weakref.finalize(self, conn.close)  # a queue kept for the process's life closes at its exit
            cur = conn.execute(sql, args)
            return cur.fetchall() if rows else cur.rowcount

    def close(self) -> bool:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None and self._pid == os.getpid():
            conn.close()
        return conn is not None

    # -- the queue ----------------------------------------------------------------------

    def enqueue(self, data: bytes, priority=None) -> None:
        self._sql(f"INSERT INTO {TASKS} (queue, data, priority) VALUES (%s, %s, %s)", (self.name, data, priority or 0))

    def dequeue(self) -> bytes | None:
        got = self._sql(f"DELETE FROM {TASKS} WHERE id = (SELECT id FROM {TASKS} WHERE queue = %s "
                        "ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING data",
                        (self.name,), rows=True)
        return bytes(got[0][0]) if got else None

    def queue_size(self) -> int:
        return self._sql(f"SELECT count(*) FROM {TASKS} WHERE queue = %s", (self.name,), rows=True)[0][0]

    def enqueued_items(self, limit=None) -> list[bytes]:
        got = self._sql(f"SELECT data FROM {TASKS} WHERE queue = %s ORDER BY priority DESC, id{_limit(limit)}",
                        (self.name,), rows=True)
        return [bytes(r[0]) for r in got]

    def every_queue_items(self) -> list[bytes]:
        """The tasks waiting in every node's queue on this database (jobs._prepare: which jobs are lost)."""
        return [bytes(r[0]) for r in self._sql(f"SELECT data FROM {TASKS} ORDER BY id", rows=True)]

    def flush_queue(self) -> None:
        self._sql(f"DELETE FROM {TASKS} WHERE queue = %s", (self.name,))

    # -- the schedule (tasks with an eta, retries) -----------------------------------------

    def add_to_schedule(self, data: bytes, ts) -> None:
        self._sql(f"INSERT INTO {SCHEDULE} (queue, data, at) VALUES (%s, %s, %s)", (self.name, data, ts.timestamp()))

    def read_schedule(self, ts) -> list[bytes]:
        got = self._sql(f"DELETE FROM {SCHEDULE} WHERE id IN (SELECT id FROM {SCHEDULE} WHERE queue = %s "
                        "AND at <= %s FOR UPDATE SKIP LOCKED) RETURNING at, id, data",
                        (self.name, ts.timestamp()), rows=True)
        return [bytes(r[2]) for r in sorted(got, key=lambda r: r[:2])]

    def schedule_size(self) -> int:
        return self._sql(f"SELECT count(*) FROM {SCHEDULE} WHERE queue = %s", (self.name,), rows=True)[0][0]

    def scheduled_items(self, limit=None) -> list[bytes]:
        got = self._sql(f"SELECT data FROM {SCHEDULE} WHERE queue = %s ORDER BY at, id{_limit(limit)}",
                        (self.name,), rows=True)
        return [bytes(r[0]) for r in got]

    def flush_schedule(self) -> None:
        self._sql(f"DELETE FROM {SCHEDULE} WHERE queue = %s", (self.name,))

    # -- keys and values (revocations, locks; results are off) ---------------------------------

    def put_data(self, key, value: bytes, is_result: bool = False) -> None:
        self._sql(f"INSERT INTO {DATA} (queue, key, value) VALUES (%s, %s, %s) "
                  "ON CONFLICT (queue, key) DO UPDATE SET value = excluded.value", (self.name, _key(key), value))

    def peek_data(self, key):
        got = self._sql(f"SELECT value FROM {DATA} WHERE queue = %s AND key = %s", (self.name, _key(key)), rows=True)
        return bytes(got[0][0]) if got else EmptyData

    def peek_many(self, keys) -> dict:
        got = self._sql(f"SELECT key, value FROM {DATA} WHERE queue = %s AND key = ANY(%s)",
                        (self.name, [_key(k) for k in keys]), rows=True)
        return {k: bytes(v) for k, v in got}

    def pop_data(self, key):
        got = self._sql(f"DELETE FROM {DATA} WHERE queue = %s AND key = %s RETURNING value",
                        (self.name, _key(key)), rows=True)
        return bytes(got[0][0]) if got else EmptyData

    def has_data_for_key(self, key) -> bool:
        return bool(self._sql(f"SELECT 1 FROM {DATA} WHERE queue = %s AND key = %s", (self.name, _key(key)), rows=True))

    def put_if_empty(self, key, value: bytes, ttl=None) -> bool:
        if ttl is not None:
            raise NotImplementedError("ttl is not supported by this storage")
        return self._sql(f"INSERT INTO {DATA} (queue, key, value) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                         (self.name, _key(key), value)) == 1

    def result_store_size(self) -> int:
        return self._sql(f"SELECT count(*) FROM {DATA} WHERE queue = %s", (self.name,), rows=True)[0][0]

    def result_items(self) -> dict:
        return {k: bytes(v) for k, v in self._sql(f"SELECT key, value FROM {DATA} WHERE queue = %s",
                                                   (self.name,), rows=True)}

    def flush_results(self) -> None:
        self._sql(f"DELETE FROM {DATA} WHERE queue = %s", (self.name,))

    def flush_counters(self) -> None:
        """No counters are kept (incr, for rate limits, is not supported); flush_all() calls this."""
