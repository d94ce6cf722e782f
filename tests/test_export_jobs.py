"""Exports as jobs from the clerk workspace (issue 18 item 4): a BagIt zip under DATA_DIR, clerks only, public only."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import bagit

import jobs
from archive.store import JobState, Store
from tests.conftest import csrf_token, make_app
from tests.test_jobs import CANARY, WORD, clerk, cli, job_batch
from tests.web.uploading import upload
from web import clerk_export


def start(client, **params):
    token = csrf_token(client, "/clerk/")
    response = client.post("/clerk/jobs/export", data={"csrf_token": token, **params})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def drained(app, client, job_url):
    assert cli(app, "worker", "--drain").exit_code == 0
    return client.get(job_url + ".json").get_json()


def canary_free_bag(data: bytes, into: Path) -> bagit.Bag:
    """Every member read: none holds the canary; the unzipped folder validates as a bag."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            body = zf.read(name)
            assert CANARY.encode() not in body and CANARY not in name, name
            assert "명부".encode() not in body or name.endswith("record.json"), name  # the withheld file's name
        zf.extractall(into)
    (root,) = into.iterdir()
    found = bagit.Bag(str(root))
    found.validate()
    return found


def exports(app) -> list[str]:
    folder = Path(app.config["DATA_DIR"]) / "exports"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_an_export_job_writes_the_public_bag_as_a_zip_only_clerks_download(app, tmp_path, monkeypatch):
    client = clerk(app)
    upload(client, app, job_batch(tmp_path / "b", 3))
    assert 'action="/clerk/jobs/export"' in client.get("/clerk/").get_data(as_text=True)
    written = []
    real = Store.job_progress
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0)
    monkeypatch.setattr(Store, "job_progress", lambda self, job_id, done, total, rejected:
                        (written.append((done, total)), real(self, job_id, done, total, rejected))[1])
    job_url = start(client, q=WORD)
    assert client.get(job_url + ".json").get_json()["state"] == "queued"
    job = drained(app, client, job_url)
    assert (job["kind"], job["state"], job["done"], job["total"]) == ("export", "done", 3, 3), job
    assert written[0] == (0, 3) and written[-1] == (3, 3) and (1, 3) in written and (2, 3) in written
    assert [d for d, _ in written] == sorted(d for d, _ in written)  # records done of total, never backwards

    page = client.get(job_url).get_data(as_text=True)
    link = f"{job_url}/export.zip"
    assert f'href="{link}"' in page and "기록 3건" in page and 'role="status"' in page
    assert exports(app) == ["2.zip"]  # no partial left beside it
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    data = response.get_data()
    report = Store(Path(app.config["DATA_DIR"])).job(2).report
    assert report["records"] == 3 and report["files"] == 3 and report["size"] == len(data)
    bag = canary_free_bag(data, tmp_path / "unzipped")
    payload = sorted(p for p in bag.payload_files())
    assert len(payload) == 6 and all("본문" in p or p.endswith("record.json") for p in payload), payload

    visitor = app.test_client()
    for url in (link, job_url, "/clerk/jobs/1/export.zip"):
        answer = visitor.get(url)
        assert answer.status_code in (302, 403, 404) and answer.data[:2] != b"PK", url
        assert answer.status_code != 302 or "/clerk/login" in answer.headers["Location"]
    assert client.get("/clerk/jobs/1/export.zip").status_code == 404  # an ingest job has no zip
    assert client.post("/clerk/jobs/export", data={"q": WORD}).status_code == 400  # no CSRF token, no job


def test_an_export_that_matches_nothing_or_too_much_fails_with_a_message(tmp_path):
    app = make_app(tmp_path / "store", EXPORT_JOB_MAX_RECORDS=2)
    client = clerk(app)
    upload(client, app, job_batch(tmp_path / "b", 3))
    nothing = drained(app, client, start(client, q="없는낱말zzz"))
    assert nothing["state"] == "failed" and "맞는 기록이 없어" in nothing["message"]
    url = start(client, q=WORD)
    too_many = drained(app, client, url)
    assert too_many["state"] == "failed" and "2건보다 많습니다" in too_many["message"]
    page = client.get(url).get_data(as_text=True)
    assert "실패" in page and "2건보다 많습니다" in page and "export.zip" not in page
    assert exports(app) == []
    assert client.get(f"{url}/export.zip").status_code == 404
    fine = drained(app, client, start(client, q=WORD, agency="없는기관"))
    assert fine["state"] == "failed"  # a filter is a filter: nothing matched


def test_a_killed_export_starts_over_and_old_zips_are_swept(app, tmp_path):
    client = clerk(app)
    upload(client, app, job_batch(tmp_path / "b", 2))
    data_dir = Path(app.config["DATA_DIR"])
    store = Store(data_dir)
    job_url = start(client, q=WORD)
    dead = f"{os.uname().nodename}:{2**22 + 12345}"  # above pid_max: no such process
    assert store.claim_job(2, dead) is not None  # a worker killed mid-export leaves a partial and a stale zip
    folder = data_dir / "exports"
    folder.mkdir()
    (folder / ".2.abc.partial").write_bytes(b"PK half of a zip " + CANARY.encode())
    (folder / "2.zip").write_bytes(b"stale " + CANARY.encode())
    assert client.get(f"{job_url}/export.zip").status_code == 404  # never served while the job is not done
    job = drained(app, client, job_url)
    assert job["state"] == "done" and store.job(2).attempts == 2 and store.job(2).report["resumed"] == 1
    assert exports(app) == ["2.zip"]
    canary_free_bag(client.get(f"{job_url}/export.zip").get_data(), tmp_path / "unzipped")

    (folder / ".9.x.partial").write_bytes(b"a partial of no job")
    (folder / "1.zip").write_bytes(b"a zip of a job that is no export")
    assert sorted(clerk_export.sweep(store, data_dir, keep_hours=168)) == [".9.x.partial", "1.zip"]
    assert exports(app) == ["2.zip"]  # kept: done, within its time
    assert clerk_export.sweep(store, data_dir, keep_hours=-1) == ["2.zip"]  # past its time
    assert client.get(f"{job_url}/export.zip").status_code == 404
    assert "보관 기간이 지나" in client.get(job_url).get_data(as_text=True)
    assert store.job(2).state is JobState.DONE
    store.close()


def test_the_export_settings_are_whole_numbers(tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHIVE_EXPORT_KEEP_HOURS", "24")
    monkeypatch.setenv("ARCHIVE_EXPORT_JOB_MAX_RECORDS", "1000")
    app = make_app(tmp_path / "s")
    assert (app.config["EXPORT_KEEP_HOURS"], app.config["EXPORT_JOB_MAX_RECORDS"]) == (24, 1000)
    monkeypatch.setenv("ARCHIVE_EXPORT_KEEP_HOURS", "a week")
    try:
        make_app(tmp_path / "s")
    except RuntimeError as exc:
        assert "ARCHIVE_EXPORT_KEEP_HOURS" in str(exc)
    else:
        raise AssertionError("a bad setting was taken")
