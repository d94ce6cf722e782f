"""A failed job's message in the reader's language: stored as a msgid and params, worded on the job's page.

The clerk's job page says why a job failed in Korean by default and in English once the clerk chose it,
never both at once; a batch's refusal (archive.batch.BatchError, a ZipRefused inside it) with it. A
message stored as plain text before stays as it reads; `jobs --json` and the page's JSON keep `message`
a string (the Korean, then the English, as before).
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import zipfile
from pathlib import Path

import pytest

import jobs
from archive.store import JobState, Store
from tests.conftest import CLERK, PASSWORD, csrf_token, log_in, make_app
from tests.test_jobs import job_batch
from tests.web.i18n_support import compile_catalogs
from tests.web.uploading import upload

HANGUL = re.compile("[가-힣]")


@pytest.fixture(scope="module")
def translations(tmp_path_factory):
    return compile_catalogs(tmp_path_factory.mktemp("translations"))


@pytest.fixture
def own_app(translations, tmp_path):
    app = make_app(tmp_path / "store", BABEL_TRANSLATION_DIRECTORIES=str(translations), MAX_BATCH_RECORDS=2)
    result = app.test_cli_runner().invoke(args=["users", "create", CLERK, "--role", "clerk", "--password-stdin"],
                                          input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    return app


def _client(app, english: bool):
    client = app.test_client()
    assert log_in(client).status_code == 302
    if english:
        client.get("/?lang=en")  # the clerk's choice, kept in the cookie
    return client


def _alert(response) -> str:
    """The job page's failure message, as the reader sees it."""
    assert response.status_code == 200
    found = re.findall(r'<p class="flash error">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert len(found) == 1, found
    return html.unescape(found[0])


def _zip(members: list[tuple[str, str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buffer.getvalue()


def _drain(app) -> None:
    result = app.test_cli_runner().invoke(args=["worker", "--drain"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("english", [False, True])
def test_a_failed_export_speaks_the_clerks_language(own_app, english):
    client = _client(own_app, english)
    response = client.post("/clerk/jobs/export", data={"csrf_token": csrf_token(client, "/clerk/"), "q": "없는낱말"})
    assert response.status_code == 303
    _drain(own_app)
    alert = _alert(client.get(response.headers["Location"]))
    if english:
        assert alert == "No record matches this search: there is nothing to export." and not HANGUL.search(alert)
    else:
        assert alert == "검색 조건에 맞는 기록이 없어 내보낼 것이 없습니다."
    message = client.get(response.headers["Location"] + ".json").get_json()["message"]
    assert message == alert  # the page's JSON: a string, as before, in the reader's language


@pytest.mark.parametrize("english", [False, True])
def test_a_job_that_broke_and_one_whose_worker_stopped(own_app, tmp_path, monkeypatch, english):
    def broken(run):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(jobs.KINDS, "reindex", broken)  # a kind that fails unexpectedly
    client = _client(own_app, english)
    response = client.post("/clerk/jobs/reindex", data={"csrf_token": csrf_token(client, "/clerk/")})
    assert response.status_code == 303
    _drain(own_app)
    alert = _alert(client.get(response.headers["Location"]))
    assert alert == ("The job failed: RuntimeError: disk on fire" if english
                     else "작업이 실패했습니다: RuntimeError: disk on fire")

    token = csrf_token(client, "/clerk/ingest")
    response = client.post("/clerk/ingest", content_type="multipart/form-data",
                           data={"csrf_token": token, "batch": (io.BytesIO(job_batch(tmp_path / "b", 1)), "b.zip")})
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    store = Store(Path(own_app.config["DATA_DIR"]))
    dead = f"{os.uname().nodename}:{2**22 + 12345}"  # above pid_max: no such process
    for attempt in range(3):  # killed twice and resumed, then killed a third time
        assert store.claim_job(job_id, dead) is not None
        if attempt < 2:
            store.requeue_job(job_id, dead)
    assert jobs.recover(store, Path(own_app.config["DATA_DIR"])) == []
    assert store.job(job_id).state is JobState.FAILED
    store.close()
    alert = _alert(client.get(f"/clerk/jobs/{job_id}"))
    assert alert == ("The worker stopped 3 times during this job." if english
                     else "작업하던 워커가 3번 멈춰 중단했습니다.")


@pytest.mark.parametrize("english", [False, True])
def test_a_refused_batch_speaks_the_clerks_language(own_app, tmp_path, english):
    client = _client(own_app, english)
    clash = _alert(upload(client, own_app, _zip([("b/x", "file"), ("b/x/record.json", "{}")])))
    junk = _alert(upload(client, own_app, b"this is no zip at all", "junk.zip"))
    many = _alert(upload(client, own_app, job_batch(tmp_path / "b", 3), "three.zip"))
    if english:
        assert clash.startswith("The batch was refused: ") and clash.endswith(
            "batch.zip: 'b/x' is both a file and a folder in the zip")
        assert junk.startswith("The batch was refused: ") and junk.endswith("batch.zip: not a folder or a .zip file")
        assert many == "The batch was refused: batch.zip: 3 records; a batch may hold 2 at most"
        assert not any(HANGUL.search(text) for text in (clash, junk, many))
    else:
        assert clash.startswith("읽을 수 없는 묶음: ") and clash.endswith(
            "batch.zip: 'b/x'은(는) zip 안에서 파일이면서 폴더입니다")
        assert junk.startswith("읽을 수 없는 묶음: ") and junk.endswith("batch.zip: 폴더도 .zip 파일도 아닙니다")
        assert many == "읽을 수 없는 묶음: batch.zip: 기록 3건: 한 묶음에 2건까지 받습니다"
        assert not any(re.search("[A-Za-z]{3,} [a-z]{3,}", text) for text in (clash, junk, many))


def test_a_message_stored_as_plain_text_shows_as_it_reads(own_app):
    old = "작업이 실패했습니다. The job failed: RuntimeError: before the catalogs"
    store = Store(Path(own_app.config["DATA_DIR"]))
    job_id = store.create_job("reindex", CLERK)
    store.finish_job(job_id, JobState.FAILED, message=old)
    assert store.job(job_id).message == old and store.job(job_id).notice is None
    store.close()
    for english in (False, True):
        client = _client(own_app, english)
        assert _alert(client.get(f"/clerk/jobs/{job_id}")) == old
        assert client.get(f"/clerk/jobs/{job_id}.json").get_json()["message"] == old


def test_a_stored_message_whose_wording_breaks_never_breaks_the_pages(own_app):
    """A msgid whose params do not fill it (a catalog changed since): its msgid shown, never a 500."""
    broken = '{"msgid": "%(what)s 작업이 실패했습니다", "params": {}}'
    store = Store(Path(own_app.config["DATA_DIR"]))
    job_id = store.create_job("reindex", CLERK)
    store.finish_job(job_id, JobState.FAILED, message=broken)
    assert store.job(job_id).message == "%(what)s 작업이 실패했습니다"  # `jobs --json`, the listing
    store.close()
    client = _client(own_app, english=False)
    for path in (f"/clerk/jobs/{job_id}", f"/clerk/jobs/{job_id}.json", "/clerk/"):
        assert client.get(path).status_code == 200, path
    assert "작업이 실패했습니다" in _alert(client.get(f"/clerk/jobs/{job_id}"))


def test_the_command_line_prints_both_languages_as_before(own_app):
    store = Store(Path(own_app.config["DATA_DIR"]))
    job_id = store.create_job("reindex", CLERK)
    store.finish_job(job_id, JobState.FAILED, message=jobs.JobFailed("작업하던 워커가 %(n)s번 멈춰 중단했습니다.", n=3))
    raw = store._one("SELECT message FROM jobs WHERE id = ?", (job_id,))[0]
    assert json.loads(raw) == {"msgid": "작업하던 워커가 %(n)s번 멈춰 중단했습니다.", "params": {"n": 3}}
    store.close()
    result = own_app.test_cli_runner().invoke(args=["jobs", "--json"])
    assert result.exit_code == 0, result.output
    (row,) = [r for r in json.loads(result.output) if r["id"] == job_id]
    assert row["message"] == "작업하던 워커가 3번 멈춰 중단했습니다. The worker stopped 3 times during this job."


@pytest.mark.parametrize("english", [False, True])
def test_the_web_exports_limits_speak_the_readers_language(own_app, tmp_path, english):
    upload(_client(own_app, False), own_app, job_batch(tmp_path / "b", 2))
    own_app.config["EXPORT_MAX_RECORDS"] = 1
    visitor = own_app.test_client()
    if english:
        visitor.get("/?lang=en")
    too_many = visitor.get("/export.zip")
    nothing = visitor.get("/export.zip", query_string={"q": "없는낱말"})
    pages = too_many.get_data(as_text=True), html.unescape(nothing.get_data(as_text=True))
    assert (too_many.status_code, nothing.status_code) == (413, 404)
    korean = ("내보내기는 웹에서 한 번에 기록 1건, 원본 2.0 GiB까지입니다 (맞는 기록이 더 많습니다).",
              "검색 조건에 맞는 기록이 없어 내보낼 것이 없습니다.")
    english_text = ("The web export is limited to 1 records and 2.0 GiB of originals (more records match); "
                    "narrow the search, or use the command line: `flask --app app export OUT_DIR --q …`",
                    "No record matches this search: there is nothing to export.")
    for page, ko, en in zip(pages, korean, english_text, strict=True):
        assert (en in page and ko not in page) if english else (ko in page and en not in page)


def _zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(folder))
    return buffer.getvalue()


@pytest.mark.parametrize("english", [False, True])
def test_a_rejected_records_reasons_speak_the_clerks_language(own_app, tmp_path, english):
    from tests.builders import batch, record

    folder = batch(tmp_path / "b",
                   (record(id="R-1", attachments=[{"file": "없음.txt", "disclosure": "public"}]), {}),
                   (record(id="R-2", attachments=[{"file": "본문.txt", "disclosure": "public",
                                                   "title": "보고서\u202excod.exe"}]), {"본문.txt": "본문"}))
    (folder / "R-3").mkdir()
    (folder / "R-3" / "record.json").write_text("[]", encoding="utf-8")
    (folder / "R-4").mkdir()
    (folder / "R-4" / "record.json").write_text("{", encoding="utf-8")
    batch(folder, (record(id="R-6"), {"본문.txt": "본문"}))
    (folder / "R-6").rename(folder / "R-7")  # a second folder of the same id
    batch(folder, (record(id="R-6"), {"본문.txt": "본문"}))
    own_app.config["MAX_BATCH_RECORDS"] = 10
    page = html.unescape(upload(_client(own_app, english), own_app, _zip_folder(folder)).get_data(as_text=True))
    korean = ["attachments[1].file: '없음.txt'은(는) 기록 폴더의 파일이 아닙니다",
              "attachments[1].title: U+202E(양방향 제어 문자): 4번째 글자로 쓸 수 없습니다 "
              "(제목이 다른 파일 형식처럼 보일 수 있습니다)",
              "record: record.json에는 JSON 객체가 있어야 합니다",
              "record.json: 올바른 JSON이 아닙니다 (Expecting property name",
              "id: 'R-6'이(가) 이 수집에 두 번 나옵니다"]
    english_text = ["attachments[1].file: '없음.txt' is not a file in the record folder",
                    "attachments[1].title: U+202E (a bidirectional control) at character 4 is not allowed "
                    "(it can make the title show another file type)",
                    "record: record.json must hold a JSON object",
                    "record.json: not valid JSON (Expecting property name",
                    "id: 'R-6' appears twice in this ingest"]
    for ko, en in zip(korean, english_text, strict=True):
        assert (f"<div>{en}" in page and ko not in page) if english else (f"<div>{ko}" in page and en not in page)


def test_the_command_line_prints_a_records_reasons_in_english_as_before(own_app, tmp_path):
    from tests.builders import batch, record

    folder = batch(tmp_path / "b", (record(id="R-1", attachments=[{"file": "없음.txt", "disclosure": "public"}]), {}))
    result = own_app.test_cli_runner().invoke(args=["ingest", str(folder), "--json"])
    (row,) = json.loads(result.output[result.output.index("{"):])["records"]  # after the progress line
    assert row["problems"] == ["attachments[1].file: '없음.txt' is not a file in the record folder"]
