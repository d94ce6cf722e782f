"""OCR of scans (issue 16) through the real CLI: pending at ingest, read by `ocr`, searchable after,
resumable after kill -9, a page that keeps killing the reader fails its file, personal data warns."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import ocr
from archive.store import Store
from index.service import behind
from tests.builders import batch, record
from tools.scanmaker import write_scan_pdf, write_scan_png

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not ocr.available(), reason="tesseract with Korean data is not installed")]

ROOT = Path(__file__).resolve().parents[2]
PNG_WORD, PDF_WORD = "감자떡축제", "호박엿거리"


def scans_batch(tmp_path: Path) -> Path:
    png = write_scan_png(tmp_path / "scan.png", ["서울특별시 공공도서관 운영 현황 보고",
                                                 f"올해 {PNG_WORD} 예산은 삼천만원입니다"])
    pdf = write_scan_pdf(tmp_path / "scan.pdf", [["도로 보수 공사 안내문", f"세종대로 {PDF_WORD} 구간 차로 축소"]])
    return batch(tmp_path / "b",
                 (record(id="S-PNG", attachments=[{"file": "스캔.png", "disclosure": "public"}]),
                  {"스캔.png": png.read_bytes()}),
                 (record(id="S-PDF", attachments=[{"file": "공문.pdf", "disclosure": "public"}]),
                  {"공문.pdf": pdf.read_bytes()}))


def found(client, q: str) -> list[str]:
    return [hit["id"] for hit in client.get("/api/search", query_string={"q": q}).get_json()["results"]]


def test_a_word_only_in_a_picture_becomes_searchable_after_ocr(app, runner, client, tmp_path):
    started = time.monotonic()
    result = runner.invoke(args=["ingest", str(scans_batch(tmp_path))])
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 20  # stored, not read: OCR is off the ingest's path
    store = Store(Path(app.config["DATA_DIR"]))
    assert {store.get(r).attachments[0].text_status for r in ("S-PNG", "S-PDF")} == {"pending"}
    assert store.count_pending_scans() == 2
    assert found(client, PNG_WORD) == [] and found(client, PDF_WORD) == []
    page = client.get("/records/S-PNG").get_data(as_text=True)
    assert "ocr-pending" in page and "글자를 읽는 중" in page
    assert client.get("/api/records/S-PNG").get_json()["attachments"][0]["text_status"] == "pending"

    result = runner.invoke(args=["ocr"])
    assert result.exit_code == 0, result.output
    assert "read 2 scan(s)" in result.output
    assert found(client, PNG_WORD) == ["S-PNG"]
    assert found(client, PDF_WORD) == ["S-PDF"]
    for rid in ("S-PNG", "S-PDF"):
        att = client.get(f"/api/records/{rid}").get_json()["attachments"][0]
        assert att["text_status"] == "ok" and att["text_source"] == "ocr"
        text = client.get(f"/records/{rid}/attachments/1/text").get_data(as_text=True)
        assert "machine-read" in text and "기계 판독" in text
    assert "ocr-pending" not in client.get("/records/S-PNG").get_data(as_text=True)
    assert store.count_pending_scans() == 0 and behind(app.extensions["search_engine"], store) == []
    # a second run has nothing to do
    again = runner.invoke(args=["ocr"])
    assert again.exit_code == 0 and "read 0 scan(s)" in again.output


def test_typed_text_is_marked_as_read_from_the_file(app, runner, client, tmp_path):
    root = batch(tmp_path / "b", (record(), {"본문.txt": "타자로 친 본문"}))
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    assert client.get("/api/records/T-0001").get_json()["attachments"][0]["text_source"] == "file"


def test_personal_data_in_a_scan_warns_the_clerks(app, runner, tmp_path):
    png = write_scan_png(tmp_path / "p.png", ["민원 신청서", "신청인 연락처 010-2345-6789"])
    root = batch(tmp_path / "b", (record(attachments=[{"file": "신청서.png", "disclosure": "public"}]),
                                  {"신청서.png": png.read_bytes()}))
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    store = Store(Path(app.config["DATA_DIR"]))
    assert store.flagged_attachments() == []
    result = runner.invoke(args=["ocr"])
    assert result.exit_code == 0 and "personal data found in 1" in result.output
    flagged = store.flagged_attachments()
    assert [(f.record_id, f.pii) for f in flagged] == [("T-0001", [("mobile", "010-****-6789")])]
    assert store.watched("T-0001") == [6]  # its re-sends are held for a clerk, as with typed text


def test_a_page_that_keeps_killing_the_reader_fails_its_file(app, runner, tmp_path):
    root = scans_batch(tmp_path)
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    store = Store(Path(app.config["DATA_DIR"]))
    png = store.get("S-PNG").attachments[0].sha256
    for _ in range(3):  # three runs that died on its page, each counted before it began
        store.ocr_try(png)
    result = runner.invoke(args=["ocr"])
    assert result.exit_code == 1
    assert "ocr_failed" in result.output and "read 1 scan(s)" in result.output
    att = store.get("S-PNG").attachments[0]
    assert att.text_status == "none" and att.text_reason == "ocr_failed"
    assert store.get("S-PDF").attachments[0].text_status == "ok"


def test_a_page_over_its_time_budget_fails_its_file_and_leaves_no_tesseract(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path / "store", OCR_PAGE_SECONDS=0.05)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["ingest", str(scans_batch(tmp_path))]).exit_code == 0
    result = runner.invoke(args=["ocr"])
    assert result.exit_code == 1 and result.output.count("timeout") == 2
    time.sleep(0.5)
    mine = subprocess.run(["pgrep", "-P", str(os.getpid()), "tesseract"], capture_output=True, text=True)
    assert mine.stdout.strip() == ""


def _pages_read(data_dir: Path) -> int:
    try:
        with sqlite3.connect(data_dir / "archive.sqlite3", timeout=5) as db:
            return db.execute("SELECT count(*) FROM ocr_pages").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_kill_9_mid_run_then_a_rerun_completes_from_where_it_was(app, runner, client, tmp_path):
    pages = [[f"{k + 1}쪽 도로 보수 공사 안내문", f"세종대로 {PDF_WORD} 구간 차로 축소"] for k in range(4)]
    pdf = write_scan_pdf(tmp_path / "long.pdf", pages)
    root = batch(tmp_path / "b", (record(id="S-LONG", attachments=[{"file": "긴공문.pdf", "disclosure": "public"}]),
                                  {"긴공문.pdf": pdf.read_bytes()}))
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    data_dir = Path(app.config["DATA_DIR"])
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(data_dir), "ARCHIVE_SECRET_KEY": "k" * 40}
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "ocr"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while _pages_read(data_dir) < 1 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the command, its guard child and Tesseract at once
    proc.wait()
    store = Store(data_dir)
    done_before = len(store.ocr_pages(store.get("S-LONG").attachments[0].sha256))
    assert 1 <= done_before < 4
    assert store.get("S-LONG").attachments[0].text_status == "pending"
    assert found(client, PDF_WORD) == []

    result = runner.invoke(args=["ocr"])
    assert result.exit_code == 0, result.output
    assert f"{4 - done_before} page(s)" in result.output  # the pages read before were not read again
    assert found(client, PDF_WORD) == ["S-LONG"]
    text = store.text_of(store.get("S-LONG").attachments[0].sha256)
    assert all(f"{k}쪽" in text for k in range(1, 5))
    assert store.ocr_pages(store.get("S-LONG").attachments[0].sha256) == {}


def test_ocr_refuses_cleanly_without_tesseract(app, runner, tmp_path, monkeypatch):
    assert runner.invoke(args=["ingest", str(scans_batch(tmp_path))]).exit_code == 0
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))  # the real lookup, finding no program
    result = runner.invoke(args=["ocr"])
    assert result.exit_code == 1 and "tesseract" in result.output
    assert Store(Path(app.config["DATA_DIR"])).count_pending_scans() == 2  # nothing failed for good


def test_jobs_report_lists_no_text(app, runner, tmp_path):
    """The OCR job's report holds names and counts only (never a scan's text)."""
    import services

    assert runner.invoke(args=["ingest", str(scans_batch(tmp_path))]).exit_code == 0
    data_dir = Path(app.config["DATA_DIR"])
    store = Store(data_dir)
    job_id = services.submit_job(store, data_dir, "ocr", "kim")
    job = services.run_job(store, app.extensions["search_engine"], data_dir, job_id, dict(app.config), "test:1")
    assert job.state.value == "done" and (job.done, job.total) == (2, 2)
    assert job.report["read"] == 2 and PNG_WORD not in json.dumps(job.report, ensure_ascii=False)


def test_a_scan_of_more_pages_than_the_cap_is_stored_without_text_and_none_is_read(app, runner, tmp_path):
    from PIL import Image

    tiff = tmp_path / "many.tiff"
    frames = [Image.new("L", (200, 100), 255) for _ in range(6)]
    frames[0].save(tiff, save_all=True, append_images=frames[1:])
    root = batch(tmp_path / "b", (record(id="S-TIFF", attachments=[{"file": "팩스.tiff", "disclosure": "public"}]),
                                  {"팩스.tiff": tiff.read_bytes()}))
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    app.config["OCR_MAX_PAGES"] = 5
    result = runner.invoke(args=["ocr"])
    assert result.exit_code == 1, result.output
    assert "too_large" in result.output
    att = Store(Path(app.config["DATA_DIR"])).get("S-TIFF").attachments[0]
    assert att.text_status == "none" and att.text_reason == "too_large"
    assert _pages_read(Path(app.config["DATA_DIR"])) == 0
