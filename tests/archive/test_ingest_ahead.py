"""A large batch read ahead in a child process (archive/ingest_ahead.py) goes in as a small one does.

The same batch is ingested twice, once read ahead and once read in line (AHEAD_FROM raised past
its size): the reports, records, files and texts must agree, including the records that fail
(record.json not JSON, an id twice, a file named and missing), files shared between records, a
re-send and personal data. Nothing may stay in the blob store's staging folder, and a child that
dies, or whose parent is killed, costs nothing but speed.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import ingest as ingest_module
from archive.store import Store
from tests.builders import batch, record
from tests.conftest import PROJECT, make_app

N = 48  # above AHEAD_FROM
PDF = (Path(__file__).resolve().parent.parent / "fixtures" / "libreoffice_spacing.pdf").read_bytes()


@pytest.fixture(autouse=True)
def groups_by_count(monkeypatch):
    """Groups of GROUP_RECORDS, not cut by time: a report's notes on shared files depend on which
    records commit together, and reading in line is slower than reading ahead."""
    from archive import ingest_group

    monkeypatch.setattr(ingest_group, "GROUP_SECONDS", 10**9)


@pytest.fixture
def served(monkeypatch):
    """How many folders the read-ahead child's readings served (the real ReadAhead, counted)."""
    counts = {"taken": 0, "not": 0}
    real = ingest_module.ReadAhead.take

    def take(self, folder):
        got = real(self, folder)
        counts["taken" if got is not None else "not"] += 1
        return got

    monkeypatch.setattr(ingest_module.ReadAhead, "take", take)
    return counts


def _batch(root: Path, n: int = N) -> Path:
    records = []
    for i in range(n):
        files = {"본문.txt": f"본문 {i}번 공개 문서 내용입니다. " * (1 + i % 7)}
        attachments = [{"file": "본문.txt", "disclosure": "public"}]
        if i % 5 == 0:  # the same bytes in several records, withheld in one of them
            files["공유.txt"] = "여러 기록이 함께 가진 첨부 문서"
            attachments.append({"file": "공유.txt", "disclosure": "withheld" if i == 10 else "public",
                                **({"grounds": [5]} if i == 10 else {})})
        if i == 7:
            files["연락처.txt"] = "담당자 전화 010-1234-5678"
            attachments.append({"file": "연락처.txt", "disclosure": "public"})
        if i == 9:
            attachments.append({"file": "없음.txt", "disclosure": "public"})  # named, not there
        if i % 8 == 3:  # a PDF: read in the extraction guard's own child, under the read-ahead child
            files["보고서.pdf"] = PDF + f"\n% {i}\n".encode()
            attachments.append({"file": "보고서.pdf", "disclosure": "public"})
        records.append((record(id=f"A-{i:03d}", title=f"앞서 읽기 {i}", attachments=attachments), files))
    folder = batch(root, *records)
    (folder / "A-900").mkdir()
    (folder / "A-900" / "record.json").write_text("{", encoding="utf-8")  # not JSON
    twin = folder / "A-901"  # a second folder of an id already read
    twin.mkdir()
    (twin / "record.json").write_text((folder / "A-001" / "record.json").read_text("utf-8"), encoding="utf-8")
    (twin / "본문.txt").write_text("다른 본문", encoding="utf-8")
    return folder


def _ingest(data_dir: Path, folder: Path) -> dict:
    result = make_app(data_dir).test_cli_runner().invoke(args=["ingest", "--json", str(folder)])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output[result.output.index("{"):])


def _contents(data_dir: Path) -> list:
    store = Store(data_dir)
    try:
        out = []
        for rid in sorted(store.record_ids()):
            rec = store.get(rid)
            atts = [(a.name, a.disclosure.value, a.grounds, a.sha256, a.size, a.hold) for a in rec.attachments]
            texts = [(store.extraction(a.sha256).text, store.extraction(a.sha256).status, store.personal_data(a.sha256))
                     for a in rec.attachments]
            out.append((rid, rec.version, rec.title, atts, texts))
        return out
    finally:
        store.close()


def _staging_left(data_dir: Path) -> list[str]:
    folder = data_dir / "blobs" / "tmp"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_read_ahead_ingests_what_reading_in_line_does(tmp_path, monkeypatch, served):
    folder = _batch(tmp_path / "b")
    ahead = _ingest(tmp_path / "ahead", folder)
    assert served == {"taken": N + 2, "not": 0}  # every folder, the PDFs' too, read by the child
    monkeypatch.setattr(ingest_module, "AHEAD_FROM", 10**9)
    inline = _ingest(tmp_path / "inline", folder)
    assert ahead["counts"] == inline["counts"] == {"added": N - 1, "replaced": 0, "unchanged": 0, "rejected": 3}
    assert ahead["records"] == inline["records"]
    assert _contents(tmp_path / "ahead") == _contents(tmp_path / "inline")
    assert _staging_left(tmp_path / "ahead") == []
    again = _ingest(tmp_path / "ahead", folder)  # all unchanged: every staged copy given back
    monkeypatch.undo()
    assert again["counts"]["unchanged"] == N - 1 and _staging_left(tmp_path / "ahead") == []


def test_a_child_that_dies_leaves_the_rest_to_be_read_in_line(tmp_path, monkeypatch):
    folder = _batch(tmp_path / "b")
    parent, real = os.getpid(), ingest_module.read_folder
    calls = {"n": 0}

    def dying(path, staging=None):
        if os.getpid() != parent:  # in the child: read five folders, then die
            calls["n"] += 1
            if calls["n"] > 5:
                os._exit(1)
        return real(path, staging)

    monkeypatch.setattr(ingest_module, "read_folder", dying)
    dead = _ingest(tmp_path / "dead", folder)
    monkeypatch.setattr(ingest_module, "read_folder", real)
    monkeypatch.setattr(ingest_module, "AHEAD_FROM", 10**9)
    inline = _ingest(tmp_path / "inline", folder)
    assert dead["records"] == inline["records"]
    assert _contents(tmp_path / "dead") == _contents(tmp_path / "inline")
    assert _staging_left(tmp_path / "dead") == []


def _alive_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode("utf-8", "replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.slow
def test_a_killed_ingest_leaves_no_reading_child_behind(tmp_path):
    folder = _batch(tmp_path / "killed-batch", 600)  # more than the child may read ahead: it waits, alive
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(tmp_path / "store"), "ARCHIVE_SECRET_KEY": "k" * 40}
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "ingest", str(folder)], cwd=PROJECT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        seen = b""
        while b"(602)" not in seen:  # the batch's label: it has begun on the records, the child is reading
            seen += proc.stdout.read1(4096)
            assert proc.poll() is None, f"the ingest ended before it could be killed: {seen!r}"
        deadline = time.monotonic() + 10
        while not [pid for pid in _alive_with(str(folder)) if pid != proc.pid]:
            assert time.monotonic() < deadline, "no read-ahead child was running"  # else this proves nothing
            time.sleep(0.01)
        time.sleep(0.3)  # well into the batch: the child waits on a full queue
        assert proc.poll() is None, "the ingest ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.communicate(timeout=60)
    deadline = time.monotonic() + 20
    while (left := _alive_with(str(folder))) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == [], f"processes left reading the batch: {left}"
