"""PDF text renditions within a budget: big texts refused, failures answered 503, a cache of whole PDFs."""

import fcntl
import io
import os
import re
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from archive import rendition
from tests.builders import batch, record
from tests.conftest import make_app
from tests.web.i18n_support import compile_catalogs

CSV_LINE = "2023-01-01,서울특별시,측정소별 농도 현황,12345,67.8,비고\n"
BIG_CSV = CSV_LINE * 12_000  # 480 000 characters (about 800 KB): over the default cap
SMALL_TEXT = "서울협치협의회 회의 결과를 알립니다.\n" * 20


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    """A store with one record: a big public CSV (1), a small public text (2), a withheld big CSV (3)."""
    tmp_path = tmp_path_factory.mktemp("renditions")
    data_dir = tmp_path / "store"
    root = batch(tmp_path / "b", (
        record(id="R-1", title="대기질 측정 자료", disclosure="partial", attachments=[
            {"file": "측정자료.csv", "disclosure": "public"},
            {"file": "안내문.txt", "disclosure": "public"},
            {"file": "비공개자료.csv", "disclosure": "withheld", "grounds": [6]},
        ]),
        {"측정자료.csv": BIG_CSV, "안내문.txt": SMALL_TEXT, "비공개자료.csv": "비밀," + BIG_CSV},
    ))
    result = make_app(data_dir).test_cli_runner().invoke(args=["ingest", str(root)])
    assert result.exit_code == 0, result.output
    return data_dir


@pytest.fixture
def store_dir(ingested, tmp_path):
    """A private copy of that store."""
    shutil.copytree(ingested, tmp_path / "store", symlinks=True)
    return tmp_path / "store"


def client_of(store_dir, **config):
    # the catalogs as the .po files are now (the English pages below), whatever make last compiled
    translations = compile_catalogs(Path(store_dir).parent / "translations")
    return make_app(store_dir, BABEL_TRANSLATION_DIRECTORIES=str(translations), **config).test_client()


def cache_files(store_dir) -> list[Path]:
    cache = Path(store_dir) / "renditions"
    return sorted(cache.iterdir()) if cache.is_dir() else []


def assert_cache_holds_only_whole_pdfs(store_dir) -> None:
    for path in cache_files(store_dir):
        assert path.suffix == ".pdf" and not path.name.startswith("."), path.name  # no .part, no .lock
        assert len(PdfReader(io.BytesIO(path.read_bytes())).pages) >= 1


def test_text_over_the_cap_is_refused_at_once_with_a_link_to_the_original(store_dir):
    client = client_of(store_dir)
    start = time.perf_counter()
    response = client.get("/records/R-1/attachments/1/pdf")
    elapsed = time.perf_counter() - start
    assert response.status_code == 413 and elapsed < 5, (response.status_code, elapsed)
    html = response.get_data(as_text=True)
    assert "PDF 변환본을 드릴 수 없습니다" in html and "No PDF rendition" not in html  # Korean by default
    assert "한도인 150,000자를 넘어" in html
    english = client.get("/records/R-1/attachments/1/pdf?lang=en").get_data(as_text=True)
    assert "No PDF rendition" in english and "over the 150,000-character limit" in english
    told = re.search(r"텍스트는 ([0-9,]+)자로", html)
    assert told and 150_000 < int(told.group(1).replace(",", "")) <= len(BIG_CSV)
    assert 'href="/records/R-1/attachments/1/original"' in html and "원문다운로드" in html
    assert "Content-Disposition" not in response.headers
    assert cache_files(store_dir) == []
    # the original it links to is served whole
    original = client.get("/records/R-1/attachments/1/original")
    assert original.status_code == 200 and original.data == BIG_CSV.encode()


def test_the_cap_is_a_setting(store_dir):
    response = client_of(store_dir, RENDITION_MAX_CHARS=100).get("/records/R-1/attachments/2/pdf")
    assert response.status_code == 413 and "100자를 넘어" in response.get_data(as_text=True)
    assert cache_files(store_dir) == []


def test_a_withheld_attachment_is_451_before_any_size_check(store_dir):
    """The level is checked first: a withheld text's size is not told, nothing is made or cached."""
    for config in ({}, {"RENDITION_MAX_CHARS": 10**9, "RENDITION_SECONDS": 0.01}):
        response = client_of(store_dir, **config).get("/records/R-1/attachments/3/pdf")
        assert response.status_code == 451
        html = response.get_data(as_text=True)
        assert f"{len(BIG_CSV) + 3:,}" not in html and "비밀," not in html
    assert not (Path(store_dir) / "renditions").exists()


def _hungry(*args):
    bytearray(512 * 1024 * 1024)  # past the budget below, whatever the parent has mapped
    return b"%PDF"


@pytest.mark.parametrize("budget, hog, words", [
    ({"RENDITION_SECONDS": 0.01}, False, ("정해진 시간(0.01초)", "time budget (0.01 s)")),
    ({"RENDITION_MEMORY": 256 * 1024 * 1024}, True, ("정해진 메모리", "memory budget")),
])
def test_a_rendition_failing_in_its_child_answers_503_and_leaves_nothing(store_dir, monkeypatch, budget, hog, words):
    # A tiny address space is no sure failure: the forked child may render in heap its parent
    # already mapped. So the memory case renders with something that wants 512 MiB.
    if hog:
        monkeypatch.setattr(rendition, "text_pdf", _hungry)
    client = client_of(store_dir, **budget)
    response = client.get("/records/R-1/attachments/2/pdf")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    korean, english = words
    assert korean in html and english not in html
    reader = client_of(store_dir, **budget)  # another reader: the one above keeps Korean (and its cache key)
    assert english in reader.get("/records/R-1/attachments/2/pdf?lang=en").get_data(as_text=True)
    assert 'href="/records/R-1/attachments/2/original"' in html
    assert cache_files(store_dir) == []
    # with the default budget the same rendition is made, and then served from the cache
    monkeypatch.undo()
    good = client_of(store_dir)
    first = good.get("/records/R-1/attachments/2/pdf")
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    assert "서울협치협의회" in PdfReader(io.BytesIO(first.data)).pages[0].extract_text()
    assert len(cache_files(store_dir)) == 1
    assert_cache_holds_only_whole_pdfs(store_dir)
    assert client.get("/records/R-1/attachments/2/pdf").data == first.data  # cached: no budget needed


