"""kill -9 at random moments of a real ingest and of disclosure changes: nothing lost, nothing leaked."""

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from archive.store import Store
from index import service
from index.engine import open_engine
from tests.builders import batch, hwpx_bytes, pdf_bytes, record
from tests.conftest import PROJECT, make_app
from tests.web.crawl import crawl, readable
from tests.web.test_leak import probe_paths

CANARY = "CANARYCRASH4242"
pytestmark = pytest.mark.slow  # real CLI processes, SIGKILLed: about three minutes

N = 30


def flask(data_dir, *args) -> subprocess.Popen:
    """A CLI run to kill: use it in a `with`, which closes its pipes."""
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir), "ARCHIVE_SECRET_KEY": "k" * 40}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", *args], cwd=PROJECT, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_flask(data_dir, *args, stdin: str | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """A CLI run to its end; the caller checks its exit code."""
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir), "ARCHIVE_SECRET_KEY": "k" * 40}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=PROJECT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=timeout)


def stored(data_dir) -> int:
    """Count the records stored so far, read-only, beside the running ingest."""
    path = data_dir / "archive.sqlite3"
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute("SELECT count(*) FROM records").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:  # the schema is being created this very moment
        return 0


@pytest.fixture(scope="module")
def crash_batch(tmp_path_factory):
    """Built once for the module (its 60 real files take seconds); ingests only read it."""
    tmp_path = tmp_path_factory.mktemp("crash-batch")
    records = []
    for i in range(N):
        files = {"본문.hwpx": hwpx_bytes(tmp_path, f"{i}번 기록의 공개 본문 크래시검사"),
                 "명부.pdf": pdf_bytes(tmp_path, f"{CANARY} 참석자 {i}")}
        records.append((record(id=f"K-{i:03d}", attachments=[
            {"file": "본문.hwpx", "disclosure": "public"},
            {"file": "명부.pdf", "disclosure": "withheld", "grounds": [6]}], disclosure="partial"), files))
    return batch(tmp_path / "batch", *records)


def test_killed_ingests_then_a_rerun_leave_a_sound_store(tmp_path, crash_batch, capsys):
    data_dir = tmp_path / "store"
    rng = random.Random(20261125)
    seen = []
    for _ in range(4):
        before = seen[-1] if seen else 0
        with flask(data_dir, "ingest", str(crash_batch)) as proc:
            # wait until this run has stored something new (start-up time differs between
            # machines), then kill it a random moment later
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline and stored(data_dir) <= before:
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 0.4))
            proc.send_signal(signal.SIGKILL)
        store = Store(data_dir)  # whatever the moment, the store opens and each record is whole
        seen.append(store.count())
        for rid in store.record_ids():
            rec = store.get(rid)
            assert [a.name for a in rec.attachments] == ["본문.hwpx", "명부.pdf"]
            assert all(store.blobs.is_sound(a.sha256) for a in rec.attachments)
        store.close()
    with capsys.disabled():
        print(f"\nrecords in the store after each kill: {seen} of {N}")
    assert any(0 < n < N for n in seen)  # at least one kill landed mid-batch
    done = run_flask(data_dir, "ingest", str(crash_batch))
    assert done.returncode == 0, done.stdout + done.stderr
    verify = run_flask(data_dir, "verify", timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    app = make_app(data_dir)
    client = app.test_client()
    assert client.get("/api/search?q=크래시검사").get_json()["total"] == N
    pages = crawl(client, probe_paths([f"K-{i:03d}" for i in range(0, N, 7)], attachments=3))
    for path, response in pages.items():
        assert CANARY not in readable(response), path
        assert response.status_code < 500, path


# where each kill lands, in the order a change passes them, and the level the store must then hold
POINTS = {
    "withhold": [("marked-pending", "public"), ("store-written", "public"), ("index-written", "public"),
                 ("committed", "withheld")],
    "release": [("marked-pending", "withheld"), ("store-written", "withheld"),
                ("committed-unindexed", "public"), ("index-written", "public")],
}


@pytest.mark.parametrize("action", ["withhold", "release"])
def test_disclosure_changes_killed_inside_the_change_never_leave_withheld_text_findable(tmp_path, crash_batch,
                                                                                       action):
    """Kill `disclose` at each point inside a change, proven by the point's mark; then repair and check."""
    data_dir = tmp_path / "store"
    ingested = run_flask(data_dir, "ingest", str(crash_batch))
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    users = run_flask(data_dir, "users", "create", "kim", "--role", "clerk", "--password-stdin",
                      stdin="correct horse battery\n", timeout=60)
    assert users.returncode == 0, users.stdout + users.stderr
    if action == "release":  # withhold the bodies first, cleanly, so that there is something to release
        for i in range(len(POINTS[action])):
            done = run_flask(data_dir, "disclose", f"K-{i:03d}", "1", "--withhold", "--ground", "6",
                             "--reason", "준비", "--clerk", "kim", timeout=60)
            assert done.returncode == 0, done.stdout + done.stderr
    for i, (point, _) in enumerate(POINTS[action]):
        mark = tmp_path / f"mark-{i}"
        env = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir), "ARCHIVE_SECRET_KEY": "k" * 40,
               "CRASH_AT": point, "CRASH_MARK": str(mark)}
        option = ["--withhold", "--ground", "6"] if action == "withhold" else ["--release"]
        change = subprocess.run([sys.executable, "-m", "tests.crashpoint", "--app", "app", "disclose",
                                 f"K-{i:03d}", "1", *option, "--reason", "크래시 시험", "--clerk", "kim"],
                                cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120)
        # killed, and killed where it says: a kill before or after the change cannot pass
        assert change.returncode == -signal.SIGKILL, change.stdout + change.stderr
        assert mark.read_text() == point
    app = make_app(data_dir)  # starting the portal repairs the index from the store
    client = app.test_client()
    store = Store(data_dir)
    try:
        for i, (point, expected) in enumerate(POINTS[action]):
            level = store.get(f"K-{i:03d}").attachment(1).disclosure.value
            # a kill before the commit undoes the change; one after it keeps it
            assert level == expected, (i, point)
            found = client.get("/api/search", query_string={"q": f"{i}번 기록의 공개 본문"}).get_json()["total"]
            status = client.get(f"/records/K-{i:03d}/attachments/1/original").status_code
            if level == "withheld":
                assert (found, status) == (0, 451), (i, point)
            else:
                assert status == 200 and found >= 1, (i, point)
            # the audit log holds the change exactly when the store does
            entries = store.audit_of_record(f"K-{i:03d}")
            assert entries and entries[-1].new_level.value == level or not entries and level == "public", (i, point)
        assert service.behind(app.extensions["search_engine"], store) == []  # caught up at start
    finally:
        store.close()
    verify = run_flask(data_dir, "verify", timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def killed_ingest(tmp_path, data_dir, batch_dir, point: str) -> None:
    """Run `ingest` until it reaches `point` inside a group's commit, where it is SIGKILLed; check it was."""
    mark = tmp_path / f"mark-{point}"
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir), "ARCHIVE_SECRET_KEY": "k" * 40,
           "CRASH_AT": point, "CRASH_MARK": str(mark)}
    run = subprocess.run([sys.executable, "-m", "tests.crashpoint", "--app", "app", "ingest", str(batch_dir)],
                         cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300)
    # killed, and killed where it says: a kill before or after the group's commit cannot pass
    assert run.returncode == -signal.SIGKILL, run.stdout + run.stderr
    assert mark.read_text() == point


