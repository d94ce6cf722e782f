"""An ingest's sweep of cached renditions asks the store about the cached files only.

`public_hashes(among=...)` must answer exactly what the whole list answers for those files, or a
rendition of a file no public record holds any more (withdrawn, replaced) would stay on disk.
"""

from __future__ import annotations

from archive.store import Store
from tests.builders import batch, record
from tests.conftest import make_app
from tests.pg import ON_BOTH_STORES

pytestmark = ON_BOTH_STORES


def test_the_public_files_among_some_are_the_public_files_that_are_among_them(tmp_path):
    app = make_app(tmp_path / "store")
    runner = app.test_cli_runner()
    root = batch(tmp_path / "b", (record(id="P"), {"본문.txt": "공개 본문"}),
                 (record(id="W", disclosure="withheld", attachments=[
                     {"file": "비공개.txt", "disclosure": "withheld", "grounds": [6]}]), {"비공개.txt": "비공개 본문"}),
                 (record(id="G"), {"본문.txt": "곧 거두어들일 본문"}))
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    store = Store(tmp_path / "store")
    hashes = {a.sha256 for rid in ("P", "W", "G") for a in store.get(rid).attachments}
    store.set_withdrawn("G", "clerk", "test")  # its file is nobody's public file any more
    everything = store.public_hashes()
    for among in (hashes, {next(iter(hashes))}, set(), hashes | {"0" * 64}):
        assert store.public_hashes(among=among) == everything & among
    assert len(store.public_hashes(among=hashes)) == 2  # P and W are public records (W withholds its file); G withdrawn
