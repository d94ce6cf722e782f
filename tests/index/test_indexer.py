"""Rebuild-and-swap, catching up after a crash, and `verify` against the store."""

from pathlib import Path

from archive.store import Store
from index import service
from tests.index.conftest import Searcher


def hits(app, q):
    return Searcher(app).ids(q)


def link(app) -> Path:
    return Path(app.config["DATA_DIR"]) / f"search-{app.extensions['search_engine'].name}"


def test_reindex_builds_a_fresh_folder_and_swaps(engine_app):
    before = link(engine_app).resolve()
    result = engine_app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0 and "indexed 16 records" in result.output
    after = link(engine_app).resolve()
    assert after != before and after.parent == Path(engine_app.config["DATA_DIR"])
    assert hits(engine_app, "서울협치협의회") == ["D0000032552803"]


def test_index_catches_up_after_a_crash_between_store_and_index(engine_app):
    engine = engine_app.extensions["search_engine"]
    store = Store(Path(engine_app.config["DATA_DIR"]))
    # as if the process died after the store's commit, before the index's
    store.mark_pending(["D0000032552803"])
    engine.write([], remove=["D0000032552803"])
    runner = engine_app.test_cli_runner()
    verify = runner.invoke(args=["verify"])
    assert verify.exit_code == 1 and "D0000032552803" in verify.output
    assert hits(engine_app, "서울협치협의회") == []
    service.catch_up(engine, store)
    store.close()
    assert hits(engine_app, "서울협치협의회") == ["D0000032552803"]
    assert runner.invoke(args=["verify"]).exit_code == 0


def test_a_store_switches_engines_with_one_start_or_reindex(engine_app, tmp_path):
    from tests.conftest import make_app

    other = {"whoosh": "tantivy", "tantivy": "whoosh"}[engine_app.extensions["search_engine"].name]
    switched = make_app(Path(engine_app.config["DATA_DIR"]), SEARCH_ENGINE=other)
    assert hits(switched, "서울협치협의회") == ["D0000032552803"]
    assert switched.test_cli_runner().invoke(args=["verify"]).exit_code == 0


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

    app = make_app(Path(own_sample_app.config["DATA_DIR"]), SEARCH_ENGINE="whoosh")
    old = link(app).resolve()
    for f in old.iterdir():
        f.unlink()
    whoosh_index.create_in(str(old), Schema(id=ID(stored=True, unique=True), body=TEXT()))
    again = make_app(Path(own_sample_app.config["DATA_DIR"]), SEARCH_ENGINE="whoosh")  # the start rebuilds
    assert hits(again, "서울협치협의회") == ["D0000032552803"]


def test_a_reader_sees_another_process_commit_within_a_second(engine_app, tmp_path):
    """A gunicorn worker reads while another process (the CLI, a second worker) writes."""
    import os
    import subprocess
    import sys
    import time

    from tests.builders import batch, record
    from tests.conftest import PROJECT

    client = engine_app.test_client()
    word = "다른프로세스에서온기록"

    def found() -> int:
        return client.get("/api/search", query_string={"q": word}).get_json()["total"]

    assert found() == 0  # the reader is open and has searched before the write
    root = batch(tmp_path / "b", (record(id="OTHER-1"), {"본문.txt": f"{word} 본문"}))
    env = {**os.environ, "ARCHIVE_DATA_DIR": engine_app.config["DATA_DIR"], "ARCHIVE_SECRET_KEY": "k" * 40,
           "ARCHIVE_SEARCH_ENGINE": engine_app.extensions["search_engine"].name}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "ingest", str(root)], cwd=PROJECT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    committed = time.monotonic()
    while found() == 0 and time.monotonic() - committed < 1.0:
        time.sleep(0.05)
    assert found() == 1, "the reader did not see the other process's commit within a second"