def test_an_error_in_the_child_is_503_never_500(store_dir, monkeypatch):
    def broken(*args):
        raise RuntimeError("fpdf2 broke")

    monkeypatch.setattr(rendition, "text_pdf", broken)
    response = client_of(store_dir).get("/records/R-1/attachments/2/pdf")
    assert response.status_code == 503 and "오류가 났습니다" in response.get_data(as_text=True)
    assert "fpdf2 broke" not in response.get_data(as_text=True)
    assert cache_files(store_dir) == []


def test_a_failed_write_leaves_no_part_file(store_dir, monkeypatch):
    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(rendition.os, "fsync", full_disk)
    response = client_of(store_dir).get("/records/R-1/attachments/2/pdf")
    assert response.status_code == 503 and "오류가 났습니다" in response.get_data(as_text=True)
    assert cache_files(store_dir) == []


@pytest.mark.slow
def test_two_requests_at_once_render_once(store_dir, monkeypatch):
    calls = []
    real = rendition.run_guarded

    def slow_guarded(*args, **kwargs):
        calls.append(1)
        time.sleep(1)  # long enough for the second request to arrive while this one renders
        return real(*args, **kwargs)

    monkeypatch.setattr(rendition, "run_guarded", slow_guarded)
    app = make_app(store_dir)
    results = []

    def fetch():
        results.append(app.test_client().get("/records/R-1/attachments/2/pdf"))

    threads = [threading.Thread(target=fetch) for _ in range(2)]
    for t in threads:
        t.start()
        time.sleep(0.2)
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [200, 200]
    assert results[0].data == results[1].data and len(calls) == 1
    assert_cache_holds_only_whole_pdfs(store_dir)


@pytest.mark.slow
def test_a_request_that_waited_for_a_failed_rendering_does_not_render_again(store_dir, monkeypatch):
    calls = []

    def slow_timeout(*args, **kwargs):
        calls.append(1)
        time.sleep(1)
        return ("limit", "timeout")

    monkeypatch.setattr(rendition, "run_guarded", slow_timeout)
    app = make_app(store_dir)
    results = []
    threads = [threading.Thread(target=lambda: results.append(
        app.test_client().get("/records/R-1/attachments/2/pdf"))) for _ in range(2)]
    for t in threads:
        t.start()
        time.sleep(0.2)
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in results) == [503, 503] and len(calls) == 1
    assert any("다른 요청이" in r.get_data(as_text=True) for r in results)
    assert cache_files(store_dir) == []


@pytest.mark.slow
def test_waiting_for_another_renderer_is_bounded(store_dir):
    """A lock held by a stuck renderer costs a bounded wait and a 503 with Retry-After."""
    app = make_app(store_dir, RENDITION_SECONDS=0.5)
    with app.app_context():
        from web.context import get_store

        store = get_store()
        att = store.get("R-1").attachment(2)
        title = f"{store.get('R-1').title} — {att.name}"
    with app.test_request_context("/"):  # the heading the web layer gives for a Korean reader
        from web.downloads import _rendition_header

        header = _rendition_header()
    lock = rendition.rendition_path(Path(store_dir) / "renditions", att.sha256, title, header).with_suffix(".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_CREAT | os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        start = time.perf_counter()
        response = app.test_client().get("/records/R-1/attachments/2/pdf")
        elapsed = time.perf_counter() - start
    finally:
        os.close(fd)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "다시 시도해 주십시오" in response.get_data(as_text=True)
    assert 2 < elapsed < 10
    assert not any(p.suffix == ".pdf" for p in cache_files(store_dir))


def test_stale_part_files_are_swept_fresh_ones_kept(store_dir):
    cache = Path(store_dir) / "renditions"
    cache.mkdir()
    old, fresh = cache / ".old-x.part", cache / ".fresh-y.part"
    old.write_bytes(b"")
    fresh.write_bytes(b"")
    os.utime(old, (time.time() - 2 * rendition.STALE_PART,) * 2)
    assert client_of(store_dir).get("/records/R-1/attachments/2/pdf").status_code == 200
    assert not old.exists() and fresh.exists()


def test_a_withhold_during_rendering_leaves_no_pdf_and_answers_451(store_dir, monkeypatch):
    """The clerk's purge ran before the rendition was written: the download looks again."""
    real = rendition.run_guarded

    def withheld_meanwhile(*args, **kwargs):
        result = real(*args, **kwargs)
        db = sqlite3.connect(Path(store_dir) / "archive.sqlite3")
        with db:
            db.execute("UPDATE attachments SET disclosure = 'withheld', grounds = '[6]' "
                       "WHERE record_id = 'R-1' AND n = 2")
        db.close()
        return result

    monkeypatch.setattr(rendition, "run_guarded", withheld_meanwhile)
    response = client_of(store_dir).get("/records/R-1/attachments/2/pdf")
    assert response.status_code == 451
    assert cache_files(store_dir) == []