def test_an_ingest_killed_between_a_groups_files_and_its_rows_leaves_store_index_and_downloads_agreeing(
        tmp_path, crash_batch):
    """Records are committed in groups (archive/ingest_group.py): the kill lands after the second group's
    files are durable and before its rows commit. The first group stands whole, the second is absent
    (its files named by no row, left for garbage collection), and the catch-up indexes what was stored."""
    data_dir = tmp_path / "store"
    killed_ingest(tmp_path, data_dir, crash_batch, "group-files-stored")
    store = Store(data_dir)
    try:
        kept = store.record_ids()
        assert 0 < len(kept) < N, kept
        orphans = store.blobs.all_hashes() - store.referenced_hashes()
        assert orphans and all(store.blobs.is_sound(sha) for sha in orphans)  # stored whole, named by no row
        for rid in kept:
            rec = store.get(rid)
            assert [a.name for a in rec.attachments] == ["본문.hwpx", "명부.pdf"]
            assert all(store.blobs.is_sound(a.sha256) for a in rec.attachments)
    finally:
        store.close()
    client = make_app(data_dir).test_client()  # starting the portal catches the index up
    assert client.get("/api/search?q=크래시검사").get_json()["total"] == len(kept)
    assert client.get("/api/search", query_string={"q": CANARY}).get_json()["total"] == 0
    for i in range(N):
        rid = f"K-{i:03d}"
        statuses = [client.get(path).status_code for path in
                    (f"/records/{rid}", f"/records/{rid}/attachments/1/original",
                     f"/records/{rid}/attachments/2/original")]
        assert statuses == ([200, 200, 451] if rid in kept else [404, 404, 404]), (rid, statuses)
    done = run_flask(data_dir, "ingest", str(crash_batch))
    assert done.returncode == 0, done.stdout + done.stderr
    store = Store(data_dir)
    try:
        assert store.count() == N
        assert store.blobs.all_hashes() == store.referenced_hashes()  # the rerun named the files left behind
    finally:
        store.close()
    assert make_app(data_dir).test_client().get("/api/search?q=크래시검사").get_json()["total"] == N
    verify = run_flask(data_dir, "verify", timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_a_reingest_that_withholds_is_out_of_the_index_before_its_group_commits(tmp_path, crash_batch):
    """A re-send withholding every body: killed after the first group left the index, before its rows
    committed. The store still holds the old, public versions; the index no longer holds the group."""
    data_dir = tmp_path / "store"
    first = run_flask(data_dir, "ingest", str(crash_batch))
    assert first.returncode == 0, first.stdout + first.stderr
    v2 = tmp_path / "v2"
    shutil.copytree(crash_batch, v2)
    for path in v2.glob("*/record.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["attachments"][0].update(disclosure="withheld", grounds=[6])
        data["disclosure"] = "withheld"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    killed_ingest(tmp_path, data_dir, v2, "group-index-dropped")
    indexed = open_engine("tantivy", data_dir).indexed()
    assert "K-000" not in indexed and f"K-{N - 1:03d}" in indexed  # the first group out, the last not reached
    store = Store(data_dir)
    try:
        assert all(store.get(f"K-{i:03d}").version == 1 for i in range(N))  # nothing of v2 committed
    finally:
        store.close()
    done = run_flask(data_dir, "ingest", str(v2))
    assert done.returncode == 0, done.stdout + done.stderr
    client = make_app(data_dir).test_client()
    assert client.get("/api/search?q=크래시검사").get_json()["total"] == 0
    assert client.get("/records/K-000/attachments/1/original").status_code == 451
