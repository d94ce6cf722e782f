"""Related records (index.service.related): up to 5, from public text only; same classification fills."""

from __future__ import annotations

import pytest

from tests.builders import batch, record

RARE = "zorblax quintarium velmoric drastuv"


@pytest.fixture(params=["tantivy", "whoosh"])
def app(request, tmp_path):
    from tests.conftest import make_app

    return make_app(tmp_path / "store", SEARCH_ENGINE=request.param)


@pytest.fixture
def related_app(app, tmp_path):
    def plain(rid, title, text, **more):
        return record(id=rid, title=title, attachments=[{"file": "a.txt", "disclosure": "public"}], **more), \
            {"a.txt": text}

    root = batch(
        tmp_path / "batch",
        (record(id="R-SECRET", title="Apple orchard notes", disclosure="partial",
                attachments=[{"file": "apple.txt", "disclosure": "public"},
                             {"file": "memo.txt", "disclosure": "withheld", "grounds": [6]}]),
         {"apple.txt": "apple orchard pruning schedule harvest crates", "memo.txt": f"{RARE} secret"}),
        (record(id="R-CONTROL", title="Bread bakery notes",
                attachments=[{"file": "bread.txt", "disclosure": "public"},
                             {"file": "memo2.txt", "disclosure": "public"}]),
         {"bread.txt": "bread bakery ovens flour", "memo2.txt": f"{RARE} bakery"}),
        plain("R-TARGET", "Lagoon survey", f"{RARE} lagoon"),
        plain("R-OCEAN", "Ocean tides", "ocean tides moon waves"),
        plain("R-MOUNT", "Mountain rivers", "mountain rivers snow glacier"),
        plain("R-CLS-1", "Kestrel census", "kestrel falcon census", classification=["행정", "시험분류"]),
        plain("R-CLS-2", "Tram timetable", "tram timetable depot", classification=["행정", "시험분류"]),
    )
    result = app.test_cli_runner().invoke(args=["ingest", str(root)])
    assert result.exit_code == 0, result.output
    return app


def _related(client, rid):
    data = client.get(f"/api/records/{rid}").get_json()["related"]
    assert all(set(item) == {"id", "title", "url"} for item in data) and len(data) <= 5
    return [item["id"] for item in data]


def test_withheld_text_does_not_steer_related_records(related_app):
    client = related_app.test_client()
    assert "R-TARGET" in _related(client, "R-CONTROL")  # the same rare words, public: found
    assert "R-TARGET" not in _related(client, "R-SECRET")  # the same rare words, withheld: not
    assert "R-SECRET" not in _related(client, "R-TARGET")
    assert "Lagoon survey" not in client.get("/records/R-SECRET").get_data(as_text=True)


def test_related_on_the_page_links_the_records(related_app):
    page = related_app.test_client().get("/records/R-CONTROL").get_data(as_text=True)
    assert "관련 기록" in page and 'href="http://localhost/records/R-TARGET">Lagoon survey</a>' in page


def test_the_same_classification_fills_when_the_text_finds_nothing(related_app):
    client = related_app.test_client()
    assert _related(client, "R-CLS-1") == ["R-CLS-2"] and _related(client, "R-CLS-2") == ["R-CLS-1"]
    assert _related(client, "R-OCEAN") == []


def test_at_most_five(sample_client):
    for rid in ("D0000032552803", "BUSAN-UPC-2022-05"):
        data = sample_client.get(f"/api/records/{rid}").get_json()["related"]
        assert 1 <= len(data) <= 5 and rid not in {item["id"] for item in data}


def test_same_classification_breaks_a_tie(app, tmp_path):
    """Two records equally like the first: the one filed with it comes first, whichever came in first."""
    text = "estuary sediment dredging survey estuary"
    root = batch(tmp_path / "ties",
                 (record(id="T-0", title="Estuary", classification=["환경", "하천"],
                         attachments=[{"file": "a.txt", "disclosure": "public"}]), {"a.txt": text}),
                 (record(id="T-A", title="Estuary dredging", classification=["교통", "도로"],
                         attachments=[{"file": "a.txt", "disclosure": "public"}]), {"a.txt": text}),
                 (record(id="T-B", title="Estuary dredging", classification=["환경", "하천"],
                         attachments=[{"file": "a.txt", "disclosure": "public"}]), {"a.txt": text}),
                 (record(id="T-Z", title="Library hours"), {"본문.txt": "library opening hours"}))
    result = app.test_cli_runner().invoke(args=["ingest", str(root)])
    assert result.exit_code == 0, result.output
    assert _related(app.test_client(), "T-0")[:2] == ["T-B", "T-A"]
