"""The domain and the index know nothing of HTTP: plain arguments in, plain data out."""

import re

from tests.conftest import PROJECT


def test_archive_and_index_never_import_flask():
    offenders = [
        str(path.relative_to(PROJECT))
        for package in ("archive", "index")
        for path in (PROJECT / package).rglob("*.py")
        if re.search(r"^\s*(from|import)\s+flask\b", path.read_text(encoding="utf-8"), re.M)
    ]
    assert offenders == []


def product_files():
    for package in ("archive", "index", "web"):
        yield from (PROJECT / package).rglob("*.py")
    yield from PROJECT.glob("*.py")  # app.py, the commands, the services, the jobs and their queue


def test_sql_runs_only_in_the_store_package():
    """One door: a PostgreSQL store fills in the store's methods and nothing above it changes."""
    store = PROJECT / "archive" / "store"
    sql = re.compile(r"\bimport sqlite3\b|\bpsycopg\b|\.execute(many|script)?\(|\b(SELECT|INSERT INTO|DELETE FROM)\b"
                     r"\s+\w|\bUPDATE\s+\w+\s+SET\b|\.db\b")
    offenders = [str(p.relative_to(PROJECT)) for p in product_files()
                 if store not in p.parents and sql.search(re.sub(r'"""[\s\S]*?"""', "", p.read_text("utf-8")))]
    assert offenders == []


def test_no_product_module_grows_past_400_lines():
    long = {str(p.relative_to(PROJECT)): n for p in product_files()
            if (n := len(p.read_text("utf-8").splitlines())) > 400}
    assert long == {}
