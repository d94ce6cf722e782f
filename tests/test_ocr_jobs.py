"""The OCR job (issue 16, issue 18 item 4) run by a real worker, SIGKILLed mid-page: the next worker
resumes it from the page it was reading, and a withheld scan's words stay off every public path."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

import services
from archive import ocr
from archive.store import Store
from tests.builders import batch, record
from tests.conftest import make_app
from tests.test_jobs import read, wait_for, worker
from tools.scanmaker import write_scan_pdf, write_scan_png

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not ocr.available(), reason="tesseract with Korean data is not installed")]

WORD, CANARY = "호박엿거리", "도토리묵잔치"


def _tesseracts() -> set[int]:
    out = subprocess.run(["pgrep", "-x", "tesseract"], capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


def test_a_worker_killed_mid_ocr_job_resumes_it_from_the_page_it_was_reading(tmp_path):
    data_dir = tmp_path / "store"
    app = make_app(data_dir)
    pages = [[f"{k + 1}쪽 도로 보수 공사 안내문", f"세종대로 {WORD} 구간 차로 축소"] for k in range(5)]
    pdf = write_scan_pdf(tmp_path / "long.pdf", pages)
    secret = write_scan_png(tmp_path / "s.png", ["민원인 진술서", f"{CANARY} 행사 신청인"])
    root = batch(tmp_path / "b", (
        record(id="J-SCAN", disclosure="partial", attachments=[
            {"file": "공문.pdf", "disclosure": "public"},
            {"file": "진술서.png", "disclosure": "withheld", "grounds": [6]}]),
        {"공문.pdf": pdf.read_bytes(), "진술서.png": secret.read_bytes()}))
    assert app.test_cli_runner().invoke(args=["ingest", str(root)]).exit_code == 0
    before = _tesseracts()
    job_id = services.submit_job(Store(data_dir), data_dir, "ocr", "kim")

    with worker(data_dir) as proc:
        wait_for(lambda: read(data_dir, "SELECT count(*) FROM ocr_pages")[0][0] >= 2)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    state, attempts = read(data_dir, "SELECT state, attempts FROM jobs WHERE id = ?", (job_id,))[0]
    assert state == "running" and attempts == 1  # the kill landed mid-job
    read_before = read(data_dir, "SELECT count(*) FROM ocr_pages")[0][0]
    assert 2 <= read_before < 5
    time.sleep(1)
    assert _tesseracts() - before == set()  # the reading child and its Tesseract died with the worker

    with worker(data_dir) as proc:
        wait_for(lambda: read(data_dir, "SELECT state FROM jobs WHERE id = ?", (job_id,))[0][0] in ("done", "failed"))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=90) == 0
    job = Store(data_dir).job(job_id)
    assert job.state.value == "done" and job.attempts == 2 and job.report["read"] == 2, job
    assert job.report["pages"] < 6  # the pages read before the kill were not read again (5 + 1 in all)

    public = make_app(data_dir).test_client()
    assert [h["id"] for h in public.get("/api/search", query_string={"q": WORD}).get_json()["results"]] == ["J-SCAN"]
    text = Store(data_dir).text_of(Store(data_dir).get("J-SCAN").attachments[0].sha256)
    assert all(f"{k}쪽" in text for k in range(1, 6))
    for q in ("도토리", "묵잔치", "진술서 행사"):
        assert public.get("/api/search", query_string={"q": q}).get_json()["total"] == 0
    for path in ("/records/J-SCAN", "/api/records/J-SCAN", "/records/J-SCAN/attachments/2/text",
                 "/records/J-SCAN/attachments/1/text"):
        assert CANARY not in public.get(path).get_data(as_text=True), path
    assert not list((data_dir / "uploads").glob("*"))


def test_the_worker_reads_waiting_scans_by_itself_once_the_index_is_caught_up(tmp_path):
    data_dir = tmp_path / "store"
    app = make_app(data_dir)
    png = write_scan_png(tmp_path / "a.png", ["공공도서관 운영 현황", f"세종대로 {WORD} 안내"])
    root = batch(tmp_path / "b", (record(id="J-PNG", attachments=[{"file": "안내.png", "disclosure": "public"}]),
                                  {"안내.png": png.read_bytes()}))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    assert runner.invoke(args=["worker", "--drain"]).exit_code == 0  # nobody asked: the worker's tend does
    jobs = Store(data_dir).recent_jobs()
    assert [(j.kind, j.who, j.state.value) for j in jobs] == [("ocr", "worker", "done")]
    found = app.test_client().get("/api/search", query_string={"q": WORD}).get_json()["results"]
    assert [h["id"] for h in found] == ["J-PNG"]
    assert runner.invoke(args=["worker", "--drain"]).exit_code == 0
    assert len(Store(data_dir).recent_jobs()) == 1  # nothing left: no empty job
