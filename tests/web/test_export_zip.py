"""/export.zip?<the /search parameters>: the export bag streamed as a zip, within a stated limit."""

from __future__ import annotations

import io
import zipfile

import bagit

from tests.builders import batch, record

SEED = "D0000032552803"


def _unzip(data: bytes, into):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        zf.extractall(into)
        names = zf.namelist()
    (root,) = {n.split("/")[0] for n in names}
    return into / root, names


def test_the_zip_unzips_to_a_bag_bagit_validates(sample_client, tmp_path):
    response = sample_client.get("/export.zip", query_string={"agency": "서울특별시"})
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    root, names = _unzip(response.data, tmp_path)
    bag = bagit.Bag(str(root))
    bag.validate()
    assert bag.info["Yeollam-Query"] == "agency=서울특별시" and bag.info["Yeollam-Portal"] == "http://localhost"
    expected = {h["id"] for h in sample_client.get("/api/search?agency=서울특별시").get_json()["results"]}
    assert {p.name for p in (root / "data" / "records").iterdir()} == expected
    seed_files = [n for n in names if f"/records/{SEED}/attachments/" in n]
    assert [n.rsplit("/", 1)[1] for n in seed_files] == ["01-결재문서본문.hwpx"]  # withheld files never


def test_the_zip_holds_what_the_command_writes(sample_app, tmp_path):
    assert sample_app.test_cli_runner().invoke(args=["export", str(tmp_path / "cli"), "--q", "위원회"]).exit_code == 0
    root, _ = _unzip(sample_app.test_client().get("/export.zip?q=위원회").data, tmp_path / "web")
    cli = {p.relative_to(tmp_path / "cli").as_posix(): p.read_bytes() for p in (tmp_path / "cli" / "data").rglob("*")
           if p.is_file()}
    web = {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "data").rglob("*") if p.is_file()}
    assert cli == web and len(cli) > 2


def test_past_the_record_limit_a_message_points_to_the_command(sample_app):
    sample_app.config["EXPORT_MAX_RECORDS"] = 3
    response = sample_app.test_client().get("/export.zip")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "flask --app app export" in page and "3" in page and "기록" in page


def test_past_the_byte_limit_a_message_points_to_the_command(sample_app):
    sample_app.config["EXPORT_MAX_BYTES"] = 1000
    response = sample_app.test_client().get("/export.zip")
    assert response.status_code == 413 and "flask --app app export" in response.get_data(as_text=True)
    assert sample_app.test_client().get(f"/export.zip?q={SEED}").status_code == 413  # the seed's HWPX alone


def test_nothing_matched_and_refused_queries(sample_client):
    assert sample_client.get("/export.zip?q=존재하지않는낱말조합xyzzy").status_code == 404
    assert sample_client.get("/export.zip?q=" + " OR ".join(f"가{i}" for i in range(300))).status_code == 400


def test_the_zip_is_streamed_in_small_chunks(app, tmp_path):
    """Memory stays flat: a 6 MiB original goes out in chunks of about 64 KiB, never whole."""
    big = bytes(range(256)) * (6 * 4096)
    root = batch(tmp_path / "b", (record(id="BIG-1", attachments=[{"file": "자료.bin", "disclosure": "public"}]),
                                  {"자료.bin": big}))
    result = app.test_cli_runner().invoke(args=["ingest", str(root)])
    assert result.exit_code == 0, result.output
    response = app.test_client().get("/export.zip", buffered=False)
    try:
        assert response.is_streamed
        sizes = [len(chunk) for chunk in response.response]
    finally:
        response.close()
    assert sum(sizes) > len(big) and max(sizes) < 256 * 1024


def test_exports_at_once_are_capped_across_workers_and_the_slot_comes_back(own_sample_app):
    """A few anonymous 2 GiB exports at once would hold every worker: past the cap, a clear 503."""
    own_sample_app.config["EXPORT_CONCURRENT"] = 1
    client = own_sample_app.test_client()
    running = client.get("/export.zip", buffered=False)  # under way: not yet read to its end
    assert running.status_code == 200
    refused = client.get("/export.zip")
    assert refused.status_code == 503 and "진행 중" in refused.get_data(as_text=True)
    running.close()  # the reader went away, or finished
    assert client.get("/export.zip").status_code == 200
