"""The PostgreSQL store's connection pool (archive/store/pg_pool.py): whatever one store leaves on its
connection, the next store handed that connection inherits none of it; a forked child never touches
its parent's connections; the pool is bounded; a broken connection is not handed out again."""

import gc
import multiprocessing
import sqlite3
import threading
import time

import psycopg
import pytest

from archive.store import Store
from archive.store.pg import WRITE_LOCK

REFUSAL = "INSERT INTO refusals (at, clerk, action, reason) VALUES ('t', ?, 'withhold', 'r')"


@pytest.fixture
def url(pg_cluster, monkeypatch):
    """A fresh database; a pool of one connection, so the next store gets the very connection given back."""
    url = pg_cluster.new_database()
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", url)
    monkeypatch.setenv("ARCHIVE_DATABASE_POOL", "1")
    return url


def backend(store) -> int:
    return store.db.raw.info.backend_pid


def clerks(store) -> list[str]:
    return [r["clerk"] for r in store.refusals()]


def write_at_once(data, url) -> float:
    """A write by a store on another pool (another session of the same database); seconds it took.

    Its lock_timeout makes a writer lock still held fail the write after 5 s instead of hanging the test.
    """
    other = Store(data, url=url + "&options=-c%20lock_timeout%3D5000")
    try:
        started = time.monotonic()
        other.log_refusal(at="w", clerk="other", action="a", record_id=None, agency=None, reason="r")
        return time.monotonic() - started
    finally:
        other.close()


def test_a_failed_transaction_is_rolled_back_before_the_next_store_gets_the_connection(url, tmp_path):
    first = Store(tmp_path)
    was = backend(first)
    first.db.execute("BEGIN IMMEDIATE")  # the writer lock, as transaction() takes it
    first.db.execute(REFUSAL, ("uncommitted",))
    with pytest.raises(sqlite3.IntegrityError):
        first.db.execute("DELETE FROM refusals")  # refused: the transaction is now aborted, lock still held
    first.close()

    second = Store(tmp_path)  # opening reads the schema version: an aborted transaction would refuse it
    try:
        assert backend(second) == was and not second.db.in_transaction
        assert write_at_once(tmp_path, url) < 2
        second.log_refusal(at="2", clerk="second", action="a", record_id=None, agency=None, reason="r")
        assert clerks(second) == ["second", "other"]
    finally:
        second.close()


@pytest.mark.parametrize("leave", ["close", "drop"])
def test_a_transaction_left_open_is_rolled_back_and_its_lock_released(url, tmp_path, leave):
    """Closed, or dropped without close() (as sqlite3 allows: the finalizer gives the connection back)."""
    first = Store(tmp_path)
    was = backend(first)
    first.db.execute("BEGIN IMMEDIATE")
    first.db.execute(REFUSAL, ("uncommitted",))
    if leave == "close":
        first.close()
    else:
        del first
        gc.collect()

    assert write_at_once(tmp_path, url) < 2
    second = Store(tmp_path)
    try:
        assert backend(second) == was and not second.db.in_transaction
        second.log_refusal(at="2", clerk="second", action="a", record_id=None, agency=None, reason="r")
        assert clerks(second) == ["second", "other"]  # the uncommitted row never lands, not even with a later commit
    finally:
        second.close()


def test_session_state_set_inside_a_failed_transaction_is_discarded(url, tmp_path):
    """A session advisory lock outlives ROLLBACK, a SET outside a transaction outlives everything: DISCARD ALL."""
    first = Store(tmp_path)
    was = backend(first)
    first.db.execute("SET search_path TO nowhere")
    with pytest.raises(RuntimeError), first.transaction():
        first.db.execute("SELECT pg_advisory_lock(?)", (WRITE_LOCK,))  # session-scoped: survives the rollback
        first.db.execute("SELECT 1")
        raise RuntimeError("the block fails")
    assert first.db.raw.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                "AND pid = pg_backend_pid()").fetchone()[0] == 1
    first.close()

    assert write_at_once(tmp_path, url) < 2  # the writer lock's key is free again
    second = Store(tmp_path)  # with search_path still `nowhere`, opening would fail to find schema_version
    try:
        assert backend(second) == was
        assert clerks(second) == ["other"]
    finally:
        second.close()


def _in_child(pipe, parents, data) -> None:
    seen = {}
    try:
        parents.count()
        seen["parent's store"] = "used"
    except sqlite3.ProgrammingError:
        seen["parent's store"] = "refused"
    parents.close()  # must neither roll back the parent's transaction nor end its session
    own = Store(data)
    seen["backend"], seen["count"] = backend(own), own.count()
    own.close()
    pipe.send(seen)


def sessions(url) -> set[int]:
    """The backends of every session on the test's database but the one asking."""
    with psycopg.connect(url) as conn:
        return {r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                           "AND pid <> pg_backend_pid()")}


def test_a_forked_child_never_uses_its_parents_connections(url, tmp_path, monkeypatch):
    """As the ingest's read-ahead child and the extraction guard are forked: the parent mid-transaction,
    another of its connections idle in the pool."""
    monkeypatch.setenv("ARCHIVE_DATABASE_POOL", "2")
    parent = Store(tmp_path)
    was = backend(parent)
    spare = Store(tmp_path)  # the pool's second connection, idle in the pool at the fork
    spare.close()
    ctx = multiprocessing.get_context("fork")
    with parent.transaction():
        parent.log_refusal(at="1", clerk="parent", action="a", record_id=None, agency=None, reason="r")
        parents = sessions(url)
        assert was in parents
        ours, theirs = ctx.Pipe()
        child = ctx.Process(target=_in_child, args=(theirs, parent, tmp_path))
        child.start()
        seen = ours.recv()
        child.join(30)
    assert child.exitcode == 0
    assert seen["parent's store"] == "refused"
    assert seen["backend"] not in parents and seen["count"] == 0  # its own session, not the parent's transaction
    assert backend(parent) == was and clerks(parent) == ["parent"]  # the parent's transaction was its own
    parent.close()


def test_the_pool_is_bounded(url, tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHIVE_DATABASE_POOL", "2")
    held = [Store(tmp_path), Store(tmp_path)]
    got = []
    third = threading.Thread(target=lambda: got.append(Store(tmp_path)), daemon=True)
    third.start()
    third.join(1.0)
    assert not got  # waits for one of the two
    freed = backend(held[0])
    held.pop(0).close()
    third.join(10)
    assert got and backend(got[0]) == freed
    for store in held + got:
        store.close()


@pytest.mark.parametrize("value", ["0", "x", "-1"])
def test_a_bad_pool_size_is_refused(url, tmp_path, monkeypatch, value):
    monkeypatch.setenv("ARCHIVE_DATABASE_POOL", value)
    with pytest.raises(RuntimeError, match="ARCHIVE_DATABASE_POOL"):
        Store(tmp_path)


def test_a_broken_connection_is_not_handed_out_again(url, tmp_path, pg_cluster):
    def kill(pid: int) -> None:
        pg_cluster.admin(f"SELECT pg_terminate_backend({pid}, 5000)")

    first = Store(tmp_path)
    was = backend(first)
    first.close()
    kill(was)  # while it waits in the pool: the check before handing it out finds it dead
    second = Store(tmp_path)
    now = backend(second)
    assert now != was and second.count() == 0
    kill(now)  # while a store holds it: its statements fail, and giving it back discards it
    with pytest.raises(sqlite3.OperationalError):
        second.count()
    second.close()
    third = Store(tmp_path)
    try:
        assert backend(third) not in {was, now} and third.count() == 0
    finally:
        third.close()
