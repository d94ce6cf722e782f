"""Rebuild-and-swap, catching up after a crash, and `verify` against the store."""

from pathlib import Path

from archive.store import Store
from index import indexer
from index.indexer import index_link, open_index
from index.search import SearchRequest, search


def hits(data_dir, q):
    ix = open_index(data_dir)
    try:
        with ix.searcher() as searcher:
            return [h["id"] for h in search(searcher, SearchRequest(q=q))["results"]]
    finally:
        ix.close()


def test_reindex_builds_a_fresh_folder_and_swaps(own_sample_app):
    data_dir = Path(own_sample_app.config["DATA_DIR"])
    before = index_link(data_dir).resolve()
    result = own_sample_app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0 and "indexed 15 records" in result.output
    after = index_link(data_dir).resolve()
    assert after != before and after.parent == data_dir
    assert hits(data_dir, "서울협치협의회") == ["D0000032552803"]


def test_index_catches_up_after_a_crash_between_store_and_index(own_sample_app, tmp_path):
    data_dir = Path(own_sample_app.config["DATA_DIR"])
    store = Store(data_dir)
    # as if the process died after the store's commit, before the index's
    with store.db:
        store.db.execute("UPDATE records SET indexed_version = NULL WHERE id = 'D0000032552803'")
    ix = open_index(data_dir)
    with ix.writer() as writer:
        writer.delete_by_term("id", "D0000032552803")
    ix.close()
    runner = own_sample_app.test_cli_runner()
    verify = runner.invoke(args=["verify"])
    assert verify.exit_code == 1 and "D0000032552803" in verify.output
    assert hits(data_dir, "서울협치협의회") == []
    indexer.catch_up(store, data_dir)
    store.close()
    assert hits(data_dir, "서울협치협의회") == ["D0000032552803"]
    assert runner.invoke(args=["verify"]).exit_code == 0


def test_verify_reports_a_damaged_original(own_sample_app):
    data_dir = Path(own_sample_app.config["DATA_DIR"])
    store = Store(data_dir)
    sha = store.get("D0000032552803").attachments[0].sha256
    store.close()
    path = store.blobs.path(sha)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:-1] + b"X")
    result = own_sample_app.test_cli_runner().invoke(args=["verify"])
    assert result.exit_code == 1 and f"damaged file {sha}" in result.output


def test_a_damaged_original_is_refused_not_served(own_sample_app):
    data_dir = Path(own_sample_app.config["DATA_DIR"])
    store = Store(data_dir)
    sha = store.get("D0000032552803").attachments[0].sha256
    store.close()
    client = own_sample_app.test_client()
    assert client.get("/records/D0000032552803/attachments/1/original").status_code == 200
    path = store.blobs.path(sha)
    damaged = bytearray(path.read_bytes())
    damaged[100] ^= 0xFF
    path.write_bytes(bytes(damaged))
    response = client.get("/records/D0000032552803/attachments/1/original")
    assert response.status_code == 503 and "무결성" in response.get_data(as_text=True)
    assert bytes(damaged) not in response.data
    path.unlink()
    assert client.get("/records/D0000032552803/attachments/1/original").status_code == 503


def test_an_index_with_an_older_schema_is_rebuilt_on_start(own_sample_app):
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema

    from tests.conftest import make_app

    data_dir = Path(own_sample_app.config["DATA_DIR"])
    old = index_link(data_dir).resolve()
    for f in old.iterdir():
        f.unlink()
    whoosh_index.create_in(str(old), Schema(id=ID(stored=True, unique=True), body=TEXT()))
    make_app(data_dir)  # the portal's start notices and rebuilds
    assert hits(data_dir, "서울협치협의회") == ["D0000032552803"]
