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
