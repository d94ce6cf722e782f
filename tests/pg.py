"""A throwaway PostgreSQL 15 cluster for the store tests, and the fixture that runs a test on either store.

The cluster lives in a temporary folder (owned by the `postgres` user when the suite runs as root,
as CI does: initdb refuses root), listens on a unix socket in that folder only, runs with fsync off,
and is stopped and removed at the end of the session. Each test gets its own database, made from a
migrated template (CREATE DATABASE ... TEMPLATE takes milliseconds). Without Debian's postgresql-15
binaries the PostgreSQL cases skip; `make test` installs them.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

BIN = Path("/usr/lib/postgresql/15/bin")
BOTH = ["sqlite", "postgresql"]
# Put in a module's pytestmark: each of its tests runs once on each store.
ON_BOTH_STORES = [pytest.mark.usefixtures("store_kind"), pytest.mark.parametrize("store_kind", BOTH, indirect=True)]


class Cluster:
    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self._numbers = itertools.count(1)
        self._as_postgres = os.geteuid() == 0
        self._run(BIN / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C",
                  "--no-sync")
        self._run(BIN / "pg_ctl", "-D", self.data, "-l", root / "log", "-w", "-s", "start", "-o",
                  f"-k {root} -c listen_addresses='' -F -c full_page_writes=off -c max_connections=200")
        self.admin("CREATE DATABASE template_store")
        from archive.store.pg import PgDb, migrate

        db = PgDb(self.url("template_store"))
        migrate(db)
        db.close()

    def _run(self, *args) -> None:
        command = [str(a) for a in args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.root)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.root}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def new_database(self, template: str = "template_store") -> str:
        """A fresh, migrated database (or a copy of `template`); its URL."""
        from archive.store.pg_pool import close_pool

        name = f"t{next(self._numbers)}"
        close_pool(self.url(template))  # a template must have no session open: this process's pooled ones go
        self.admin(f"CREATE DATABASE {name} TEMPLATE {template}")
        return self.url(name)

    def stop(self) -> None:
        self._run(BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-s", "stop")


@pytest.fixture(scope="session")
def pg_cluster():
    if not (BIN / "initdb").exists():
        pytest.skip("PostgreSQL 15 is not installed (apt-get install postgresql-15; `make test` does)")
    # not under tmp_path: pytest's base folder is closed to other users, and the server runs as postgres
    root = Path(tempfile.mkdtemp(prefix="yeollam-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = Cluster(root)
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def add_store_option(parser) -> None:
    parser.addoption("--store", default="sqlite", choices=BOTH,
                     help="the store of tests not marked ON_BOTH_STORES (try a suite on PostgreSQL)")


@pytest.fixture
def store_kind(request, monkeypatch) -> str:
    """Which store the test's Store(...) calls open: `--store` (sqlite) unless a module asks for both (ON_BOTH_STORES).

    For PostgreSQL it sets ARCHIVE_DATABASE_URL to a fresh database, so every store the test
    opens (the app's, the CLI's, a second process's) is that one.
    """
    kind = getattr(request, "param", request.config.getoption("--store"))
    if kind == "postgresql" and request.node.get_closest_marker("sqlite_only"):
        pytest.skip("a test of the embedded store's own file or migrations")
    if kind == "postgresql":
        monkeypatch.setenv("ARCHIVE_DATABASE_URL", request.getfixturevalue("pg_cluster").new_database())
    else:
        monkeypatch.delenv("ARCHIVE_DATABASE_URL", raising=False)
    return kind


@pytest.fixture(scope="session")
def pg_sample(pg_cluster, tmp_path_factory) -> Path:
    """The sample batch ingested once through the real CLI into database `sample` (a template) and a data folder."""
    from tests.conftest import SAMPLE, make_app

    data_dir = tmp_path_factory.mktemp("pg-sample") / "store"
    pg_cluster.admin("CREATE DATABASE sample TEMPLATE template_store")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARCHIVE_DATABASE_URL", pg_cluster.url("sample"))
        result = make_app(data_dir).test_cli_runner().invoke(args=["ingest", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    return data_dir


def copy_sample(request, sample_store: Path, data_dir: Path) -> None:
    """A private copy of the sample store in `data_dir`: on PostgreSQL its database too (store_kind's URL)."""
    if request.getfixturevalue("store_kind") == "postgresql":
        shutil.copytree(request.getfixturevalue("pg_sample"), data_dir, symlinks=True)
        url = request.getfixturevalue("pg_cluster").new_database("sample")
        request.getfixturevalue("monkeypatch").setenv("ARCHIVE_DATABASE_URL", url)
    else:
        shutil.copytree(sample_store, data_dir, symlinks=True)
