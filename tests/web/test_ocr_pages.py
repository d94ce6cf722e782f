"""OCR (issue 16) on the web: a withheld scan's words never reach the public; the clerks see its
personal data; the OCR job from the workspace, with progress; the sample's scan read and searchable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive import ocr
from archive.store import Store
from tests.builders import batch, record
from tests.conftest import csrf_token, log_in, make_app
from tests.web.crawl import crawl, readable
from tests.web.test_leak import probe_paths
from tools.scanmaker import write_scan_png

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not ocr.available(), reason="tesseract with Korean data is not installed")]

CANARY = "도토리묵잔치"  # painted only in the withheld picture
PUBLIC_WORD = "감자떡축제"
SCAN_WORD = "직인생략"  # only in the sample's scanned notice (its title says 도깨비시장)


@pytest.fixture(params=["tantivy", "whoosh"])
def withheld_scan_app(request, tmp_path):
    app = make_app(tmp_path / "store", SEARCH_ENGINE=request.param)
    public = write_scan_png(tmp_path / "p.png", ["공개 안내문", f"올해 {PUBLIC_WORD} 예산 안내"])
    secret = write_scan_png(tmp_path / "s.png", ["민원인 진술서 (비공개)",
                                                 f"{CANARY} 행사 신청인 연락처 010-2345-6789"])
    root = batch(tmp_path / "b", (
        record(id="W-SCAN", title="스캔 첨부 기록", disclosure="partial", attachments=[
            {"file": "안내문.png", "disclosure": "public"},
            {"file": "진술서.png", "disclosure": "withheld", "grounds": [6]}]),
        {"안내문.png": public.read_bytes(), "진술서.png": secret.read_bytes()}))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["ingest", str(root)]).exit_code == 0
    result = runner.invoke(args=["ocr"])
    assert result.exit_code == 0 and "read 2 scan(s)" in result.output, result.output
    return app


def test_a_withheld_scans_words_are_read_for_the_clerks_only(withheld_scan_app):
    store = Store(Path(withheld_scan_app.config["DATA_DIR"]))
    rec = store.get("W-SCAN")
    secret = rec.attachments[1]
    assert CANARY in store.text_of(secret.sha256)  # it was read: the canary is a real test
    flagged = {(f.n, f.disclosure.value): f.pii for f in store.flagged_attachments()}
    assert flagged == {(2, "withheld"): [("mobile", "010-****-6789")]}  # the clerks' warning

    client = withheld_scan_app.test_client()
    assert [h["id"] for h in client.get("/api/search", query_string={"q": PUBLIC_WORD}).get_json()["results"]] \
        == ["W-SCAN"]
    for q in (CANARY, "도토리묵", "묵잔치", "2345-6789"):
        assert client.get("/api/search", query_string={"q": q}).get_json()["total"] == 0
    # parts of the canary as queries (a page echoes its query; the whole canary would be found there)
    paths = probe_paths(["W-SCAN"], attachments=2) + [
        f"{where}?q={q}" for where in ("/search", "/api/search", "/feed.atom", "/export.zip")
        for q in ("도토리", "잔치", "토리묵", "진술서", "W-SCAN")]
    pages = crawl(client, paths)
    assert len(pages) > 40 and 500 not in {r.status_code for r in pages.values()}
    for path, response in pages.items():
        shown = readable(response)
        assert CANARY not in shown and "묵잔치" not in shown, f"the withheld scan's text leaked at {path}"
    api = client.get("/api/records/W-SCAN").get_json()["attachments"]
    assert api[0]["text_source"] == "ocr" and "text_source" not in api[1]


def test_the_ocr_job_from_the_workspace_reads_the_samples_scan(clerk_app):
    client = clerk_app.test_client()
    assert client.get("/api/search", query_string={"q": SCAN_WORD}).get_json()["total"] == 0
    record_page = client.get("/records/D0000036208815").get_data(as_text=True)
    assert "ocr-pending" in record_page  # the sample is ingested without OCR: being read
    log_in(client)
    dashboard = client.get("/clerk/").get_data(as_text=True)
    assert "스캔본 읽기" in dashboard and re.search(r"글자를 읽을 스캔본 1건", dashboard)
    response = client.post("/clerk/jobs/ocr", data={"csrf_token": csrf_token(client, "/clerk/")})
    assert response.status_code == 303
    job_url = response.headers["Location"]
    job_id = int(job_url.rstrip("/").rsplit("/", 1)[1])
    assert client.get(f"/clerk/jobs/{job_id}.json").get_json()["state"] == "queued"

    ran = clerk_app.test_cli_runner().invoke(args=["worker", "--drain"])
    assert ran.exit_code == 0, ran.output
    state = client.get(f"/clerk/jobs/{job_id}.json").get_json()
    assert (state["state"], state["done"], state["total"]) == ("done", 1, 1)
    page = client.get(f"/clerk/jobs/{job_id}").get_data(as_text=True)
    assert "읽은 스캔본 1건" in page
    assert [h["id"] for h in client.get("/api/search", query_string={"q": SCAN_WORD}).get_json()["results"]] \
        == ["D0000036208815"]
    assert "ocr-pending" not in client.get("/records/D0000036208815").get_data(as_text=True)


def test_a_stranger_cannot_start_an_ocr_job(clerk_app):
    client = clerk_app.test_client()
    response = client.post("/clerk/jobs/ocr", data={})
    assert response.status_code in (302, 303, 400, 401)  # refused by the CSRF check or sent to log in
    assert Store(Path(clerk_app.config["DATA_DIR"])).recent_jobs() == []
