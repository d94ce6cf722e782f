"""The PostgreSQL store itself: the same schema as the embedded one, logs the database keeps append-only,
no SQLite file beside it, writers one at a time across connections."""

import sqlite3
import threading
import time

import pytest

from archive.store import Store
from archive.store.pg import PgStore, translate

# one entry in each log (row triggers fire only on rows that are there)
LOGS = {
    "audit": "INSERT INTO audit (at, clerk, record_id, attachment_n, attachment_name, old_level, new_level, reason) "
             "VALUES ('t', 'kim', 'R', 1, 'a.txt', 'public', 'withheld', 'r')",
    "refusals": "INSERT INTO refusals (at, clerk, action, reason) VALUES ('t', 'kim', 'withhold', 'r')",
    "clerk_events": "INSERT INTO clerk_events (at, clerk, action, reason) VALUES ('t', 'kim', 'withdraw', 'r')",
    "comment_log": "INSERT INTO comment_log (at, comment_id, record_id, clerk, action, from_state) "
                   "VALUES ('t', 1, 'R', 'kim', 'approve', 'pending')",
    "account_audit": "INSERT INTO account_audit (at, actor, action, account) VALUES ('t', 'admin', 'create', 'kim')",
}


@pytest.fixture
def pg(pg_cluster, tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", pg_cluster.new_database())
    store = Store(tmp_path / "data")
    yield store
    store.close()


def test_the_url_opens_postgresql_and_writes_no_sqlite_file(pg, tmp_path):
    assert isinstance(pg, PgStore) and isinstance(pg, Store)
    pg.log_refusal(at="2026-01-01", clerk="kim", action="withhold", record_id=None, agency=None, reason="r")
    assert pg.refusals()[0]["clerk"] == "kim"
    assert not list((tmp_path / "data").glob("*.sqlite3*"))


def test_both_stores_have_the_same_tables_and_columns(pg, tmp_path):
    lite = Store(tmp_path / "lite", url="")
    tables = [r[0] for r in lite.db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                                            "AND name NOT LIKE 'sqlite_%'")]
    ours = {t: [r[1] for r in lite.db.execute(f"PRAGMA table_info({t})")] for t in tables}
    theirs = {t: [r[0] for r in pg.db.execute("SELECT column_name FROM information_schema.columns "
                                              "WHERE table_name = ? ORDER BY ordinal_position", (t,))] for t in tables}
    lite.close()
    assert ours == theirs
    assert set(LOGS) <= set(tables)


@pytest.mark.parametrize("table", LOGS)
def test_the_logs_are_append_only_in_the_database(pg, table):
    """Not only no code path: no statement at all, a psql session included, rewrites an entry."""
    pg.db.execute(LOGS[table])
    for sql in (f"UPDATE {table} SET at = 'later'", f"DELETE FROM {table}", f"TRUNCATE {table}"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            pg.db.execute(sql)


def test_placeholders_are_translated_outside_literals_only():
    assert translate("SELECT '?', '%', ? , :name FROM t WHERE a LIKE 'x%'") == \
        "SELECT '?', '%%', %s , %(name)s FROM t WHERE a LIKE 'x%%'"


def test_writers_queue_as_on_sqlite(pg, tmp_path):
    """A second connection's write waits for the first's transaction (the single writer the methods rely on)."""
    other = Store(tmp_path / "data")
    order = []

    def second():
        other.log_refusal(at="2", clerk="b", action="a", record_id=None, agency=None, reason="r")
        order.append("second")

    with pg.transaction():
        pg.log_refusal(at="1", clerk="a", action="a", record_id=None, agency=None, reason="r")
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        order.append("first")
    thread.join()
    other.close()
    assert order == ["first", "second"]
    assert [r["clerk"] for r in pg.refusals()] == ["b", "a"]


def test_opening_the_store_does_not_wait_for_a_writer(pg, tmp_path):
    """Every web request opens the store: an ingest's long transaction must not hold up the pages."""
    counted = []

    def reader():
        other = Store(tmp_path / "data")
        counted.append(other.count())
        other.close()

    with pg.transaction():
        pg.log_refusal(at="1", clerk="a", action="a", record_id=None, agency=None, reason="r")
        thread = threading.Thread(target=reader)
        thread.start()
        thread.join(timeout=10)
        waited = thread.is_alive()
    thread.join()
    assert not waited and counted == [0]


def test_statistics_are_the_same_on_both_stores(sample_store, pg_sample, pg_cluster, monkeypatch):
    """statistics.py's one SQL (json_each, julianday: given in PostgreSQL by pg_migrations) counts alike."""
    lite = Store(sample_store, url="")
    pg = Store(pg_sample, url=pg_cluster.url("sample"))
    try:
        assert pg.statistics_choices() == lite.statistics_choices()
        agencies, years = lite.statistics_choices()
        for agency, year in [(None, None), (agencies[0], None), (None, years[0]), (agencies[-1], years[-1])]:
            assert pg.statistics(agency, year) == lite.statistics(agency, year)
        assert lite.statistics().withheld_attachments > 0  # the sample withholds files: the copies rule ran
    finally:
        lite.close()
        pg.close()
