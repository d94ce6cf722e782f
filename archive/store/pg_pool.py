"""The PostgreSQL store's connections: one bounded pool per process and database URL (psycopg_pool).

Every web request opens the store; without a pool each one paid a new PostgreSQL session (a server
process forked, authenticated, its catalog caches warmed). Here a store takes a connection from
this process's pool and `close()` gives it back.

What the next user must never inherit, and why it cannot:
- an open or failed transaction, and with it the writer lock (pg_advisory_xact_lock is released
  only at the transaction's end) or rows it wrote but never committed: `give_back` rolls back;
- session state a store's SQL may have set (a session advisory lock, SET, a temporary table,
  LISTEN, lastval()): DISCARD ALL;
- a broken connection (the server restarted, the backend was killed): it is closed, not pooled,
  and the pool checks each connection again before handing it out.

Fork: gunicorn forks its workers, and the ingest's read-ahead child and the extraction guard fork
the process that holds a store. A socket shared across a fork carries two processes' bytes, and a
child that closed it would tell the server to end the parent's session. So a child never takes or
returns a parent's connection: the pools it inherited are set aside (never used, never closed) and
it makes its own; a store opened before the fork refuses to run in the child (archive/store/pg.py).
"""

from __future__ import annotations

import atexit
import os
import threading

import psycopg
from psycopg import pq
from psycopg_pool import ConnectionPool, PoolClosed

MAX_POOLS = 4  # databases a process keeps pools for (one in production; the test suite makes one a test)
DEFAULT_SIZE = 4  # a web worker: its request and its follower thread; headroom for an export thread
WAIT_SECONDS = 10.0  # a store that waits longer for a free connection fails rather than hang a request

_lock = threading.Lock()
_pools: dict[str, ConnectionPool] = {}  # URL -> this process's pool, most recently used last
_owner = os.getpid()
_inherited: list[ConnectionPool] = []  # a parent's pools, kept referenced so nothing in a child ever closes them


def _forget_parents() -> None:
    global _lock, _owner, _pools
    _inherited.extend(_pools.values())
    _lock, _pools, _owner = threading.Lock(), {}, os.getpid()  # the old lock may have been held at the fork


os.register_at_fork(after_in_child=_forget_parents)


def size() -> int:
    value = os.environ.get("ARCHIVE_DATABASE_POOL", "").strip() or str(DEFAULT_SIZE)
    if not value.isdigit() or int(value) < 1:
        raise RuntimeError(f"ARCHIVE_DATABASE_POOL must be a whole number of connections from 1, not {value!r}")
    return int(value)


def _pool(url: str, kwargs: dict) -> ConnectionPool:
    with _lock:
        if _owner != os.getpid():  # forked where no at-fork hook ran (a C extension's fork)
            _forget_parents()
        if (pool := _pools.pop(url, None)) is not None:
            _pools[url] = pool  # now the most recently used
            return pool
    # a first connection outside the lock: an unreachable database fails here, at once and with
    # libpq's reason (the pool itself would retry in the background and only time out)
    psycopg.connect(url, **kwargs).close()
    made = ConnectionPool(url, kwargs=kwargs, min_size=1, max_size=size(), open=True, timeout=WAIT_SECONDS,
                          check=ConnectionPool.check_connection, num_workers=1, name="yeollam-store")
    evicted = []
    with _lock:
        pool = _pools.setdefault(url, made)  # another thread's, if it made one meanwhile
        while len(_pools) > MAX_POOLS:
            evicted.append(_pools.pop(next(iter(_pools))))
    if pool is not made:
        evicted.append(made)
    for old in evicted:
        old.close()  # its connections still out are closed as their stores close
    return pool


def take(url: str, kwargs: dict) -> tuple[ConnectionPool, psycopg.Connection]:
    """A checked, idle connection to `url` from this process's pool, and the pool to give it back to."""
    for _ in range(3):
        pool = _pool(url, kwargs)
        try:
            return pool, pool.getconn()
        except PoolClosed:  # evicted by another thread between the two lines above
            continue
    raise psycopg.OperationalError(f"no connection pool for the store could stay open ({MAX_POOLS} at most)")


def give_back(pool: ConnectionPool, conn: psycopg.Connection, pid: int) -> None:
    """Return a store's connection clean; in a forked child, leave the parent's socket alone."""
    if os.getpid() != pid:
        return
    try:
        if conn.info.transaction_status != pq.TransactionStatus.IDLE:
            conn.execute("ROLLBACK")  # ends the transaction and releases the writer lock it held
        conn.execute("DISCARD ALL")  # session locks, settings, temporary tables, LISTEN, lastval()
    except psycopg.Error:
        conn.close()  # broken or stuck: the pool discards a closed connection and opens another
    pool.putconn(conn)


def close_pool(url: str) -> None:
    """Close this process's pool for `url` (a database about to be a CREATE DATABASE template, say)."""
    with _lock:
        pool = _pools.pop(url, None)
    if pool is not None:
        pool.close()


@atexit.register
def close_all() -> None:
    with _lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.close()
