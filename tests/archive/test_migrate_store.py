"""`migrate-store --to URL` through the real CLI: an embedded store (the sample batch, a clerk's withhold, a
withdrawal, an account, a comment) moved into a real PostgreSQL database, where the records, the withheld
file, the audit trail and the login work as before; a non-empty target refused; a tampered copy caught."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

import psycopg
import pytest

from archive import comments
from archive.store import Store
from archive.store import migrate as moving
from tests.conftest import CLERK, PASSWORD, log_in, make_app

SEED = "D0000032552803"  # attachment 1 withheld by a clerk
GONE = "BUSAN-UPC-2022-05"  # withdrawn


@pytest.fixture
def lite_app(sample_store, tmp_path, monkeypatch):
    """A private embedded store with a clerk's work in it: what a move must not lose."""
    monkeypatch.delenv("ARCHIVE_DATABASE_URL", raising=False)
    shutil.copytree(sample_store, tmp_path / "store", symlinks=True)
    app = make_app(tmp_path / "store")
    runner = app.test_cli_runner()
    for args, stdin in [(["users", "create", CLERK, "--role", "clerk", "--password-stdin"], PASSWORD + "\n"),
                        (["disclose", SEED, "1", "--withhold", "--ground", "6", "--reason", "개인정보", "--clerk",
                          CLERK], None),
                        (["withdraw", GONE, "--reason", "잘못 올림", "--clerk", CLERK], None)]:
        result = runner.invoke(args=args, input=stdin)
        assert result.exit_code == 0, result.output
    store = Store(tmp_path / "store")
    try:
        comment = comments.submit(store, SEED, "시민", "reader@example.com", "잘 읽었습니다.", "203.0.113.5")
        comments.approve(store, CLERK, comment)
    finally:
        store.close()
    return app


@pytest.fixture
def target(pg_cluster) -> str:
    """A new, empty database without the store's schema (migrate-store makes it)."""
    name = f"m{uuid.uuid4().hex[:10]}"
    pg_cluster.admin(f"CREATE DATABASE {name}")
    return pg_cluster.url(name)


def migrate(app, url: str, *extra: str):
    return app.test_cli_runner().invoke(args=["migrate-store", "--to", url, *extra])


