"""`export OUT_DIR [filters]`: a BagIt bag of public JSON and public originals, made by `bagit`."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

import bagit
import pytest

from tests.conftest import SAMPLE

SEED = "D0000032552803"


def _export(app, *args):
    return app.test_cli_runner().invoke(args=["export", *map(str, args)])


def test_export_of_everything_is_a_valid_bag_of_public_content(sample_app, tmp_path):
    out = tmp_path / "bag"
    result = _export(sample_app, out)
    assert result.exit_code == 0, result.output
    bag = bagit.Bag(str(out))
    bag.validate()  # manifests, Payload-Oxum, tag manifest
    assert "sha256" in bag.algorithms
    assert bag.info["Yeollam-Query"] == "(all records)" and bag.info["Yeollam-Records"] == "16"
    assert bag.info["Yeollam-Portal"].startswith("http") and bag.info["Bagging-Date"][:2] == "20"
    records = sorted((out / "data" / "records").iterdir())
    assert len(records) == 16
    seed = json.loads((out / "data" / "records" / SEED / "record.json").read_text("utf-8"))
    withheld = [a for a in seed["attachments"] if a["disclosure"] == "withheld"]
    assert [a["grounds"] for a in withheld] == [[6], [6]]
    files = sorted(p.name for p in (out / "data" / "records" / SEED / "attachments").iterdir())
    assert files == ["01-결재문서본문.hwpx"]  # the two withheld files never
    original = (SAMPLE / SEED / "결재문서본문.hwpx").read_bytes()
    assert (out / "data" / "records" / SEED / "attachments" / files[0]).read_bytes() == original
    manifest = (out / "manifest-sha256.txt").read_text("utf-8")
    assert f"{hashlib.sha256(original).hexdigest()}  data/records/{SEED}/attachments/01-결재문서본문.hwpx" in manifest
    assert not list(tmp_path.glob(".bag.*"))  # no staging folder left


def test_record_json_in_the_bag_is_the_api_document(sample_app, tmp_path):
    assert _export(sample_app, tmp_path / "bag", "--q", "서울협치협의회").exit_code == 0
    api = sample_app.test_client().get(f"/api/records/{SEED}").get_json()
    inside = json.loads((tmp_path / "bag" / "data" / "records" / SEED / "record.json").read_text("utf-8"))
    assert inside == api  # links too: made for the portal's SERVER_NAME as the web makes them


def test_links_are_made_for_the_portal_url(sample_app, tmp_path):
    sample_app.config["SERVER_NAME"] = None
    result = _export(sample_app, tmp_path / "bag", "--q", "서울협치협의회", "--portal-url", "https://yeollam.example")
    assert result.exit_code == 0, result.output
    inside = json.loads((tmp_path / "bag" / "data" / "records" / SEED / "record.json").read_text("utf-8"))
    assert inside["url"] == f"https://yeollam.example/records/{SEED}"
    assert bagit.Bag(str(tmp_path / "bag")).info["Yeollam-Portal"] == "https://yeollam.example"


def test_filters_select_as_search_does(sample_app, tmp_path):
    result = _export(sample_app, tmp_path / "bag", "--agency", "서울특별시", "--from", "2018-01-01")
    assert result.exit_code == 0, result.output
    api = sample_app.test_client().get("/api/search", query_string={"agency": "서울특별시", "from": "2018-01-01"})
    expected = {hit["id"] for hit in api.get_json()["results"]}
    assert {p.name for p in (tmp_path / "bag" / "data" / "records").iterdir()} == expected
    info = bagit.Bag(str(tmp_path / "bag")).info
    assert info["Yeollam-Query"] == "agency=서울특별시&from=2018-01-01"
    assert info["External-Identifier"] == "http://localhost/search?" + urlencode(
        {"agency": "서울특별시", "from": "2018-01-01"})


def test_nothing_matched_is_exit_1_and_no_folder(sample_app, tmp_path):
    result = _export(sample_app, tmp_path / "bag", "--q", "존재하지않는낱말조합xyzzy")
    assert result.exit_code == 1 and "nothing matched" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("extra", [["--from", "2018-13-01"], ["--to", "yesterday"]])
def test_bad_dates_are_usage_errors(sample_app, tmp_path, extra):
    result = _export(sample_app, tmp_path / "bag", *extra)
    assert result.exit_code == 2 and not (tmp_path / "bag").exists()


def test_an_existing_out_dir_is_refused_and_untouched(sample_app, tmp_path):
    out = tmp_path / "bag"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    result = _export(sample_app, out)
    assert result.exit_code == 2 and "exists" in result.output
    assert [p.name for p in out.iterdir()] == ["mine.txt"]


def test_a_failure_half_way_leaves_no_half_bag(sample_app, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(bagit, "make_bag", broken)
    result = _export(sample_app, tmp_path / "bag")
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []  # neither OUT_DIR nor the staging folder


def test_a_damaged_original_is_left_out_and_said(own_sample_app, tmp_path):
    from archive.store import Store

    store = Store(own_sample_app.config["DATA_DIR"])
    try:
        att = store.get(SEED).attachment(1)
        path = store.blobs.path(att.sha256)
    finally:
        store.close()
    path.chmod(0o644)
    path.write_bytes(b"rotten")
    result = _export(own_sample_app, tmp_path / "bag")
    assert result.exit_code == 0 and "SHA-256" in result.output
    bag = bagit.Bag(str(tmp_path / "bag"))
    bag.validate()
    assert not (tmp_path / "bag" / "data" / "records" / SEED / "attachments").exists()
    assert SEED in (tmp_path / "bag" / "data" / "export-problems.txt").read_text("utf-8")


def test_a_file_withheld_while_an_export_runs_stays_out(clerk_app, tmp_path):
    """The record JSON may be seconds old: each original is checked against the store before it is read."""
    from archive import export
    from archive.store import Store
    from web import pages

    with clerk_app.test_request_context("/"):
        store = Store(clerk_app.config["DATA_DIR"])
        try:
            stale = pages.record_json(store, SEED)  # attachment 1 public here
            result = clerk_app.test_cli_runner().invoke(args=[
                "disclose", SEED, "1", "--withhold", "--ground", "6", "--reason", "늦게 찾은 개인정보",
                "--clerk", "kim"])
            assert result.exit_code == 0, result.output
            outcome = export.write_bag(tmp_path / "bag", store, [export.Planned(SEED, 1, 1)],
                                       lambda rid: stale, export.bag_info({}, "http://localhost", "2026-01-01", 1))
        finally:
            store.close()
    assert outcome.files == 0 and "no longer public" in outcome.problems[0]
    assert not (tmp_path / "bag" / "data" / "records" / SEED / "attachments").exists()
    bagit.Bag(str(tmp_path / "bag")).validate()