def superuser(url: str, sql: str) -> None:
    """A change no portal code makes: the database's superuser, past the append-only triggers."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(sql)


def test_the_copy_holds_the_same_records_withholds_audit_and_accounts(lite_app, target, monkeypatch):
    result = migrate(lite_app, target)
    assert result.exit_code == 0, result.output
    assert "copied and verified" in result.output and "MISMATCH" not in result.output
    assert "not copied: sessions" in result.output and "ARCHIVE_BLOB_DIR" in result.output
    data_dir = Path(lite_app.config["DATA_DIR"])
    lite, pg = Store(data_dir, url=""), Store(data_dir, url=target)
    try:
        ids = [r["id"] for r in lite.db.execute("SELECT id FROM records ORDER BY id")]
        assert len(ids) > 5 and all(pg.get(i, withdrawn=True) == lite.get(i, withdrawn=True) for i in ids)
        assert pg.get(SEED).attachments[0].disclosure.value == "withheld"
        record, n = next((i, a.n) for i in ids if i != GONE for a in lite.get(i).attachments
                         if a.disclosure.value == "public")
        assert pg.get(GONE) is None and pg.get(GONE, withdrawn=True) is not None
        assert pg.audit_of_record(SEED) == lite.audit_of_record(SEED) != []
        assert comments.public_comments(pg, SEED) == comments.public_comments(lite, SEED) != []
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):  # the copy left the triggers on
            pg.db.execute("DELETE FROM audit")
    finally:
        lite.close()
        pg.close()

    monkeypatch.setenv("ARCHIVE_DATABASE_URL", target)
    node = make_app(data_dir)  # a node on the PostgreSQL store, the originals where they were
    public = node.test_client()
    assert public.get(f"/records/{SEED}/attachments/1/original").status_code == 451
    assert public.get(f"/records/{record}/attachments/{n}/original").status_code == 200
    attachment = public.get(f"/api/records/{SEED}").get_json()["attachments"][0]
    assert attachment["disclosure"] == "withheld" and "sha256" not in attachment and "url" not in attachment
    assert public.get(f"/records/{GONE}").status_code == 410
    clerk = node.test_client()
    assert log_in(clerk).status_code == 302 and clerk.get("/clerk/").status_code == 200
    # new rows draw ids past the copied ones (the sequences were moved on)
    release = node.test_cli_runner().invoke(args=["disclose", SEED, "1", "--release", "--reason", "기간 만료",
                                                  "--clerk", CLERK])
    assert release.exit_code == 0, release.output
    store = Store(data_dir)
    try:
        assert [e.reason for e in store.audit_of_record(SEED)] == ["개인정보", "기간 만료"]
    finally:
        store.close()


def test_a_database_that_holds_data_is_refused_and_left_alone(lite_app, target):
    assert migrate(lite_app, target).exit_code == 0
    again = migrate(lite_app, target)
    assert again.exit_code == 1 and "not empty" in again.output
    store = Store(Path(lite_app.config["DATA_DIR"]), url=target)
    try:
        assert len(store.audit_of_record(SEED)) == 1  # nothing copied twice
    finally:
        store.close()


TAMPERING = [
    (f"UPDATE attachments SET disclosure = 'public' WHERE record_id = '{SEED}' AND n = 1", "attachments"),
    ("UPDATE audit SET reason = '없던 일' WHERE id = 1", "audit"),
    (f"DELETE FROM withdrawn WHERE record_id = '{GONE}'", "withdrawn"),
    ("DELETE FROM clerk_withheld", "clerk_withheld"),
]


@pytest.mark.parametrize(("sql", "table"), TAMPERING)
def test_a_copy_changed_afterwards_fails_the_check_naming_the_table(lite_app, target, sql, table):
    assert migrate(lite_app, target).exit_code == 0
    assert migrate(lite_app, target, "--verify-only").exit_code == 0
    superuser(target, sql)
    result = migrate(lite_app, target, "--verify-only")
    assert result.exit_code == 1 and f"mismatch in table {table}:" in result.output, result.output


def test_every_table_is_copied_or_skipped_with_a_reason(tmp_path, pg_cluster):
    lite = Store(tmp_path / "lite", url="")
    try:
        with psycopg.connect(pg_cluster.new_database(), autocommit=True) as pg:
            copied = [t.name for t in moving.plan(lite.db, pg)]
            pg_tables = set(moving.pg_schema(pg))
        tables = set(moving.sqlite_schema(lite.db))
    finally:
        lite.close()
    assert set(copied) == tables - set(moving.SKIPPED) and set(moving.SKIPPED) <= tables
    assert pg_tables == tables | set(moving.PG_ONLY)
    assert all(reason.strip() for reason in [*moving.SKIPPED.values(), *moving.PG_ONLY.values()])


@pytest.mark.parametrize(("ddl", "named"), [
    ("CREATE TABLE redactions (sha256 TEXT PRIMARY KEY, note TEXT)", "table redactions"),
    ("ALTER TABLE attachments ADD COLUMN redacted TEXT", "column redacted"),
])
def test_a_table_or_column_without_a_plan_stops_the_move(lite_app, target, ddl, named):
    """What a future migration adds to the embedded store cannot be left behind in silence."""
    db = sqlite3.connect(Path(lite_app.config["DATA_DIR"]) / "archive.sqlite3")
    db.execute(ddl)
    db.close()
    result = migrate(lite_app, target)
    assert result.exit_code == 1 and named in result.output, result.output
    with psycopg.connect(target) as pg:
        assert pg.execute("SELECT count(*) FROM records").fetchone()[0] == 0


def test_a_database_not_made_with_the_c_collation_verifies_too(lite_app, pg_cluster):
    """The hash reads rows in byte order on both sides, whatever order the database's collation gives
    (Korean first here: 부산광역시 before Busan, where SQLite puts it after)."""
    added = lite_app.test_cli_runner().invoke(args=["users", "create", "park", "--role", "clerk", "--agency",
                                                    "부산광역시", "--agency", "Busan", "--password-stdin"],
                                              input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    name = f"k{uuid.uuid4().hex[:10]}"
    pg_cluster.admin(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu "
                     "ICU_LOCALE 'ko-KR'")
    url = pg_cluster.url(name)
    with psycopg.connect(url) as pg:
        assert pg.execute("SELECT min(x) FROM (VALUES ('Busan'), ('부산광역시')) v (x)").fetchone()[0] == "부산광역시"
    result = migrate(lite_app, url)
    assert result.exit_code == 0, result.output
